package migration_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// fixtures returns every config the repository holds as a test case: the
// valid and invalid schema fixtures, the sample runs, and configs whose run
// is too large for Argo or Linux, generated here.
func fixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, dir := range []string{"../../testdata/configs/valid", configs} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.Join(dir, e.Name())] = data
		}
	}
	cases, err := filepath.Glob("../../testdata/configs/invalid/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		a, err := txtar.ParseFile(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasPrefix(f.Name, "config.") {
				out[c] = f.Data
			}
		}
	}
	for name, data := range oversized() {
		out[name] = data
	}
	return out
}

const oneSource = "sources:\n  old:\n    endpoint: https://old.example.com\n    version: ES 7.10\n"

// oversized are configs that validate against the schema but whose run
// does not fit: too many work items for one workflow parameter, or one
// unit too large for a pod's environment.
func oversized() map[string][]byte {
	var targets strings.Builder
	targets.WriteString("targets:\n")
	for i := range 1500 {
		fmt.Fprintf(&targets, "  t%d:\n    endpoint: https://t%d.example.com\n", i, i)
	}
	manyTargets := targets.String() + oneSource + "    snapshots:\n      full:\n        migrations:\n          - name: all\n            backfill: {}\n"
	var migrations strings.Builder
	migrations.WriteString("targets:\n  new:\n    endpoint: https://new.example.com\n" + oneSource + "    snapshots:\n      full:\n        migrations:\n")
	for i := range 2000 {
		fmt.Fprintf(&migrations, "          - {name: m%d, backfill: {}}\n", i)
	}
	bigUnit := "targets:\n  new:\n    endpoint: https://new.example.com\n" + oneSource +
		"    snapshots:\n      full:\n        migrations:\n          - name: all\n            backfill:\n              transforms: ['" + strings.Repeat("x", 140<<10) + "']\n"
	return map[string][]byte{"1500-targets.yaml": []byte(manyTargets), "2000-migrations.yaml": []byte(migrations.String()), "big-unit.yaml": []byte(bigUnit)}
}

// TestValidateFindsWhatCompileFinds: for every fixture, a config that
// schema.Load accepts either compiles, or Compile reports config problems
// at a position with a hint (exit 1) — never a failure of its own (exit 3).
// The oversized ones must be refused.
func TestValidateFindsWhatCompileFinds(t *testing.T) {
	loaded := 0
	for name, data := range fixtures(t) {
		if _, errs := schema.Load(name, data); len(errs) > 0 {
			continue
		}
		loaded++
		_, _, err := migration.Compile(name, data)
		_, oversized := oversized()[name]
		if err == nil {
			if oversized {
				t.Errorf("%s: compiled, want a size problem", name)
			}
			continue
		}
		var list schema.ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%s: the schema accepts it, but Compile fails without a position: %v", name, err)
			continue
		}
		for _, e := range list {
			if !e.Pos.IsValid() || e.Hint == "" {
				t.Errorf("%s: problem without a position or a hint: %v", name, e)
			}
		}
		if !oversized {
			t.Errorf("%s: a fixture that should compile: %v", name, err)
		}
	}
	if loaded < 25 {
		t.Fatalf("only %d fixtures load; the test covers too little", loaded)
	}
}

// TestUnitBudgetPlaced: a unit too large for an environment string is
// reported at its source's snapshots.
func TestUnitBudgetPlaced(t *testing.T) {
	name := "big-unit.yaml"
	_, _, err := migration.Compile(name, oversized()[name])
	var list schema.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want config problems", err)
	}
	found := false
	for _, e := range list {
		if strings.Contains(e.Msg, "environment") && e.Path == "sources.old.snapshots" && e.Pos.Line == 8 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no unit budget problem at sources.old.snapshots (line 8): %v", list)
	}
}
