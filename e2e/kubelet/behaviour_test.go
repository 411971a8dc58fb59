package kubelet

import (
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

func TestStepPath(t *testing.T) {
	for _, c := range []struct{ node, want string }{
		{"wf", "."},
		{"wf.check(0)", "check"},
		{"wf.update-hosts.host(1:h2).post-check", "update-hosts.host(1:h2).post-check"},
		{"wf.process(1:b)(1)", "process(1:b)"},
		{"wf.a(0).b(12)", "a.b"},
		{"wf.host(0:h1.example.com)(3)", "host(0:h1.example.com)"},
		{"wf[0].first", "[0].first"},      // a steps template's step
		{"wf[1].second(2)", "[1].second"}, // retried
		{"wf-2.task", "wf-2.task"},        // another workflow's node is left alone
	} {
		if got := StepPath("wf", c.node); got != c.want {
			t.Errorf("StepPath(%q) = %q, want %q", c.node, got, c.want)
		}
	}
}

func TestPlanFirstMatchingRuleWins(t *testing.T) {
	p := newPlan([]Rule{
		{Template: "post-check", Inputs: map[string]string{"host": "h2"}, Behaviour: Behaviour{Exit: 1}},
		{Item: "h3", Behaviour: Behaviour{Exit: 2}},
		{Node: "update-hosts.*.update", Behaviour: Behaviour{Exit: 3}},
	})
	for _, c := range []struct {
		step Step
		want int
	}{
		{Step{Template: "post-check", Path: "u.host(1:h2).post-check", Inputs: map[string]string{"host": "h2"}}, 1},
		{Step{Template: "post-check", Path: "u.host(0:h1).post-check", Inputs: map[string]string{"host": "h1"}}, 0},
		{Step{Template: "pre-check", Path: "update-hosts.host(2:h3).pre-check"}, 2},
		{Step{Template: "update", Path: "update-hosts.host(0:h1).update"}, 3},
		{Step{Template: "update", Path: "other.update"}, 0},
	} {
		if got := p.behaviour(c.step).Exit; got != c.want {
			t.Errorf("%+v: exit %d, want %d", c.step, got, c.want)
		}
	}
}

func TestPlanTimesCountsAttemptsPerStep(t *testing.T) {
	p := newPlan([]Rule{{Template: "process", Times: 2, Behaviour: Behaviour{Exit: 1}}})
	a := Step{Template: "process", Path: "process(0:a)"}
	b := Step{Template: "process", Path: "process(1:b)"}
	got := []int{p.behaviour(a).Exit, p.behaviour(b).Exit, p.behaviour(a).Exit, p.behaviour(a).Exit, p.behaviour(b).Exit, p.behaviour(b).Exit}
	want := []int{1, 1, 1, 0, 1, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("exits %v, want %v", got, want)
		}
	}
}

func TestCollectOutputs(t *testing.T) {
	tmpl := &wfv1.Template{Outputs: wfv1.Outputs{Parameters: []wfv1.Parameter{
		{Name: "done", ValueFrom: &wfv1.ValueFrom{Path: "/tmp/outputs/done"}},
		{Name: "count", ValueFrom: &wfv1.ValueFrom{Path: "/tmp/outputs/count", Default: wfv1.AnyStringPtr("0")}},
	}}}
	out, errMsg := collectOutputs(tmpl, Behaviour{Outputs: map[string]string{"done": "true"}, Stdout: "hi\n"}, true)
	if errMsg != "" || out.Parameters[0].Value.String() != "true" || out.Parameters[1].Value.String() != "0" || *out.Result != "hi" {
		t.Errorf("got %+v, %q", out, errMsg)
	}
	// A missing file without a default is an executor error, as in argoexec.
	if _, errMsg := collectOutputs(tmpl, Behaviour{}, false); errMsg == "" {
		t.Error("missing output without default: no error")
	}
}
