package transpile_test

import (
	"errors"
	"fmt"
	_ "github.com/migratekit/migrate/internal/golden"
	"runtime"
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/transpile"
)

func TestMarshalDropsNoiseKeepsMeaning(t *testing.T) {
	lib := dsl.NewLibrary("noise")
	wt := lib.WorkflowTemplate("noise")
	wait := dsl.Suspend[dsl.None, dsl.None](wt, "approve")
	run := dsl.Script[dsl.None, dsl.None](wt, "run")
	run.Image("python:3.12").Command("python3").Source("import sys\nprint('hi')\n")
	main := dsl.Steps[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "approve", wait, dsl.None{})
	dsl.Task(main, "run", run, dsl.None{})
	wt.Entrypoint(main)
	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatal(err)
	}
	y := string(files[0].Data)
	for _, noise := range []string{"creationTimestamp", "null", "resources: {}", "metadata: {}", "status"} {
		if strings.Contains(y, noise) {
			t.Errorf("output contains %q:\n%s", noise, y)
		}
	}
	for _, meaning := range []string{"suspend: {}", "source: |\n", "    print('hi')\n"} {
		if !strings.Contains(y, meaning) {
			t.Errorf("output lacks %q:\n%s", meaning, y)
		}
	}
	if !strings.HasPrefix(y, "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: noise\nspec:\n  entrypoint: main\n") {
		t.Errorf("keys are not in reading order:\n%s", y)
	}
	if i, j := strings.Index(y, "  templates:"), strings.Index(y, "  entrypoint:"); i < j {
		t.Errorf("templates come before the spec's settings")
	}
}

// Argo's validator rejects what the DSL cannot see (here an unparsable
// manifest); the error names the DSL line of the template.
func TestCompileMapsArgoErrorsToDSL(t *testing.T) {
	lib := dsl.NewLibrary("argo")
	wt := lib.WorkflowTemplate("argo")
	bad, line := dsl.Resource[dsl.None, dsl.None](wt, "bad-manifest", "create").Manifest("{ not: [yaml"), thisLine()
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "create", bad, dsl.None{})
	wt.Entrypoint(main)
	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err == nil || files != nil {
		t.Fatalf("Compile accepted a bad manifest")
	}
	var list transpile.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error is %T, want ErrorList", err)
	}
	if want := fmt.Sprintf("transpile/transpile_test.go:%d", line); list[0].Pos.String() != want {
		t.Errorf("error at %s, want the template's DSL line %s: %v", list[0].Pos, want, err)
	}
	if !strings.Contains(list[0].Error(), "WorkflowTemplate/argo") {
		t.Errorf("error does not name the object: %v", list[0])
	}
}

func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}
