package memo_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/transpile"
)

const goldenDir = "testdata/golden"

// TestGolden compiles the memoized pipeline (HTTP back-end, credentials
// from a Secret) and compares it with the golden YAML; the golden file
// must pass the linter as a file, the way a user's CI reads it.
func TestGolden(t *testing.T) {
	built, errs := library("https://etcd.migrate.svc:2379", 0, etcdgw.Config{AuthSecret: "etcd-auth", AuthKey: "token"}).Build()
	if len(errs) > 0 {
		t.Fatalf("Build reported problems:\n%v", errs)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	for _, f := range files {
		golden.Check(t, filepath.Join(goldenDir, f.Name), f.Data)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Name)
	}
	for _, p := range lint.Files(os.DirFS(goldenDir), paths) {
		t.Errorf("%s", p)
	}
}

// TestNoPod: with the HTTP back-end every bookkeeping template is an HTTP
// template, run by the workflow's agent: the only pods are the steps'.
func TestNoPod(t *testing.T) {
	built, errs := library("https://etcd:2379", 0, etcdgw.Config{}).Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	steps := map[string]bool{"create-snapshot": true, "restore-snapshot": true, "create-index": true}
	for _, tm := range built.WorkflowTemplates[0].Templates {
		podKind := tm.Kind == ir.KindContainer || tm.Kind == ir.KindScript || tm.Kind == ir.KindResource
		if podKind && !steps[tm.Name] {
			t.Errorf("bookkeeping template %s is a %s template: it would cost a pod", tm.Name, tm.Kind)
		}
	}
}
