package kubelet

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/e2e/cluster"
)

// runAgent plays a workflow's agent pod with the real executor: its init
// and main containers run `argoexec agent ...` as local processes, with the
// containers' environment and the pod's service account identity, so the
// HTTP templates' requests are really sent. The pod ends when the agent
// exits (the controller tells it when the workflow is done).
func (k *Kubelet) runAgent(ctx context.Context, wf string, pod *corev1.Pod) error {
	if err := k.bind(ctx, pod); err != nil {
		return err
	}
	kubeconfig, err := k.c.KubeconfigFor(ctx, serviceAccount(pod))
	if err != nil {
		return err
	}
	for _, c := range pod.Spec.InitContainers {
		p, err := k.startContainer(pod, c, kubeconfig)
		if err != nil {
			return err
		}
		<-p.Done()
		if code := p.ExitCode(); code != 0 {
			return fmt.Errorf("agent init container %s exited with %d; see %s", c.Name, code, p.Log)
		}
	}
	var main *corev1.Container
	for i, c := range pod.Spec.Containers {
		if c.Name == "main" {
			main = &pod.Spec.Containers[i]
		}
	}
	if main == nil {
		return fmt.Errorf("agent pod has no main container")
	}
	p, err := k.startContainer(pod, *main, kubeconfig)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.agents[pod.Name] = p
	run := &Run{Pod: pod.Name, Agent: true, Start: time.Now()}
	k.runs[wf] = append(k.runs[wf], run)
	k.mu.Unlock()
	if err := k.setStatus(ctx, pod.Name, running(pod)); err != nil {
		k.stopAgent(pod.Name)
		return err
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		k.stopAgent(pod.Name)
		return ctx.Err()
	}
	end := time.Now()
	k.mu.Lock()
	run.End, run.Exit = end, p.ExitCode()
	delete(k.agents, pod.Name)
	k.mu.Unlock()
	return k.setStatus(ctx, pod.Name, terminated(pod, run.Exit, "", "", run.Start, end))
}

// startContainer runs a container's command (argoexec, with its arguments)
// as a local process, with the container's plain environment variables.
func (k *Kubelet) startContainer(pod *corev1.Pod, c corev1.Container, kubeconfig string) (*cluster.Process, error) {
	var env []string
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env = append(env, e.Name+"="+e.Value)
		}
	}
	args := append(append([]string(nil), c.Command[1:]...), c.Args...)
	args = append(args, "--kubeconfig="+kubeconfig, "--namespace="+pod.Namespace)
	return cluster.StartProcess(k.c.Dir, pod.Name+"-"+c.Name, k.c.Binaries.Argoexec, args, env)
}

func (k *Kubelet) stopAgent(pod string) {
	k.mu.Lock()
	p := k.agents[pod]
	delete(k.agents, pod)
	k.mu.Unlock()
	if p != nil {
		p.Stop(5 * time.Second)
	}
}

func serviceAccount(pod *corev1.Pod) string {
	if pod.Spec.ServiceAccountName == "" {
		return "default"
	}
	return pod.Spec.ServiceAccountName
}
