package dsl_test

import (
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/transpile"
)

type plan struct {
	Run map[string][]string `json:"run"`
}

type planArgs struct {
	Plan  dsl.Expr[plan]
	Units dsl.Expr[string]
}

type unitArgs struct {
	ID dsl.Expr[string]
}

// Lookup reads a map at a key known at run time, ListOf builds a loop's
// list, EnvFromConfigMap keeps a value out of Argo's hands, and Done waits
// for a task whatever its result; all render as Argo reads them and pass
// Argo's validator.
func TestLookupListOfEnvFromConfigMapDone(t *testing.T) {
	lib := dsl.NewLibrary("units")
	wt := lib.WorkflowTemplate("units")
	p := dsl.Global[plan](wt, "plan")
	step := dsl.Container[unitArgs, dsl.None](wt, "step")
	step.Image("busybox:1.36").Command("true").
		EnvFromConfigMap("UNIT", dsl.Global[string](wt, "units"), step.In().ID)
	unit := dsl.DAG[unitArgs, dsl.None](wt, "unit")
	id := unit.In().ID
	runs := dsl.In(dsl.Lit("step"), dsl.Lookup(dsl.Get[map[string][]string](p, "run"), id))
	one := dsl.ForEach(unit, "once", step, dsl.FromList(dsl.Cond(runs, dsl.ListOf(id), dsl.ListOf[string]())),
		func(item dsl.Expr[string]) unitArgs { return unitArgs{ID: item} })
	dsl.Task(unit, "after", step, unitArgs{ID: id}).Depends(one.Done())
	main := dsl.DAG[planArgs, dsl.None](wt, "main")
	dsl.Task(main, "unit", unit, unitArgs{ID: dsl.Lit("a")})
	wt.Entrypoint(main)
	built, problems := lib.Build()
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(files[0].Data)
	for _, want := range []string{
		"withParam: '{{=(\"step\" in fromJSON(workflow.parameters.plan).run[inputs.parameters.id]) ? [inputs.parameters.id] : []}}'",
		"depends: once.Succeeded || once.Failed || once.Errored || once.Skipped || once.Omitted",
		"configMapKeyRef:\n                name: '{{workflow.parameters.units}}'\n                key: '{{inputs.parameters.id}}'",
	} {
		if !strings.Contains(yaml, want) {
			t.Errorf("the YAML lacks\n%s\n%s", want, yaml)
		}
	}
}
