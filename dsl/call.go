package dsl

import (
	"encoding/json"
	"reflect"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/internal/ir"
)

// DAGTemplate runs tasks as their dependencies allow.
type DAGTemplate[I, O any] struct{ Template[I, O] }

// DAG defines a DAG template named name in wt.
func DAG[I, O any](wt *WorkflowTemplate, name string) *DAGTemplate[I, O] {
	return &DAGTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindDAG)}}
}

// Outputs defines the DAG's outputs from its tasks' outputs.
func (t *DAGTemplate[I, O]) Outputs(o O) *DAGTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *DAGTemplate[I, O]) With(opts ...TemplateOption) *DAGTemplate[I, O] {
	t.d.with(opts)
	return t
}

// StepsTemplate runs groups of steps one group after the other; the steps of
// a group run in parallel.
type StepsTemplate[I, O any] struct{ Template[I, O] }

// Steps defines a steps template named name in wt.
func Steps[I, O any](wt *WorkflowTemplate, name string) *StepsTemplate[I, O] {
	return &StepsTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindSteps)}}
}

// Outputs defines the template's outputs from its steps' outputs.
func (t *StepsTemplate[I, O]) Outputs(o O) *StepsTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *StepsTemplate[I, O]) With(opts ...TemplateOption) *StepsTemplate[I, O] {
	t.d.with(opts)
	return t
}

// Parent is a DAG or steps template that holds calls.
type Parent interface {
	Callable
	parent()
}

func (*DAGTemplate[I, O]) parent()   {}
func (*StepsTemplate[I, O]) parent() {}

// callDef is a DAG task or a step.
type callDef struct {
	name       string
	pos        Pos
	parent     *tmplDef
	callee     *tmplDef
	args       reflect.Value
	group      int // steps: index of the group
	when       node
	whenPos    Pos
	deps       *Dep
	depPos     Pos
	items      []any
	itemsParam node
	itemType   reflect.Type
	loop       bool
	continueOn *wfv1.ContinueOn
	exit       *Invocation
	hooks      []hook
	errs       []*Error
}

// hook is a lifecycle hook: inv runs when cond becomes true.
type hook struct {
	name string
	cond node
	inv  Invocation
	pos  Pos
}

func (c *callDef) misuse(pos Pos, msg string) {
	c.errs = append(c.errs, &Error{Pos: pos, Msg: msg})
}

// scope is the prefix of this call's outputs: tasks or steps.
func (c *callDef) scope() string {
	if c.parent.kind == ir.KindSteps {
		return "steps"
	}
	return "tasks"
}

// Call is a DAG task or step that calls a template with outputs O.
type Call[O any] struct {
	c *callDef
}

// AnyCall is a Call of any output type.
type AnyCall interface {
	callDef() *callDef
}

func (t *Call[O]) callDef() *callDef { return t.c }

// Name is the task's or step's name.
func (t *Call[O]) Name() string { return t.c.name }

// Out returns the callee's outputs as produced by this call, to pass to
// later tasks. A loop's outputs are lists: use them only through the
// callee's aggregate (Build reports Out on a loop).
func (t *Call[O]) Out() O {
	pos := callerPos()
	if t.c.loop {
		t.c.misuse(pos, msgOutOfLoop(t.c.name))
	}
	return fill(reflect.TypeFor[O](), t.c.callee.outFields, func(f paramField) node {
		return &refNode{kind: refTaskOutput, name: f.name, typ: f.typ, call: t.c, pos: pos}
	}).Interface().(O)
}

// Result is the callee's result: the standard output of a container or
// script template, the response body of an HTTP template. Build refuses it
// for other templates, which have none.
func (t *Call[O]) Result() Expr[string] {
	if d := t.c.callee; d != nil {
		switch {
		case d.declared:
			return Expr[string]{n: &misuseNode{msg: msgNoResult(t.c.name, d.name, "the declared template"), pos: callerPos()}}
		case d.kind == ir.KindSuspend || d.kind == ir.KindDAG || d.kind == ir.KindSteps || d.kind == ir.KindResource:
			return Expr[string]{n: &misuseNode{msg: msgNoResult(t.c.name, d.name, "the "+d.kind.String()+" template"), pos: callerPos()}}
		}
	}
	return Expr[string]{n: &refNode{kind: refTaskResult, typ: ir.String, call: t.c, pos: callerPos()}}
}

// When runs the task only when cond is true; otherwise it is Skipped.
func (t *Call[O]) When(cond Expr[bool]) *Call[O] {
	t.c.when, t.c.whenPos = cond.n, callerPos()
	return t
}

