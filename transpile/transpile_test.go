package transpile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	_ "github.com/migratekit/migrate/internal/golden"
	"runtime"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"

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

// ambiguous lists strings that a YAML 1.1 reader takes for something else
// when they are written plain, and others it reads as themselves.
var ambiguous = []string{"y", "Y", "n", "N", "yes", "No", "on", "OFF", "~", "1:30", "1_000", "0b101", ".inf",
	"0777", "-", "x", "nope", "2026-12-03", "12e3", "true", "null", "+1"}

// TestMarshalReadsBackWithKubectlsReader: what Marshal writes, read back
// the way kubectl, the argo CLI and the API server read YAML
// (sigs.k8s.io/yaml, YAML 1.1), is the object that was written: strings
// that YAML 1.1 takes for booleans or numbers are quoted, in keys too, and
// a loop item's empty list stays.
func TestMarshalReadsBackWithKubectlsReader(t *testing.T) {
	item := map[string]any{"empty": []string{}, "none": map[string]any{}}
	for _, s := range ambiguous {
		item[s] = s
	}
	raw, err := json.Marshal([]any{item, ambiguous})
	if err != nil {
		t.Fatal(err)
	}
	var items []wfv1.Item
	if err := json.Unmarshal(raw, &items); err != nil {
		t.Fatal(err)
	}
	var args []wfv1.Parameter
	for i, s := range ambiguous {
		args = append(args, wfv1.Parameter{Name: fmt.Sprintf("p%d", i), Value: wfv1.AnyStringPtr(s)})
	}
	wt := &wfv1.WorkflowTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "WorkflowTemplate"},
		ObjectMeta: metav1.ObjectMeta{Name: "yaml11", Labels: map[string]string{"on": "off", "y": "n"}},
		Spec: wfv1.WorkflowSpec{
			Entrypoint: "main",
			Templates: []wfv1.Template{
				{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: []wfv1.DAGTask{
					{Name: "each", Template: "echo", WithItems: items, Arguments: wfv1.Arguments{Parameters: args}},
				}}},
				{Name: "echo", Container: &corev1.Container{Image: "busybox:1.36", Args: ambiguous}},
			},
		},
	}
	out, err := transpile.Marshal(wt)
	if err != nil {
		t.Fatal(err)
	}
	var back wfv1.WorkflowTemplate
	if err := sigsyaml.UnmarshalStrict(out, &back); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want, _ := json.Marshal(wt)
	got, _ := json.Marshal(&back)
	if string(got) != string(want) {
		t.Errorf("read back differs:\n got %s\nwant %s\nYAML:\n%s", got, want, out)
	}
}
