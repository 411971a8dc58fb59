// Package kubelet is a fake kubelet for Argo's pods. It binds each pod the
// controller creates, marks it Running, then plays the main container's
// part as a scenario says (exit code, outputs, delay) and the wait
// container's part as argoexec v3.7 does: outputs go to a
// WorkflowTaskResult named after the node, created when the pod starts and
// labelled complete when the outputs are reported. The agent pod of HTTP
// templates runs the real `argoexec agent` as a local process.
package kubelet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"syscall"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	wfv1client "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned/typed/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/argoproj/argo-workflows/v3/workflow/packer"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/migratekit/migrate/e2e/cluster"
)

// NodeName is the node every pod is bound to.
const NodeName = "e2e-node"

// Run is one pod the kubelet ran.
type Run struct {
	Pod      string
	Agent    bool              // the workflow's agent pod (HTTP and plugin templates)
	Node     string            // node path, retry attempt included
	Step     string            // node path without the retry attempt
	Template string            // template name
	Inputs   map[string]string // input parameters
	Start    time.Time         // marked Running
	End      time.Time         // marked Succeeded or Failed; zero while running
	Exit     int               // main container's exit code
	Error    string            // executor error, if the behaviour asked for one
	Env      map[string]string // the main container's environment, resolved as a kubelet does
}

// Kubelet runs the pods of one namespace.
type Kubelet struct {
	c   *cluster.Cluster
	log io.Writer

	mu      sync.Mutex
	plans   map[string]*plan    // by workflow
	pods    map[string][]string // pod names seen, by workflow
	runs    map[string][]*Run   // by workflow
	started map[types.UID]bool
	agents  map[string]*cluster.Process // by pod name
	clients map[string]wfclientset.Interface
	kills   map[string]chan syscall.Signal // running pods, by name
}

// New returns a kubelet for the cluster's namespace; it logs to log.
func New(c *cluster.Cluster, log io.Writer) *Kubelet {
	return &Kubelet{
		c: c, log: log,
		plans:   map[string]*plan{},
		pods:    map[string][]string{},
		runs:    map[string][]*Run{},
		started: map[types.UID]bool{},
		agents:  map[string]*cluster.Process{},
		clients: map[string]wfclientset.Interface{},
		kills:   map[string]chan syscall.Signal{},
	}
}

// Plan sets the rules for the pods of a workflow; call it before the
// workflow is created.
func (k *Kubelet) Plan(workflow string, rules []Rule) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.plans[workflow] = newPlan(rules)
}

// plan returns the rules of a workflow. A workflow created from a file
// learns its name from the API server, so its rules may come a moment after
// its first pod: plan waits for them a little.
func (k *Kubelet) plan(ctx context.Context, wf string) (*plan, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		k.mu.Lock()
		p, ok := k.plans[wf]
		k.mu.Unlock()
		if ok {
			return p, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no pod rules for workflow %s: the harness plans every workflow it submits", wf)
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Pods returns the names of the pods created for a workflow, agent
// included, in the order they were seen.
func (k *Kubelet) Pods(workflow string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.pods[workflow]...)
}

// Runs returns a copy of the runs of a workflow's pods, by start time.
func (k *Kubelet) Runs(workflow string) []Run {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Run
	for _, r := range k.runs[workflow] {
		out = append(out, *r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Run watches the namespace's pods until ctx ends, then stops the agents.
func (k *Kubelet) Run(ctx context.Context) {
	factory := informers.NewSharedInformerFactoryWithOptions(k.c.Kube, 0, informers.WithNamespace(cluster.Namespace))
	inf := factory.Core().V1().Pods().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.observe(ctx, obj.(*corev1.Pod)) },
		UpdateFunc: func(_, obj any) { k.observe(ctx, obj.(*corev1.Pod)) },
		DeleteFunc: func(obj any) {
			if pod, ok := obj.(*corev1.Pod); ok {
				k.stopAgent(pod.Name)
			}
		},
	})
	factory.Start(ctx.Done())
	go k.watchExec(ctx)
	<-ctx.Done()
	factory.Shutdown()
	k.mu.Lock()
	agents := k.agents
	k.agents = map[string]*cluster.Process{}
	k.mu.Unlock()
	for _, p := range agents {
		p.Stop(5 * time.Second)
	}
}

func (k *Kubelet) observe(ctx context.Context, pod *corev1.Pod) {
	if pod.DeletionTimestamp != nil {
		// A real kubelet stops the containers, then confirms the deletion.
		k.stopAgent(pod.Name)
		err := k.c.Kube.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		if err != nil && !apierrors.IsNotFound(err) {
			k.logf("deleting pod %s: %v", pod.Name, err)
		}
		return
	}
	wf := pod.Labels[common.LabelKeyWorkflow]
	k.mu.Lock()
	if k.started[pod.UID] || wf == "" {
		k.mu.Unlock()
		return
	}
	k.started[pod.UID] = true
	k.pods[wf] = append(k.pods[wf], pod.Name)
	k.mu.Unlock()
	go func() {
		var err error
		if pod.Labels[common.LabelKeyComponent] == "agent" {
			err = k.runAgent(ctx, wf, pod)
		} else {
			err = k.runPod(ctx, wf, pod)
		}
		if err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) {
			k.logf("pod %s: %v", pod.Name, err)
		}
	}()
}

