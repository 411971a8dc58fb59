package transpile_test

import (
	"fmt"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/transpile"
)

type item struct {
	ID dsl.Expr[string] `desc:"work item"`
}

type count struct {
	N dsl.Expr[int]
}

// bigDAG is a DAG of n tasks in layers of 10; each task depends on two
// tasks of the layer above and reads an output of one of them.
func bigDAG(n int) *dsl.Library {
	lib := dsl.NewLibrary("big")
	wt := lib.WorkflowTemplate("big")
	step := dsl.Container[item, count](wt, "step")
	step.Image("busybox:1.36").Command("sh", "-c").Args("echo 1 > /tmp/n", step.In().ID).
		Outputs(count{N: dsl.FromFile[int]("/tmp/n")})
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	var prev []*dsl.Call[count]
	var layer []*dsl.Call[count]
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			prev, layer = layer, nil
		}
		args := item{ID: dsl.Lit(fmt.Sprintf("item-%d", i))}
		var c *dsl.Call[count]
		if len(prev) > 0 {
			a, b := prev[i%len(prev)], prev[(i+1)%len(prev)]
			args.ID = dsl.ToString(a.Out().N)
			c = dsl.Task(main, fmt.Sprintf("t%d", i), step, args).
				Depends(dsl.AllOf(a.Succeeded(), b.Succeeded())).
				When(dsl.Gt(a.Out().N, dsl.Lit(0)))
		} else {
			c = dsl.Task(main, fmt.Sprintf("t%d", i), step, args)
		}
		layer = append(layer, c)
	}
	wt.Entrypoint(main)
	return lib
}

// BenchmarkCompile500 builds, validates (Argo's validator and ours) and
// renders a 500-task DAG.
func BenchmarkCompile500(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		built, errs := bigDAG(500).Build()
		if err := errs.Err(); err != nil {
			b.Fatal(err)
		}
		if _, err := transpile.Compile(built); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBigDAGCompiles(t *testing.T) {
	built, errs := bigDAG(60).Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || len(files[0].Data) == 0 {
		t.Fatalf("got %d files", len(files))
	}
}

// BenchmarkBuildRender500 is BenchmarkCompile500 without validation: the
// DSL's own checks, the conversion to Argo objects and the YAML.
func BenchmarkBuildRender500(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		built, errs := bigDAG(500).Build()
		if err := errs.Err(); err != nil {
			b.Fatal(err)
		}
		for _, o := range transpile.Objects(built) {
			if _, err := transpile.Marshal(o); err != nil {
				b.Fatal(err)
			}
		}
	}
}
