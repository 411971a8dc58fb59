package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/argoproj/argo-workflows/v3/workflow/common"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/e2e/cluster"
)

// terminationLog is where a container writes its termination message.
const terminationLog = "/dev/termination-log"

// runResource plays the pod of a resource template with the real executor:
// its only container runs `argoexec resource ACTION` as a local process,
// with the container's environment and the pod's service account identity,
// so the manifest is really created, applied, patched or deleted, and the
// success and failure conditions are read from the real object. The
// executor reports its own outputs (the WorkflowTaskResult); the kubelet
// only turns its exit code and termination message into the pod's status.
//
// The executor writes the manifest to /tmp/manifest.yaml and its message
// to /dev/termination-log: each pod gets a private mount namespace in which
// its own directory is bind-mounted on /tmp and its own file on
// /dev/termination-log, so parallel pods do not share them.
func (k *Kubelet) runResource(ctx context.Context, wf string, pod *corev1.Pod, run *Run) error {
	if len(pod.Spec.Containers) != 1 {
		return fmt.Errorf("resource pod has %d containers, want only main", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	// The controller wraps the command in the emissary executor
	// (/var/run/argo/argoexec emissary ... -- argoexec resource ACTION ...),
	// whose part is to run it and record its exit code: here the kubelet
	// runs the command itself.
	argv := append(append([]string(nil), c.Command...), c.Args...)
	for i, a := range argv {
		if a == "--" && i > 0 && strings.HasSuffix(argv[0], "argoexec") && len(argv) > 1 && argv[1] == "emissary" {
			argv = argv[i+1:]
			break
		}
	}
	if len(argv) < 3 || argv[0] != "argoexec" || argv[1] != "resource" {
		return fmt.Errorf("resource pod runs %q, want argoexec resource ACTION", argv)
	}
	argv = argv[1:]
	// The init container hands the template to the main one in a file
	// (/var/run/argo/template); the executor reads the variable first, so
	// the kubelet passes it that way.
	tmplJSON := envValue(pod, common.EnvVarTemplate)
	if !strings.HasPrefix(tmplJSON, "{") {
		return fmt.Errorf("resource pod's template is offloaded to a ConfigMap; the kubelet cannot mount it")
	}
	dir := filepath.Join(k.c.Dir, "pods", pod.Name)
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	term := filepath.Join(dir, "termination-log")
	if err := os.WriteFile(term, nil, 0o644); err != nil {
		return err
	}
	if err := ensureFile(terminationLog); err != nil {
		return err
	}
	kubeconfig, err := k.c.KubeconfigFor(ctx, serviceAccount(pod))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(kubeconfig)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "kubeconfig"), data, 0o600); err != nil {
		return err
	}
	env := []string{
		"KUBECONFIG=/tmp/kubeconfig",
		"HOME=/tmp",
		// The executor polls the object every 5 s by default; the
		// scenarios' objects change within a second.
		"RESOURCE_STATE_CHECK_INTERVAL=1s",
	}
	env = append(env, containerEnv(pod, c)...)
	env = append(env, common.EnvVarTemplate+"="+tmplJSON)
	// The new /tmp hides whatever was under the old one: the pod's own
	// directory, and maybe the binary cache (MIGRATE_E2E_CACHE). So the
	// executor is bind-mounted into the pod's tmp first, to be run as
	// /tmp/argoexec, and the termination log is mounted before /tmp.
	exe := filepath.Join(tmp, "argoexec")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("mount --bind %s %s && mount --bind %s %s && mount --rbind %s /tmp && exec /tmp/argoexec %s",
		shellQuote(k.c.Binaries.Argoexec), shellQuote(exe), shellQuote(term), terminationLog, shellQuote(tmp), shellJoin(argv))

	if err := k.start(ctx, wf, pod, run); err != nil {
		return err
	}
	p, err := cluster.StartProcess(filepath.Dir(tmp), "main", "unshare",
		[]string{"--mount", "--propagation", "private", "sh", "-c", script}, env)
	if err != nil {
		return err
	}
	kill, unregister := k.killable(pod.Name)
	defer unregister()
	select {
	case <-p.Done():
	case <-kill:
		p.Stop(5 * time.Second)
	case <-ctx.Done():
		p.Stop(5 * time.Second)
		return ctx.Err()
	}
	end := time.Now()
	msg, err := os.ReadFile(term)
	if err != nil {
		return err
	}
	exit := p.ExitCode()
	if exit < 0 {
		exit = 137
	}
	if err := k.setStatus(ctx, pod.Name, terminated(pod, exit, strings.TrimSpace(string(msg)), "", run.Start, end)); err != nil {
		return err
	}
	k.mu.Lock()
	run.End, run.Exit = end, exit
	if exit != 0 {
		run.Error = strings.TrimSpace(string(msg))
	}
	k.mu.Unlock()
	return nil
}

// containerEnv resolves a container's environment as a kubelet does: plain
// values, and the pod fields Argo's executor reads through fieldRef.
func containerEnv(pod *corev1.Pod, c corev1.Container) []string {
	var env []string
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			if e.ValueFrom.FieldRef == nil {
				continue
			}
			switch e.ValueFrom.FieldRef.FieldPath {
			case "metadata.name":
				v = pod.Name
			case "metadata.namespace":
				v = pod.Namespace
			case "metadata.uid":
				v = string(pod.UID)
			case "spec.serviceAccountName":
				v = serviceAccount(pod)
			case "spec.nodeName":
				v = NodeName
			case "status.podIP", "status.hostIP":
				v = podIP
			default:
				continue
			}
		}
		env = append(env, e.Name+"="+v)
	}
	return env
}

// ensureFile creates an empty file at path unless something is there: the
// mount point of each pod's termination log.
func ensureFile(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("the resource pods' termination log needs %s: %w", path, err)
	}
	return f.Close()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}
