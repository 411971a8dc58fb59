package scenario

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/e2e/kubelet"
)

// String describes the finders of a match, for messages.
func (m Match) String() string {
	var parts []string
	for _, f := range []struct{ name, value string }{
		{"displayName", m.DisplayName}, {"template", m.Template}, {"unit", m.Unit}, {"path", m.Path},
	} {
		if f.value != "" {
			parts = append(parts, f.name+"="+f.value)
		}
	}
	if len(parts) == 0 {
		return "every node"
	}
	return strings.Join(parts, " ")
}

// find returns the nodes a match's finders select, by path, leaving out
// the attempts of retried steps (their Retry node stands for them).
func (m Match) find(wf *wfv1.Workflow) []wfv1.NodeStatus {
	attempt := map[string]bool{}
	for _, n := range wf.Status.Nodes {
		if n.Type == wfv1.NodeTypeRetry {
			for _, c := range n.Children {
				attempt[c] = true
			}
		}
	}
	var out []wfv1.NodeStatus
	for id, n := range wf.Status.Nodes {
		if attempt[id] || !m.selects(wf.Name, n) {
			continue
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (m Match) selects(workflow string, n wfv1.NodeStatus) bool {
	if m.DisplayName != "" && n.DisplayName != m.DisplayName {
		return false
	}
	if m.Template != "" && n.TemplateName != m.Template {
		return false
	}
	if m.Path != "" {
		if ok, _ := path.Match(m.Path, kubelet.StepPath(workflow, n.Name)); !ok {
			return false
		}
	}
	if m.Unit != "" && UnitID(n) != m.Unit {
		return false
	}
	return true
}

// UnitID is the id of the unit a node works on: its input parameter
// "id", or "unit" when that is a JSON object with an "id".
func UnitID(n wfv1.NodeStatus) string {
	if n.Inputs == nil {
		return ""
	}
	for _, p := range n.Inputs.Parameters {
		if p.Name == "id" && p.Value != nil {
			return p.Value.String()
		}
	}
	for _, p := range n.Inputs.Parameters {
		if p.Name != "unit" || p.Value == nil {
			continue
		}
		var u struct {
			ID string `json:"id"`
		}
		if json.Unmarshal([]byte(p.Value.String()), &u) == nil {
			return u.ID
		}
	}
	return ""
}

func checkMatch(what string, m Match, wf *wfv1.Workflow) []string {
	var problems []string
	found := m.find(wf)
	describe := func() string {
		var s []string
		for _, n := range found {
			s = append(s, kubelet.NodePath(wf.Name, n.Name)+"="+string(n.Phase))
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	switch {
	case m.Count != nil:
		if len(found) != *m.Count {
			problems = append(problems, fmt.Sprintf("%s: %d nodes, want %d: %s", what, len(found), *m.Count, describe()))
		}
	case len(found) == 0 && !m.NotRun:
		problems = append(problems, fmt.Sprintf("%s: no such node", what))
	}
	for _, n := range found {
		if m.NotRun && n.Phase != wfv1.NodeOmitted && n.Phase != wfv1.NodeSkipped {
			problems = append(problems, fmt.Sprintf("%s: %s is %s, want not run (absent, Omitted or Skipped)", what, kubelet.NodePath(wf.Name, n.Name), n.Phase))
		}
		if m.Message != "" && !strings.Contains(n.Message, m.Message) {
			problems = append(problems, fmt.Sprintf("%s: %s says %q, want it to contain %q", what, kubelet.NodePath(wf.Name, n.Name), n.Message, m.Message))
		}
		if m.Phase != "" && string(n.Phase) != m.Phase {
			problems = append(problems, fmt.Sprintf("%s: %s is %s, want %s", what, kubelet.NodePath(wf.Name, n.Name), n.Phase, m.Phase))
		}
	}
	return problems
}

// loopItem is a loop item's segment of a node path: "(1:h2)".
var loopItem = regexp.MustCompile(`\(\d+:[^)]*\)`)

// branch is the subtree a node is in for Order: its path up to its last
// loop item, or "" outside loops. A First pairs with the Thens of its
// branch and of the branches inside it.
func branch(stepPath string) string {
	locs := loopItem.FindAllStringIndex(stepPath, -1)
	if len(locs) == 0 {
		return ""
	}
	return stepPath[:locs[len(locs)-1][1]]
}

// span is when a node ran: the kubelet's times for a pod's node (exact),
// else the node's own (to the second).
func span(r *Result, n wfv1.NodeStatus) (start, end time.Time) {
	p := kubelet.NodePath(r.Workflow.Name, n.Name)
	var runStart, runEnd time.Time
	for _, run := range r.Runs {
		if !run.Agent && (run.Node == p || strings.HasPrefix(run.Node, p+"(")) {
			if runStart.IsZero() || run.Start.Before(runStart) {
				runStart = run.Start
			}
			if run.End.After(runEnd) {
				runEnd = run.End
			}
		}
	}
	if !runStart.IsZero() {
		return runStart, runEnd
	}
	return n.StartedAt.Time, n.FinishedAt.Time
}

func checkOrder(what string, o Order, r *Result) []string {
	wf := r.Workflow
	firsts := map[string][]wfv1.NodeStatus{}
	for _, n := range o.First.find(wf) {
		b := branch(kubelet.StepPath(wf.Name, n.Name))
		firsts[b] = append(firsts[b], n)
	}
	var problems []string
	pairs := 0
	for _, then := range o.Then.find(wf) {
		b := branch(kubelet.StepPath(wf.Name, then.Name))
		tStart, _ := span(r, then)
		for fb, fs := range firsts {
			if !strings.HasPrefix(b, fb) {
				continue
			}
			for _, first := range fs {
				pairs++
				_, fEnd := span(r, first)
				if fEnd.IsZero() || tStart.IsZero() || tStart.Before(fEnd) {
					problems = append(problems, fmt.Sprintf("%s: %s (%s) did not run after %s (%s) had finished",
						what, kubelet.NodePath(wf.Name, then.Name), then.Phase, kubelet.NodePath(wf.Name, first.Name), first.Phase))
				}
			}
		}
	}
	if pairs == 0 {
		problems = append(problems, fmt.Sprintf("%s: no node of %s in the same branch as one of %s", what, o.Then, o.First))
	}
	return problems
}