// After makes the task wait for the given tasks to succeed (or be skipped).
func (t *Call[O]) After(calls ...AnyCall) *Call[O] {
	deps := make([]Dep, len(calls))
	for i, c := range calls {
		deps[i] = Dep{text: c.callDef().name, calls: []*callDef{c.callDef()}}
	}
	return t.depends(AllOf(deps...), callerPos())
}

// Depends sets the task's dependency expression, e.g.
// dsl.AnyOf(a.Failed(), a.Errored()).
func (t *Call[O]) Depends(d Dep) *Call[O] { return t.depends(d, callerPos()) }

func (t *Call[O]) depends(d Dep, pos Pos) *Call[O] {
	if t.c.parent.kind != ir.KindDAG {
		t.c.misuse(pos, msgDependsInSteps(t.c.name))
		return t
	}
	if t.c.deps != nil {
		combined := AllOf(*t.c.deps, d)
		d = combined
	}
	t.c.deps, t.c.depPos = &d, pos
	return t
}

// ContinueOnFailed lets a steps template go on when this step fails. In a
// DAG, make the tasks that follow depend on Failed() instead (Argo does not
// allow continueOn next to depends).
func (t *Call[O]) ContinueOnFailed() *Call[O] {
	return t.continueOnResult(&wfv1.ContinueOn{Failed: true}, callerPos())
}

// ContinueOnError lets a steps template go on when this step errors.
func (t *Call[O]) ContinueOnError() *Call[O] {
	return t.continueOnResult(&wfv1.ContinueOn{Error: true}, callerPos())
}

func (t *Call[O]) continueOnResult(c *wfv1.ContinueOn, pos Pos) *Call[O] {
	if t.c.parent.kind == ir.KindDAG {
		t.c.misuse(pos, msgContinueOnInDAG(t.c.name))
		return t
	}
	t.c.continueOn = c
	return t
}

// OnExit runs inv when this call ends, whatever its outcome (an exit
// lifecycle hook).
func (t *Call[O]) OnExit(inv Invocation) *Call[O] {
	t.c.exit = &inv
	return t
}

// Hook runs inv once when cond becomes true while this call runs (a
// lifecycle hook named name), e.g. to notify when a task starts:
// call.Hook("started", call.Status().Equals("Running"), dsl.Invoke(...)).
func (t *Call[O]) Hook(name string, cond Expr[bool], inv Invocation) *Call[O] {
	t.c.hooks = append(t.c.hooks, hook{name: name, cond: cond.n, inv: inv, pos: callerPos()})
	return t
}

// Status is this call's phase (Pending, Running, Succeeded, Failed, Error,
// Skipped, Omitted), for hook conditions.
func (t *Call[O]) Status() Expr[string] {
	return Expr[string]{n: &refNode{kind: refTaskStatus, typ: ir.String, call: t.c, pos: callerPos()}}
}

func (t *Call[O]) dep(result string) Dep {
	d := Dep{text: t.c.name + "." + result, calls: []*callDef{t.c}}
	if result == "Succeeded" {
		d.requires = map[*callDef]bool{t.c: true}
	}
	return d
}

// Succeeded is the dependency "this task succeeded".
func (t *Call[O]) Succeeded() Dep { return t.dep("Succeeded") }

// Failed is the dependency "this task failed".
func (t *Call[O]) Failed() Dep { return t.dep("Failed") }

// Errored is the dependency "this task errored".
func (t *Call[O]) Errored() Dep { return t.dep("Errored") }

// Skipped is the dependency "this task was skipped".
func (t *Call[O]) Skipped() Dep { return t.dep("Skipped") }

// Omitted is the dependency "this task did not run because its own
// dependencies ruled it out".
func (t *Call[O]) Omitted() Dep { return t.dep("Omitted") }

// Done is the dependency "this task is over, whatever its result": it
// succeeded, failed, errored, or was skipped or omitted.
func (t *Call[O]) Done() Dep {
	return AnyOf(t.Succeeded(), t.Failed(), t.Errored(), t.Skipped(), t.Omitted())
}

// AnySucceeded is the dependency "at least one item of this loop succeeded".
func (t *Call[O]) AnySucceeded() Dep { return t.dep("AnySucceeded") }

// AllFailed is the dependency "every item of this loop failed".
func (t *Call[O]) AllFailed() Dep { return t.dep("AllFailed") }

// Dep is a dependency expression over task results.
type Dep struct {
	text     string
	calls    []*callDef
	ops      int               // number of top-level operators, for parenthesising
	requires map[*callDef]bool // tasks that must have succeeded for Dep to hold
}

