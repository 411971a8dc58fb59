package dsl

import (
	"strings"
	"testing"

	"github.com/migratekit/migrate/internal/ir"
)

// The checker rejects what a rendering mistake would emit; these are the
// expressions a hand-edit or a renderer bug could produce.
func TestCheckerCatchesBrokenExpressions(t *testing.T) {
	lib := NewLibrary("c")
	wt := lib.WorkflowTemplate("c")
	type in struct{ Host Expr[string] }
	type out struct{ Done Expr[bool] }
	probe := Container[in, out](wt, "probe")
	dag := DAG[in, None](wt, "main")
	first := Task(dag, "first", probe, in{Host: Lit("a")})
	second := Task(dag, "second", probe, in{Host: Lit("b")}).After(first)
	wt.Entrypoint(dag)
	b := &builder{lib: lib, wt: &ir.WorkflowTemplate{}}
	above := map[*callDef]bool{first.c: true}
	s := scope{tmpl: dag.d, call: second.c, above: above, field: "when"}
	for _, c := range []struct{ text, want string }{
		{`{{=tasks.first.outputs.parameters.done == "true"}}`, ""},
		{`{{=tasks['first'].outputs.parameters['done'] == "true"}}`, ""},
		{`{{=inputs.parameters.host + "x" == "ax"}}`, ""},
		{`{{=input.parameters.host == "a"}}`, "unknown name input"},
		{`{{=tasks.first.outputs.parameters.dnoe == "true"}}`, "tasks.first.outputs.parameters.dnoe is not a variable in reach here"},
		{`{{=tasks.second.outputs.result == ""}}`, "tasks.second.outputs.result is not a variable in reach here"},
		{`{{=inputs.parameters.hots}}`, "inputs.parameters.hots is not a variable in reach here"},
		{`{{=workflow.parameters.nope == ""}}`, "workflow.parameters.nope is not a variable in reach here"},
		{`{{=asInt(inputs.parameters.host) > }}`, "does not compile"},
		{`{{=sprig.b64enc(inputs.parameters.host)}}`, ""},
		{`{{=nosuchfunc(inputs.parameters.host)}}`, "unknown name nosuchfunc"},
		{`{{=1 + "a"}}`, "invalid operation"},
	} {
		b.errs = nil
		b.checkSite(s, c.text, ir.Bool)
		got := b.errs.Error()
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.text, got, c.want)
		}
	}
}

// TestBuildRunsTheChecker: Build sends every expression it renders through
// the checker, so an expression a renderer bug would emit is reported at
// the DSL line of its use. (The nodes here are ones no exported function
// builds: a renderer bug, simulated.)
func TestBuildRunsTheChecker(t *testing.T) {
	lib := NewLibrary("wired")
	wt := lib.WorkflowTemplate("wired")
	type in struct{ Host Expr[string] }
	probe := Container[in, None](wt, "probe").Image("busybox:1.36")
	dag := DAG[in, None](wt, "main")
	broken := Expr[string]{n: &opNode{op: "call", fn: "nosuchfunc", args: []node{dag.In().Host.n}, typ: ir.String}}
	Task(dag, "a", probe, in{Host: broken})
	unknown := Expr[bool]{n: &opNode{op: "==", args: []node{
		&refNode{kind: refVar, name: "workflow.nope", typ: ir.String}, &litNode{v: "x", typ: ir.String}}, typ: ir.Bool}}
	Task(dag, "b", probe, in{Host: Lit("b")}).When(unknown)
	wt.Entrypoint(dag)
	_, errs := lib.Build()
	got := errs.Error()
	for _, want := range []string{
		"dsl/check_test.go:59: arguments.host: expression nosuchfunc(inputs.parameters.host) does not compile in Argo's environment: unknown name nosuchfunc",
		"dsl/check_test.go:62: when: workflow.nope is not a variable in reach here",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Build did not report %q; got:\n%s", want, got)
		}
	}
}
