package scenario

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/argoproj/argo-workflows/v3/persist/sqldb"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/hydrator"
	"github.com/argoproj/argo-workflows/v3/workflow/util"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/e2e/cluster"
	"github.com/migratekit/migrate/e2e/kubelet"
)

// Env is where scenarios run.
type Env struct {
	Cluster *cluster.Cluster
	Kubelet *kubelet.Kubelet
	Vars    map[string]string // for ${NAME} in arguments
}

// Result is what a run produced.
type Result struct {
	Workflow *wfv1.Workflow // as it ended
	Pods     []string       // pods the controller created for it, agent included
	Runs     []kubelet.Run  // what the kubelet ran, by start time
	Approved []string       // suspend nodes the run resumed, by path
	Elapsed  time.Duration  // from submission to the final phase
}

// Run installs the scenario's files, submits its Workflow and waits until
// it ends, resuming the suspend nodes the scenario approves.
func (e *Env) Run(ctx context.Context, s *Scenario) (*Result, error) {
	for name, data := range s.Files {
		objs, err := cluster.DecodeYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, o := range objs {
			if err := cluster.Apply(ctx, e.Cluster.Dynamic, cluster.Namespace, o); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	e.Kubelet.Plan(s.Name, s.Pods)
	wf := &wfv1.Workflow{
		ObjectMeta: metav1.ObjectMeta{Name: s.Name},
		Spec:       wfv1.WorkflowSpec{WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{Name: s.WorkflowTemplate}},
	}
	var names []string
	for k := range s.Arguments {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		wf.Spec.Arguments.Parameters = append(wf.Spec.Arguments.Parameters, wfv1.Parameter{
			Name: k, Value: wfv1.AnyStringPtr(expand(s.Arguments[k], e.Vars)),
		})
	}
	wfs := e.Cluster.Argo.ArgoprojV1alpha1().Workflows(cluster.Namespace)
	start := time.Now()
	if _, err := wfs.Create(ctx, wf, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("submitting: %w", err)
	}
	r := &Result{}
	deadline := time.Now().Add(s.Timeout.Duration)
	approved := map[string]bool{}
	for {
		cur, err := wfs.Get(ctx, s.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		r.Workflow = cur
		if cur.Status.Phase.Completed() {
			break
		}
		for id, n := range cur.Status.Nodes {
			p := kubelet.StepPath(s.Name, n.Name)
			if !n.IsActiveSuspendNode() || approved[id] || !matchesAny(s.Approve, p) {
				continue
			}
			hyd := hydrator.New(sqldb.ExplosiveOffloadNodeStatusRepo)
			if err := util.ResumeWorkflow(ctx, wfs, hyd, s.Name, "id="+id); err != nil {
				return nil, fmt.Errorf("resuming %s: %w", p, err)
			}
			approved[id] = true
			r.Approved = append(r.Approved, p)
		}
		if time.Now().After(deadline) {
			r.Pods, r.Runs = e.Kubelet.Pods(s.Name), e.Kubelet.Runs(s.Name)
			return r, fmt.Errorf("still %q after %s", cur.Status.Phase, s.Timeout.Duration)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r.Elapsed = time.Since(start)
	r.Pods, r.Runs = e.Kubelet.Pods(s.Name), e.Kubelet.Runs(s.Name)
	return r, nil
}

func matchesAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// Dump describes a result for a failure message: the workflow's nodes in
// the order they started, then the pods as the kubelet ran them.
func Dump(r *Result) string {
	var b strings.Builder
	wf := r.Workflow
	fmt.Fprintf(&b, "workflow %s: %s %s\n", wf.Name, wf.Status.Phase, wf.Status.Message)
	nodes := make([]wfv1.NodeStatus, 0, len(wf.Status.Nodes))
	for _, n := range wf.Status.Nodes {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool {
		if !nodes[i].StartedAt.Equal(&nodes[j].StartedAt) {
			return nodes[i].StartedAt.Before(&nodes[j].StartedAt)
		}
		return nodes[i].Name < nodes[j].Name
	})
	fmt.Fprintf(&b, "nodes:\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %-50s %-10s %-10s %s\n", kubelet.NodePath(wf.Name, n.Name), n.Type, n.Phase, n.Message)
	}
	fmt.Fprintf(&b, "pods created: %d\n", len(r.Pods))
	var t0 time.Time
	if len(r.Runs) > 0 {
		t0 = r.Runs[0].Start
	}
	fmt.Fprintf(&b, "runs (seconds from the first):\n")
	for _, run := range r.Runs {
		name := run.Node
		if run.Agent {
			name = "(agent)"
		}
		end := "running"
		if !run.End.IsZero() {
			end = fmt.Sprintf("%6.2f", run.End.Sub(t0).Seconds())
		}
		fmt.Fprintf(&b, "  %6.2f %s %-50s exit %d %s\n", run.Start.Sub(t0).Seconds(), end, name, run.Exit, run.Error)
	}
	if len(r.Approved) > 0 {
		fmt.Fprintf(&b, "approved: %s\n", strings.Join(r.Approved, ", "))
	}
	return b.String()
}
