package migration_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/templates/migration"
	"github.com/migratekit/migrate/transpile"
	"sigs.k8s.io/yaml"
)

// libraryObjects builds the library's objects.
func libraryObjects(t *testing.T) []lint.Object {
	t.Helper()
	built, errs := migration.Library().Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	var objs []lint.Object
	for _, o := range transpile.Objects(built) {
		objs = append(objs, o)
	}
	return objs
}

// TestLibraryVerified is where verified.sum comes from: Argo's validator
// (and migrate's checks) pass every object of the library in full, and
// the file holds exactly their digests. A library changed without
// -update fails here, and Compile, finding no digest, validates in full.
func TestLibraryVerified(t *testing.T) {
	objs := libraryObjects(t)
	for _, p := range lint.Objects(objs) {
		if !p.Warning {
			t.Fatalf("the library does not pass: %s", p)
		}
	}
	var lines []string
	for _, o := range objs {
		d := lint.Digest(o)
		if d == "" {
			t.Fatalf("no digest for %T", o)
		}
		lines = append(lines, d)
	}
	sort.Strings(lines)
	golden.Check(t, "verified.sum", []byte(strings.Join(lines, "\n")+"\n"))
	if *golden.Update {
		return
	}
	got := migration.Verified()
	if len(got) != len(lines) {
		t.Fatalf("Verified() has %d digests, want %d", len(got), len(lines))
	}
	for _, d := range lines {
		if !got[d] {
			t.Errorf("Verified() lacks %s", d)
		}
	}
}

// TestInterfaceVerdicts compares, for every test config's Workflow and for
// Workflows broken where a user or a bad compile could break them, Argo's
// verdict against the verified library's interface (what Compile runs)
// with its verdict against the library in full (compile --strict): the
// same problems, at the same places.
func TestInterfaceVerdicts(t *testing.T) {
	lib := libraryObjects(t)
	verified := migration.Verified()
	for _, o := range lib {
		if !verified[lint.Digest(o)] {
			t.Fatal("the library is not verified: run go test -update (TestLibraryVerified)")
		}
	}
	entries, err := os.ReadDir(configs)
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name string
		wf   *wfv1.Workflow
	}
	var cases []tc
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(configs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		wf := compiledWorkflow(t, e.Name(), data)
		cases = append(cases, tc{e.Name(), wf})
		if e.Name() != "single.yaml" {
			continue
		}
		// Broken copies, each in one way Argo judges the Workflow itself.
		broken := map[string]func(w *wfv1.Workflow){
			"unknown entrypoint":  func(w *wfv1.Workflow) { w.Spec.Entrypoint = "nope" },
			"rollback entrypoint": func(w *wfv1.Workflow) { w.Spec.Entrypoint = "rollback" },
			"recorded entrypoint": func(w *wfv1.Workflow) { w.Spec.Entrypoint = "recorded" },
			"no arguments":        func(w *wfv1.Workflow) { w.Spec.Arguments.Parameters = nil },
			"argument without value": func(w *wfv1.Workflow) {
				w.Spec.Arguments.Parameters[0].Value = nil
			},
			"unnamed argument": func(w *wfv1.Workflow) {
				w.Spec.Arguments.Parameters = append(w.Spec.Arguments.Parameters, wfv1.Parameter{Value: wfv1.AnyStringPtr("x")})
			},
			"argument outside its enum": func(w *wfv1.Workflow) {
				w.Spec.Arguments.Parameters = append(w.Spec.Arguments.Parameters,
					wfv1.Parameter{Name: "e", Value: wfv1.AnyStringPtr("c"), Enum: []wfv1.AnyString{"a", "b"}})
			},
			"unknown template ref": func(w *wfv1.Workflow) { w.Spec.WorkflowTemplateRef.Name = "other" },
			"templates beside the ref": func(w *wfv1.Workflow) {
				w.Spec.Templates = []wfv1.Template{{Name: "x", Suspend: &wfv1.SuspendTemplate{}}}
			},
			"exit handler":       func(w *wfv1.Workflow) { w.Spec.OnExit = "nope" },
			"known exit handler": func(w *wfv1.Workflow) { w.Spec.OnExit = "main" },
			"long name":          func(w *wfv1.Workflow) { w.Name = strings.Repeat("n", 64) },
			"bad podGC":          func(w *wfv1.Workflow) { w.Spec.PodGC = &wfv1.PodGC{Strategy: "Sometimes"} },
			"hook without expression": func(w *wfv1.Workflow) {
				w.Spec.Hooks = wfv1.LifecycleHooks{"h": {Template: "main"}}
			},
			"hook to unknown template": func(w *wfv1.Workflow) {
				w.Spec.Hooks = wfv1.LifecycleHooks{"exit": {Template: "nope"}}
			},
		}
		names := make([]string, 0, len(broken))
		for n := range broken {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			w := wf.DeepCopy()
			broken[n](w)
			cases = append(cases, tc{"single.yaml, " + n, w})
		}
	}
	failing := 0
	for _, c := range cases {
		fast := lint.ObjectsWith([]lint.Object{c.wf}, lint.Options{Verified: verified, Context: lib})
		full := lint.ObjectsWith([]lint.Object{c.wf}, lint.Options{Context: lib})
		if fast.Err() != nil {
			failing++
		}
		if f, g := problemText(fast), problemText(full); f != g {
			t.Errorf("%s: against the interface:\n%s\nin full:\n%s", c.name, f, g)
		}
	}
	// The broken copies must be caught, or the comparison proves nothing.
	if failing < 10 {
		t.Errorf("only %d of %d cases have problems", failing, len(cases))
	}
}

func problemText(ps lint.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// compiledWorkflow is the Workflow compile writes for the config.
func compiledWorkflow(t *testing.T, name string, data []byte) *wfv1.Workflow {
	t.Helper()
	files, _, err := migration.Compile(name, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, f := range files {
		if f.Name == migration.WorkflowFile {
			var wf wfv1.Workflow
			if err := yaml.UnmarshalStrict(f.Data, &wf); err != nil {
				t.Fatal(err)
			}
			return &wf
		}
	}
	t.Fatalf("%s: no %s", name, migration.WorkflowFile)
	return nil
}
