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