// runPod plays a workflow pod: bind, Running, the wait container's task
// result, the main container's behaviour, then the final phase.
func (k *Kubelet) runPod(ctx context.Context, wf string, pod *corev1.Pod) error {
	tmpl, err := k.template(ctx, pod)
	if err != nil {
		return err
	}
	node, err := k.node(ctx, wf, pod.Annotations[common.AnnotationKeyNodeID])
	if err != nil {
		return err
	}
	run := &Run{
		Pod:      pod.Name,
		Node:     NodePath(wf, node.Name),
		Step:     StepPath(wf, node.Name),
		Template: tmpl.Name,
		Inputs:   map[string]string{},
	}
	if node.Inputs != nil {
		for _, p := range node.Inputs.Parameters {
			if p.Value != nil {
				run.Inputs[p.Name] = p.Value.String()
			}
		}
	}
	if tmpl.Resource != nil {
		return k.runResource(ctx, wf, pod, run)
	}
	if run.Env, err = k.mainEnv(ctx, pod); err != nil {
		// A kubelet does not start a container whose environment it cannot
		// resolve (CreateContainerConfigError): the pod stays pending.
		k.logf("pod %s: %v: the pod stays pending", pod.Name, err)
		<-ctx.Done()
		return ctx.Err()
	}
	pl, err := k.plan(ctx, wf)
	if err != nil {
		return err
	}
	b := pl.behaviour(Step{Template: run.Template, Path: run.Step, Inputs: run.Inputs})

	if err := k.start(ctx, wf, pod, run); err != nil {
		return err
	}

	// The wait container starts with the main one and creates the task
	// result, as the pod's service account.
	results, err := k.argoAs(ctx, serviceAccount(pod))
	if err != nil {
		return err
	}
	taskResults := results.ArgoprojV1alpha1().WorkflowTaskResults(pod.Namespace)
	nodeID := pod.Annotations[common.AnnotationKeyNodeID]
	_, err = taskResults.Create(ctx, &wfv1.WorkflowTaskResult{
		ObjectMeta: metav1.ObjectMeta{
			Name: nodeID,
			Labels: map[string]string{
				common.LabelKeyWorkflow:               wf,
				common.LabelKeyReportOutputsCompleted: "false",
			},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: wfv1.SchemeGroupVersion.String(), Kind: "Workflow",
				Name: wf, UID: workflowUID(pod),
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating task result: %w", err)
	}

	kill, unregister := k.killable(pod.Name)
	defer unregister()
	select {
	case <-time.After(b.Delay.Duration):
	case sig := <-kill:
		// The main process dies of the signal; the wait container still
		// reports what there is.
		b.Exit, b.Message = 128+int(sig), ""
	case <-ctx.Done():
		return ctx.Err()
	}

	outputs, waitErr := collectOutputs(tmpl, b, envValue(pod, common.EnvVarIncludeScriptOutput) == "true")
	if b.Error != "" {
		waitErr = b.Error
	}
	if err := k.report(ctx, taskResults, nodeID, outputs); err != nil {
		return err
	}
	end := time.Now()
	if err := k.setStatus(ctx, pod.Name, terminated(pod, b.Exit, b.Message, waitErr, run.Start, end)); err != nil {
		return err
	}
	k.mu.Lock()
	run.End, run.Exit, run.Error = end, b.Exit, waitErr
	k.mu.Unlock()
	return nil
}

// start binds a work pod, marks it Running and records its run.
func (k *Kubelet) start(ctx context.Context, wf string, pod *corev1.Pod, run *Run) error {
	if err := k.bind(ctx, pod); err != nil {
		return err
	}
	run.Start = time.Now()
	if err := k.setStatus(ctx, pod.Name, running(pod)); err != nil {
		return err
	}
	k.mu.Lock()
	k.runs[wf] = append(k.runs[wf], run)
	k.mu.Unlock()
	return nil
}

// report does what the wait container does once the main one has exited:
// patch the outputs into the task result, then label it complete.
func (k *Kubelet) report(ctx context.Context, results wfv1client.WorkflowTaskResultInterface, nodeID string, outputs *wfv1.Outputs) error {
	patch, err := json.Marshal(map[string]any{"outputs": outputs})
	if err != nil {
		return err
	}
	if _, err := results.Patch(ctx, nodeID, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("reporting outputs: %w", err)
	}
	done, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{common.LabelKeyReportOutputsCompleted: "true"}}})
	if err != nil {
		return err
	}
	if _, err := results.Patch(ctx, nodeID, types.MergePatchType, done, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("finalizing outputs: %w", err)
	}
	return nil
}

