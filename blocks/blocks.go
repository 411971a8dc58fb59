// Package blocks holds the building blocks every process written with the
// DSL needs: an approval gate, a step that fails with a reason and the
// assertion built on it, and the check/do/check station that makes a step
// safe to run again.
package blocks

import (
	"github.com/migratekit/migrate/dsl"
)

// Gate defines the approval gate name in wt: a suspend template, no pod.
// An operator approves with `argo resume WORKFLOW` (every waiting gate) or
// `argo resume WORKFLOW --node-field-selector displayName=NODE` (one), and
// rejects with `argo node set WORKFLOW --phase Failed --message WHY
// --node-field-selector displayName=NODE`: the gate's node fails with the
// reason, and the workflow takes its failure path (a DAG's tasks that
// depend on the gate do not run).
//
// A gate has no output on purpose: Argo 3.7 and 4.0 leave a supplied
// output unset when a resume names its node, and then fail the workflow
// (a nil dereference in the controller) once a loop's such node is read.
// Reject by failing the node instead of answering in an output.
func Gate[I any](wt *dsl.WorkflowTemplate, name string) *dsl.SuspendTemplate[I, dsl.None] {
	return dsl.Suspend[I, dsl.None](wt, name)
}

// Failure is the input of a Fail template.
type Failure struct {
	Reason dsl.Expr[string] `desc:"why the workflow stops"`
}

// Fail defines the container template name in wt that fails at once,
// printing its Reason on the standard error (which Argo shows as the
// node's message source in the pod's log). image needs sh; "" means
// busybox.
func Fail(wt *dsl.WorkflowTemplate, name, image string) *dsl.ContainerTemplate[Failure, dsl.None] {
	if image == "" {
		image = "busybox:1.36"
	}
	t := dsl.Container[Failure, dsl.None](wt, name)
	return t.Image(image).
		Command("sh", "-c", `echo "$REASON" >&2; exit 1`).
		Env("REASON", t.In().Reason)
}

// Assert adds the task name to the DAG or steps parent: it runs fail with
// reason when cond is false, failing the parent, and is skipped when cond
// holds. Chain After or Depends on the returned call to say when the
// assertion is made.
func Assert(parent dsl.Parent, name string, fail dsl.Template[Failure, dsl.None], cond dsl.Expr[bool], reason dsl.Expr[string]) *dsl.Call[dsl.None] {
	return dsl.Task(parent, name, fail, Failure{Reason: reason}).When(dsl.Not(cond))
}

// CheckResult is what a station's check reports.
type CheckResult struct {
	Done dsl.Expr[bool] `desc:"true when the desired state already holds"`
}

// Station says what a check/do station is made of.
type Station[I any] struct {
	// Check reports whether the desired state holds. It must change
	// nothing: it runs before and after Do.
	Check dsl.Template[I, CheckResult]
	// Do brings the desired state about. It runs only when Check says it
	// does not hold; wrap it with memo.Wrap to adopt an earlier run's
	// result instead.
	Do dsl.Template[I, dsl.None]
	// Fail fails the station when Check still says "not done" after Do.
	Fail dsl.Template[Failure, dsl.None]
	// Reason is the failure's message; default "do ran but check still
	// fails".
	Reason func(in I) dsl.Expr[string]
}

// NewStation defines the DAG name in wt: check; do, only when check says
// not done; check again ("verify") after do; and fail ("not-converged")
// when the state still does not hold, so that a do that exits 0 without
// doing its work is caught. Running the station twice does the work once:
// the second run's check finds it done.
func NewStation[I any](wt *dsl.WorkflowTemplate, name string, s Station[I]) *dsl.DAGTemplate[I, dsl.None] {
	d := dsl.DAG[I, dsl.None](wt, name)
	in := d.In()
	first := dsl.Task(d, "check", s.Check, in)
	act := dsl.Task(d, "do", s.Do, in).
		After(first).
		When(dsl.Not(first.Out().Done))
	again := dsl.Task(d, "verify", s.Check, in).
		Depends(act.Succeeded())
	reason := dsl.Lit("do ran but check still fails")
	if s.Reason != nil {
		reason = s.Reason(in)
	}
	Assert(d, "not-converged", s.Fail, again.Out().Done, reason).
		Depends(again.Succeeded())
	return d
}
