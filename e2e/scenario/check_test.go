package scenario

import (
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/e2e/kubelet"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func run(step string, start, end int) kubelet.Run {
	return kubelet.Run{Step: step, Start: t0.Add(time.Duration(start) * time.Second), End: t0.Add(time.Duration(end) * time.Second)}
}

func TestCheckRuns(t *testing.T) {
	groups := []Group{{"list"}, {"p(0:a)", "p(1:b)"}, {"sum"}}
	for _, c := range []struct {
		name    string
		runs    []kubelet.Run
		problem string // "" when the runs match
	}{
		{"fan-out then fan-in", []kubelet.Run{run("list", 0, 1), run("p(1:b)", 1, 3), run("p(0:a)", 1, 2), run("sum", 3, 4)}, ""},
		{"fan-in too early", []kubelet.Run{run("list", 0, 1), run("p(0:a)", 1, 2), run("sum", 2, 4), run("p(1:b)", 2, 3)}, "runs group 2"},
		{"overlap with the group before", []kubelet.Run{run("list", 0, 2), run("p(0:a)", 1, 2), run("p(1:b)", 2, 3), run("sum", 3, 4)}, "started before"},
		{"missing run", []kubelet.Run{run("list", 0, 1), run("p(0:a)", 1, 2), run("sum", 3, 4)}, "3 pods ran, want 4"},
	} {
		problems := checkRuns(groups, c.runs)
		got := strings.Join(problems, "; ")
		if (c.problem == "") != (got == "") || !strings.Contains(got, c.problem) {
			t.Errorf("%s: problems %q, want %q", c.name, got, c.problem)
		}
	}
}

func TestMaxParallel(t *testing.T) {
	runs := []kubelet.Run{run("a", 0, 2), run("b", 1, 3), run("c", 2, 4), run("d", 4, 5)}
	if got := maxParallel(runs); got != 2 {
		t.Errorf("maxParallel = %d, want 2 (back to back is not parallel)", got)
	}
}

func TestCheckNodesAndPods(t *testing.T) {
	wf := &wfv1.Workflow{ObjectMeta: metav1.ObjectMeta{Name: "wf"}, Status: wfv1.WorkflowStatus{
		Phase: wfv1.WorkflowFailed,
		Nodes: wfv1.Nodes{
			"1": {Name: "wf", Phase: wfv1.NodeFailed},
			"2": {Name: "wf.revert", Phase: wfv1.NodeSucceeded},
			"3": {Name: "wf.finish", Phase: wfv1.NodeOmitted},
		},
	}}
	two := 2
	w := &Want{
		Phase: "Failed",
		Nodes: map[string]string{"revert": "Succeeded", "finish": "Succeeded", "host(2:h3)": Absent, "other": "Succeeded"},
		Pods:  &two,
	}
	got := strings.Join(Check(w, &Result{Workflow: wf, Pods: []string{"p"}}), "\n")
	for _, want := range []string{"node finish: Omitted, want Succeeded", "node other: absent, want Succeeded", "1 pods created, want 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nmissing %q", got, want)
		}
	}
	if strings.Contains(got, "revert") || strings.Contains(got, "host(2:h3)") || strings.Contains(got, "phase") {
		t.Errorf("unexpected problems:\n%s", got)
	}
}

func TestLoad(t *testing.T) {
	s, err := Load("testdata/sample.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "sample" || s.About != "A sample." || len(s.Pods) != 1 || s.Pods[0].Times != 1 || s.Pods[0].Delay.Duration != time.Second ||
		len(s.Want.Runs) != 2 || len(s.Want.Runs[1]) != 2 || len(s.Files) != 1 {
		t.Errorf("loaded %+v", s)
	}
	if _, err := Load("testdata/unknown-field.txtar"); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field: error %v", err)
	}
}

func TestFieldAt(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"image": "x"}}}}
	if v, ok := fieldAt(obj, []string{"spec", "containers", "0", "image"}); !ok || v != "x" {
		t.Errorf("containers.0.image = %v, %v", v, ok)
	}
	for _, p := range []string{"spec.containers.1.image", "spec.containers.x", "spec.missing", "spec.containers.0.image.more"} {
		if v, ok := fieldAt(obj, strings.Split(p, ".")); ok {
			t.Errorf("%s found: %v", p, v)
		}
	}
}

// Every scenario of the suite loads: a file that does not fails here, in
// the unit tests, before a cluster is started.
func TestLoadSuite(t *testing.T) {
	scenarios, err := LoadDir("../testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 20 {
		t.Errorf("%d scenarios loaded, want the suite's", len(scenarios))
	}
}