// collectOutputs does what the wait container does after the main one
// exits: read each output parameter's file (here, the behaviour's value),
// falling back to its default, and capture stdout as the result when the
// workflow uses it. The string is the executor's error, if any.
func collectOutputs(tmpl *wfv1.Template, b Behaviour, includeResult bool) (*wfv1.Outputs, string) {
	out := tmpl.Outputs.DeepCopy()
	var errMsg string
	for i, p := range out.Parameters {
		if p.ValueFrom == nil || p.ValueFrom.Path == "" {
			continue
		}
		if v, ok := b.Outputs[p.Name]; ok {
			out.Parameters[i].Value = wfv1.AnyStringPtr(v)
		} else if p.ValueFrom.Default != nil {
			out.Parameters[i].Value = p.ValueFrom.Default
		} else if errMsg == "" {
			errMsg = fmt.Sprintf("open /mainctrfs%s: no such file or directory", p.ValueFrom.Path)
		}
	}
	if includeResult {
		s := b.Stdout
		if n := len(s); n > 0 && s[n-1] == '\n' {
			s = s[:n-1]
		}
		out.Result = &s
	}
	return out, errMsg
}

func (k *Kubelet) bind(ctx context.Context, pod *corev1.Pod) error {
	return k.c.Kube.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		Target:     corev1.ObjectReference{Kind: "Node", Name: NodeName},
	}, metav1.CreateOptions{})
}

// setStatus replaces the pod's status, retrying on conflicts.
func (k *Kubelet) setStatus(ctx context.Context, name string, status corev1.PodStatus) error {
	pods := k.c.Kube.CoreV1().Pods(cluster.Namespace)
	for {
		cur, err := pods.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Status = status
		_, err = pods.UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		if !apierrors.IsConflict(err) {
			return err
		}
	}
}

