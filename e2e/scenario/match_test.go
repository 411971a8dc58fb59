package scenario

import (
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/e2e/kubelet"
)

func unitParam(id string) *wfv1.Inputs {
	return &wfv1.Inputs{Parameters: []wfv1.Parameter{{Name: "unit", Value: wfv1.AnyStringPtr(`{"id":"` + id + `"}`)}}}
}

// matchWorkflow has a retried step (two attempts), two units' branches and
// an omitted node.
func matchWorkflow() *wfv1.Workflow {
	at := func(s int) metav1.Time { return metav1.Time{Time: t0.Add(time.Duration(s) * time.Second)} }
	return &wfv1.Workflow{ObjectMeta: metav1.ObjectMeta{Name: "wf"}, Status: wfv1.WorkflowStatus{Nodes: wfv1.Nodes{
		"r":  {Name: "wf.copy", DisplayName: "copy", TemplateName: "copy", Type: wfv1.NodeTypeRetry, Phase: wfv1.NodeSucceeded, Children: []string{"r0", "r1"}},
		"r0": {Name: "wf.copy(0)", DisplayName: "copy(0)", TemplateName: "copy", Type: wfv1.NodeTypePod, Phase: wfv1.NodeFailed},
		"r1": {Name: "wf.copy(1)", DisplayName: "copy(1)", TemplateName: "copy", Type: wfv1.NodeTypePod, Phase: wfv1.NodeSucceeded},
		"a1": {Name: "wf.each(0:a).prepare", DisplayName: "prepare", TemplateName: "prepare", Phase: wfv1.NodeSucceeded, Inputs: unitParam("a"), StartedAt: at(0), FinishedAt: at(1)},
		"a2": {Name: "wf.each(0:a).load", DisplayName: "load", TemplateName: "load", Phase: wfv1.NodeSucceeded, Inputs: unitParam("a"), StartedAt: at(2), FinishedAt: at(3)},
		"b1": {Name: "wf.each(1:b).prepare", DisplayName: "prepare", TemplateName: "prepare", Phase: wfv1.NodeSucceeded, Inputs: unitParam("b"), StartedAt: at(5), FinishedAt: at(9)},
		"b2": {Name: "wf.each(1:b).load", DisplayName: "load", TemplateName: "load", Phase: wfv1.NodeSucceeded, Inputs: unitParam("b"), StartedAt: at(4), FinishedAt: at(6)},
		"o":  {Name: "wf.finish", DisplayName: "finish", TemplateName: "finish", Phase: wfv1.NodeOmitted},
	}}}
}

func TestCheckMatch(t *testing.T) {
	one, two := 1, 2
	wf := matchWorkflow()
	for _, c := range []struct {
		m       Match
		problem string // "" when it holds
	}{
		{Match{Template: "copy", Phase: "Succeeded", Count: &one}, ""}, // attempts are not counted
		{Match{Template: "copy", Phase: "Failed"}, "is Succeeded, want Failed"},
		{Match{Template: "prepare", Count: &two}, ""},
		{Match{Unit: "b", Template: "load", Phase: "Succeeded", Count: &one}, ""},
		{Match{Unit: "c"}, "no such node"},
		{Match{Unit: "c", NotRun: true}, ""},
		{Match{DisplayName: "finish", NotRun: true}, ""},
		{Match{DisplayName: "load", NotRun: true}, "want not run"},
		{Match{Path: "each(*:a).*", Count: &two}, ""},
	} {
		got := strings.Join(checkMatch("m", c.m, wf), "; ")
		if (c.problem == "") != (got == "") || !strings.Contains(got, c.problem) {
			t.Errorf("%s: problems %q, want %q", c.m, got, c.problem)
		}
	}
}

func TestCheckOrderWithinBranch(t *testing.T) {
	r := &Result{Workflow: matchWorkflow()}
	// Unit a loads after its prepare; unit b loads before its own prepare
	// ended, though after a's: only b's branch is wrong.
	got := strings.Join(checkOrder("o", Order{First: Match{Template: "prepare"}, Then: Match{Template: "load"}}, r), "; ")
	if !strings.Contains(got, "each(1:b).load") || strings.Contains(got, "each(0:a)") {
		t.Errorf("problems %q, want only unit b's load", got)
	}
	// The kubelet's times, exact, win over the nodes' own.
	r.Runs = []kubelet.Run{
		{Node: "each(1:b).prepare", Start: t0, End: t0.Add(time.Second)},
		{Node: "each(1:b).load", Start: t0.Add(2 * time.Second), End: t0.Add(3 * time.Second)},
	}
	if got := checkOrder("o", Order{First: Match{Template: "prepare"}, Then: Match{Template: "load"}}, r); len(got) != 0 {
		t.Errorf("with kubelet times: %q", got)
	}
	if got := strings.Join(checkOrder("o", Order{First: Match{Template: "nothing"}, Then: Match{Template: "load"}}, r), ""); !strings.Contains(got, "same branch") {
		t.Errorf("no pairs: %q", got)
	}
}

func TestSplitCommand(t *testing.T) {
	for line, want := range map[string][]string{
		`submit --from workflowtemplate/x -p 'a=b c' -p "d=\"e\" $f"`: {"submit", "--from", "workflowtemplate/x", "-p", "a=b c", "-p", `d="e" $f`},
		`node set wf --output-parameter decision="reject"`:            {"node", "set", "wf", "--output-parameter", "decision=reject"},
		`x 'it''s' a\ b`: {"x", "its", "a b"},
	} {
		got, err := splitCommand(line)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("splitCommand(%q) = %q, %v; want %q", line, got, err, want)
		}
	}
	if _, err := splitCommand(`a 'b`); err == nil {
		t.Error("unterminated quote: no error")
	}
}

func TestOutputParameters(t *testing.T) {
	got, err := outputParameters([]string{`decision="reject"`, "note=a=b"})
	if err != nil || got != `{"decision":"reject","note":"a=b"}` {
		t.Errorf("outputParameters = %s, %v", got, err)
	}
	if _, err := outputParameters([]string{"novalue"}); err == nil {
		t.Error("NAME without =VALUE: no error")
	}
}

func TestNormalize(t *testing.T) {
	s := &Scenario{WorkflowTemplate: "t", Entrypoint: "e", Arguments: map[string]string{"b": "it's", "a": "1"}, Want: &Want{Phase: "Succeeded"}}
	if err := s.normalize(); err != nil {
		t.Fatal(err)
	}
	args, err := splitCommand(s.Steps[0].Argo)
	if err != nil || strings.Join(args, "|") != "submit|--from|workflowtemplate/t|--entrypoint|e|-p|a=1|-p|b=it's" {
		t.Errorf("short form submits %q (%v)", args, err)
	}
	for _, bad := range []*Scenario{
		{WorkflowTemplate: "t"},
		{WorkflowTemplate: "t", Want: &Want{Phase: "Succeeded"}, Steps: []Step{{Argo: "resume x"}}},
		{Steps: []Step{{Argo: "resume x", Kubectl: "delete cm/x"}}},
		{Steps: []Step{{Etcd: "reboot"}}},
		{Steps: []Step{{Want: &Want{}}}},
		{Steps: []Step{{Argo: "resume x"}}, Differs: map[string]string{"v5": "x"}},
	} {
		if err := bad.normalize(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
