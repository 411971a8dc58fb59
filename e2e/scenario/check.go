package scenario

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/migratekit/migrate/e2e/kubelet"
)

// Absent is the phase Want.Nodes gives a node that must not exist.
const Absent = "absent"

// Check compares a completed workflow's result with what is wanted and
// returns every difference. Objects and Etcd are checked by Env, which
// reaches the cluster.
func Check(w *Want, r *Result) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if got := string(r.Workflow.Status.Phase); got != w.Phase {
		add("workflow phase %s, want %s (%s)", got, w.Phase, r.Workflow.Status.Message)
	}
	phases := map[string]string{}
	for _, n := range r.Workflow.Status.Nodes {
		phases[kubelet.NodePath(r.Workflow.Name, n.Name)] = string(n.Phase)
	}
	for _, p := range sortedKeys(w.Nodes) {
		got, ok := phases[p]
		if !ok {
			got = Absent
		}
		if got != w.Nodes[p] {
			add("node %s: %s, want %s", p, got, w.Nodes[p])
		}
	}
	for i, m := range w.Match {
		problems = append(problems, checkMatch(fmt.Sprintf("match[%d] (%s)", i, m), m, r.Workflow)...)
	}
	for i, o := range w.Order {
		problems = append(problems, checkOrder(fmt.Sprintf("order[%d]", i), o, r)...)
	}
	if w.Pods != nil && len(r.Pods) != *w.Pods {
		add("%d pods created, want %d", len(r.Pods), *w.Pods)
	}
	var work []kubelet.Run
	agents := 0
	for _, run := range r.Runs {
		if run.Agent {
			agents++
		} else {
			work = append(work, run)
		}
	}
	if w.WorkPods != nil && len(work) != *w.WorkPods {
		add("%d work pods ran, want %d: ran %s", len(work), *w.WorkPods, steps(work))
	}
	if w.AgentPods != nil && agents != *w.AgentPods {
		add("%d agent pods ran, want %d", agents, *w.AgentPods)
	}
	if w.Runs != nil {
		problems = append(problems, checkRuns(w.Runs, work)...)
	}
	if w.MaxParallel > 0 {
		if got := maxParallel(work); got != w.MaxParallel {
			add("at most %d pods ran at once, want %d", got, w.MaxParallel)
		}
	}
	return problems
}

// checkRuns matches runs, by start time, against groups of step paths.
func checkRuns(groups []Group, runs []kubelet.Run) []string {
	var problems []string
	total := 0
	for _, g := range groups {
		total += len(g)
	}
	if total != len(runs) {
		problems = append(problems, fmt.Sprintf("%d pods ran, want %d: ran %s", len(runs), total, steps(runs)))
		return problems
	}
	i := 0
	var prevEnd time.Time // latest end of the groups before
	for gi, g := range groups {
		chunk := runs[i : i+len(g)]
		i += len(g)
		got := steps(chunk)
		want := append([]string(nil), g...)
		sort.Strings(want)
		if strings.Join(sortedSteps(chunk), " ") != strings.Join(want, " ") {
			problems = append(problems, fmt.Sprintf("runs group %d: ran %s, want %s (all runs: %s)", gi+1, got, strings.Join(g, " "), steps(runs)))
			continue
		}
		var end time.Time
		for _, r := range chunk {
			if r.Start.Before(prevEnd) {
				problems = append(problems, fmt.Sprintf("%s started before the runs of the groups before it had ended", r.Step))
			}
			if r.End.IsZero() {
				problems = append(problems, fmt.Sprintf("%s never ended", r.Step))
			}
			if r.End.After(end) {
				end = r.End
			}
		}
		prevEnd = end
	}
	return problems
}

// maxParallel is the most runs that were running at the same time.
func maxParallel(runs []kubelet.Run) int {
	type event struct {
		at    time.Time
		delta int
	}
	var events []event
	for _, r := range runs {
		end := r.End
		if end.IsZero() {
			end = time.Now()
		}
		events = append(events, event{r.Start, 1}, event{end, -1})
	}
	// Ends sort before starts at the same instant: back to back is not parallel.
	sort.Slice(events, func(i, j int) bool {
		if events[i].at.Equal(events[j].at) {
			return events[i].delta < events[j].delta
		}
		return events[i].at.Before(events[j].at)
	})
	n, peak := 0, 0
	for _, e := range events {
		n += e.delta
		peak = max(peak, n)
	}
	return peak
}

func steps(runs []kubelet.Run) string {
	var s []string
	for _, r := range runs {
		s = append(s, r.Step)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func sortedSteps(runs []kubelet.Run) []string {
	var s []string
	for _, r := range runs {
		s = append(s, r.Step)
	}
	sort.Strings(s)
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