// template reads the template the controller gave the pod: ARGO_TEMPLATE on
// the init container, or the ConfigMap it was offloaded to when large.
func (k *Kubelet) template(ctx context.Context, pod *corev1.Pod) (*wfv1.Template, error) {
	v := envValue(pod, common.EnvVarTemplate)
	if v == common.EnvVarTemplateOffloaded {
		cm, err := k.c.Kube.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading offloaded template: %w", err)
		}
		v = cm.Data[common.EnvVarTemplate]
	}
	if v == "" {
		return nil, fmt.Errorf("no %s in the pod", common.EnvVarTemplate)
	}
	var t wfv1.Template
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", common.EnvVarTemplate, err)
	}
	return &t, nil
}

// node returns the workflow's node for a pod. The controller creates the
// pod before it writes the node to the workflow's status, so it waits.
func (k *Kubelet) node(ctx context.Context, wf, id string) (*wfv1.NodeStatus, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		w, err := k.c.Argo.ArgoprojV1alpha1().Workflows(cluster.Namespace).Get(ctx, wf, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		// Over 1 MiB the controller keeps the nodes compressed; a real
		// kubelet never reads them, our pods' wait container does.
		if err := packer.DecompressWorkflow(w); err != nil {
			return nil, err
		}
		if n, ok := w.Status.Nodes[id]; ok {
			return &n, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("node %s never appeared in workflow %s", id, wf)
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// argoAs returns an Argo client authenticated as a service account, the
// identity the pod's containers have.
func (k *Kubelet) argoAs(ctx context.Context, sa string) (wfclientset.Interface, error) {
	k.mu.Lock()
	c, ok := k.clients[sa]
	k.mu.Unlock()
	if ok {
		return c, nil
	}
	token, err := cluster.ServiceAccountToken(ctx, k.c.Kube, cluster.Namespace, sa)
	if err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(k.c.Admin)
	cfg.BearerToken = token
	c, err = wfclientset.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.clients[sa] = c
	k.mu.Unlock()
	return c, nil
}

func (k *Kubelet) logf(format string, args ...any) {
	fmt.Fprintf(k.log, "%s kubelet: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func workflowUID(pod *corev1.Pod) types.UID {
	for _, o := range pod.OwnerReferences {
		if o.Kind == "Workflow" {
			return o.UID
		}
	}
	return ""
}

func envValue(pod *corev1.Pod, name string) string {
	for _, c := range append(append([]corev1.Container(nil), pod.Spec.InitContainers...), pod.Spec.Containers...) {
		for _, e := range c.Env {
			if e.Name == name {
				return e.Value
			}
		}
	}
	return ""
}

// mainEnv resolves the main container's environment as a kubelet does:
// plain values, and values from ConfigMap and Secret keys, read from the
// API server with the kubelet's own credentials.
func (k *Kubelet) mainEnv(ctx context.Context, pod *corev1.Pod) (map[string]string, error) {
	out := map[string]string{}
	for _, c := range pod.Spec.Containers {
		if c.Name != common.MainContainerName {
			continue
		}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				out[e.Name] = e.Value
			case e.ValueFrom.ConfigMapKeyRef != nil:
				ref := e.ValueFrom.ConfigMapKeyRef
				cm, err := k.c.Kube.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				if err != nil {
					return nil, fmt.Errorf("env %s: %w", e.Name, err)
				}
				v, ok := cm.Data[ref.Key]
				if !ok {
					return nil, fmt.Errorf("env %s: configmap %s has no key %q", e.Name, ref.Name, ref.Key)
				}
				out[e.Name] = v
			case e.ValueFrom.SecretKeyRef != nil:
				ref := e.ValueFrom.SecretKeyRef
				sec, err := k.c.Kube.CoreV1().Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				if err != nil {
					return nil, fmt.Errorf("env %s: %w", e.Name, err)
				}
				v, ok := sec.Data[ref.Key]
				if !ok {
					return nil, fmt.Errorf("env %s: secret %s has no key %q", e.Name, ref.Name, ref.Key)
				}
				out[e.Name] = string(v)
			}
		}
	}
	return out, nil
}