// AllOf holds when all of ds hold.
func AllOf(ds ...Dep) Dep { return joinDeps(" && ", ds) }

// AnyOf holds when any of ds holds.
func AnyOf(ds ...Dep) Dep { return joinDeps(" || ", ds) }

func joinDeps(op string, ds []Dep) Dep {
	if len(ds) == 1 {
		return ds[0]
	}
	var parts []string
	var calls []*callDef
	for _, d := range ds {
		t := d.text
		if d.ops > 0 {
			t = "(" + t + ")"
		}
		parts = append(parts, t)
		calls = append(calls, d.calls...)
	}
	return Dep{text: strings.Join(parts, op), calls: calls, ops: len(ds) - 1, requires: requires(op, ds)}
}

// requires is what a conjunction or disjunction of ds guarantees succeeded:
// the union for &&, the intersection for ||.
func requires(op string, ds []Dep) map[*callDef]bool {
	out := map[*callDef]bool{}
	if strings.TrimSpace(op) == "&&" {
		for _, d := range ds {
			for c := range d.requires {
				out[c] = true
			}
		}
		return out
	}
	for c := range ds[0].requires {
		all := true
		for _, d := range ds[1:] {
			all = all && d.requires[c]
		}
		if all {
			out[c] = true
		}
	}
	return out
}

// Invocation is a template with its arguments, for exit handlers and hooks.
type Invocation struct {
	callee *tmplDef
	args   reflect.Value
	pos    Pos
}

// Invoke pairs a template with its arguments.
func Invoke[I any](t interface {
	Callable
	In() I
}, args I) Invocation {
	return Invocation{callee: t.def(), args: reflect.ValueOf(args), pos: callerPos()}
}

// typed is a template with inputs I and outputs O, whatever its kind.
type typed[I, O any] interface {
	Callable
	In() I
	outputsOf() O
}

func (t Template[I, O]) outputsOf() (o O) { return o }

func addCall[I, O any](p Parent, name string, callee typed[I, O], args I, pos Pos, newGroup bool) *callDef {
	pd := p.def()
	c := &callDef{name: name, pos: pos, parent: pd, callee: callee.def(), args: reflect.ValueOf(args)}
	if pd.kind == ir.KindSteps {
		if newGroup || len(pd.groups) == 0 {
			pd.groups = append(pd.groups, nil)
		}
		c.group = len(pd.groups) - 1
		pd.groups[c.group] = append(pd.groups[c.group], c)
	}
	pd.calls = append(pd.calls, c)
	return c
}

// Task adds a task named name to the DAG d (or a step in a group of its own
// to steps d), calling callee with args.
func Task[I, O any](d Parent, name string, callee typed[I, O], args I) *Call[O] {
	return &Call[O]{addCall(d, name, callee, args, callerPos(), true)}
}

// Parallel adds a step to the last group of steps s, so that it runs in
// parallel with the group's other steps. In a DAG it is the same as Task.
func Parallel[I, O any](s Parent, name string, callee typed[I, O], args I) *Call[O] {
	return &Call[O]{addCall(s, name, callee, args, callerPos(), false)}
}

// Items is the list a loop runs over: literal values or a JSON list
// produced at run time.
type Items[T any] struct {
	values []any
	param  node
}

// Values is a loop over literal items (withItems).
func Values[T any](vs ...T) Items[T] {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return Items[T]{values: out}
}

// FromList is a loop over a JSON list known at run time (withParam), such
// as an earlier task's output.
func FromList[T any](list Expr[[]T]) Items[T] { return Items[T]{param: list.n} }

// ForEach adds a task that calls callee once per item; args builds each
// call's arguments from the item.
func ForEach[T, I, O any](d Parent, name string, callee typed[I, O], items Items[T], args func(item Expr[T]) I) *Call[O] {
	pos := callerPos()
	item := Expr[T]{n: &refNode{kind: refItem, typ: typeOf(reflect.TypeFor[T]()), pos: pos, mapItem: isObject(reflect.TypeFor[T]())}}
	c := addCall(d, name, callee, args(item), pos, true)
	c.loop = true
	c.itemType = reflect.TypeFor[T]()
	c.items = items.values
	c.itemsParam = items.param
	if items.values == nil && items.param == nil {
		c.misuse(pos, msgEmptyItems(name))
	}
	return &Call[O]{c}
}

// isObject reports whether values of t are JSON objects: structs and maps.
func isObject(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct || t.Kind() == reflect.Map
}

func toItems(vs []any) ([]wfv1.Item, error) {
	out := make([]wfv1.Item, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := out[i].UnmarshalJSON(b); err != nil {
			return nil, err
		}
	}
	return out, nil
}
