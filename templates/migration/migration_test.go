package migration_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/templates/migration"
)

const configs = "../../testdata/migration/configs"
const goldenRuns = "../../testdata/migration/golden"

// TestRunsGolden compiles each sample config to its run — the library's
// WorkflowTemplate, the Workflow carrying the plan, the Mermaid picture —
// and compares with the golden set (go test ./... -update rewrites them).
func TestRunsGolden(t *testing.T) {
	entries, err := os.ReadDir(configs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 6 {
		t.Fatalf("%d sample configs, want at least 6", len(entries))
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(configs, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files, run, err := migration.Compile(e.Name(), data)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			dir := filepath.Join(goldenRuns, name)
			// The library's own files are the same for every config:
			// TestLibraryGolden keeps them once.
			library, err := migration.Templates()
			if err != nil {
				t.Fatal(err)
			}
			shared := map[string]bool{}
			for _, f := range library {
				shared[f.Name] = true
			}
			var paths []string
			for _, f := range files {
				if shared[f.Name] {
					continue
				}
				golden.Check(t, filepath.Join(dir, f.Name), f.Data)
				paths = append(paths, f.Name)
			}
			var g bytes.Buffer
			if err := migration.NewGraph(run).Mermaid(&g); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "graph.mmd"), g.Bytes())
			// The golden files themselves pass lint, the Workflow resolved
			// against the WorkflowTemplate next to it.
			if !*golden.Update {
				fsys := fstest.MapFS{}
				for _, p := range append(paths, filepath.Join("..", "..", "..", "golden", "migration", migration.Name+".yaml")) {
					b, err := os.ReadFile(filepath.Join(dir, p))
					if err != nil {
						t.Fatal(err)
					}
					fsys[filepath.Base(p)] = &fstest.MapFile{Data: b}
				}
				for _, p := range lint.Files(fsys, []string{migration.WorkflowFile, migration.Name + ".yaml"}) {
					t.Errorf("%s", p)
				}
			}
		})
	}
}

// TestRunShape checks what the sample configs imply, stage by stage.
func TestRunShape(t *testing.T) {
	for _, c := range []struct {
		config                                    string
		captures, snapshots, migrations, replays  int
		adopted, switching, teardown, manualGates bool
	}{
		{"single.yaml", 1, 1, 1, 1, false, true, true, true},
		{"no-capture.yaml", 0, 1, 2, 0, false, false, false, true},
		{"adopt-snapshot.yaml", 0, 1, 1, 0, true, false, false, true},
		{"three-by-two.yaml", 2, 3, 6, 2, false, false, false, true},
		{"ab-targets.yaml", 1, 1, 2, 2, false, false, false, true},
		{"no-approvals.yaml", 1, 1, 1, 1, false, false, false, false},
	} {
		data, err := os.ReadFile(filepath.Join(configs, c.config))
		if err != nil {
			t.Fatal(err)
		}
		_, run, err := migration.Compile(c.config, data)
		if err != nil {
			t.Fatalf("%s: %v", c.config, err)
		}
		if len(run.Captures) != c.captures || len(run.Snapshots) != c.snapshots || len(run.Migrations) != c.migrations || len(run.Replays) != c.replays {
			t.Errorf("%s: %d captures, %d snapshots, %d migrations, %d replays; want %d, %d, %d, %d", c.config,
				len(run.Captures), len(run.Snapshots), len(run.Migrations), len(run.Replays), c.captures, c.snapshots, c.migrations, c.replays)
		}
		if c.adopted != run.Snapshots[0].Adopt {
			t.Errorf("%s: snapshot adopted = %v", c.config, run.Snapshots[0].Adopt)
		}
		switching := false
		for _, r := range run.Replays {
			switching = switching || r.Runs("traffic-switch")
			if len(r.WaitFor) == 0 {
				t.Errorf("%s: replay %s waits for no migration", c.config, r.ID)
			}
		}
		if tearing := run.Teardown.Runs("teardown-run"); switching != c.switching || tearing != c.teardown {
			t.Errorf("%s: switch %v, teardown %v", c.config, switching, tearing)
		}
		for _, m := range run.Migrations {
			if manualGate := m.Runs("approve-metadata"); manualGate != (c.manualGates && m.Runs("metadata-migrate")) {
				t.Errorf("%s: %s: metadata approval pauses = %v", c.config, m.ID, manualGate)
			}
		}
	}
}

// An invalid config is reported with its position, and nothing is emitted.
func TestCompileRejectsInvalidConfig(t *testing.T) {
	files, _, err := migration.Compile("bad.yaml", []byte("targets: {}\nsources:\n  old:\n    endpoint: ftp://x\n"))
	if err == nil || files != nil {
		t.Fatalf("Compile accepted an invalid config")
	}
	if !strings.Contains(err.Error(), "bad.yaml:") {
		t.Errorf("error does not point into the config: %v", err)
	}
}

// TestLibraryGolden keeps the library's YAML under testdata/golden, with
// the examples, so `migrate compile --check testdata/golden` covers it.
func TestLibraryGolden(t *testing.T) {
	files, err := migration.Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		golden.Check(t, filepath.Join("../../testdata/golden/migration", f.Name), f.Data)
	}
}

// The README draws the graph of single.yaml: it is the golden one.
func TestREADMEGraph(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.ReadFile(filepath.Join(goldenRuns, "single", "graph.mmd"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append([]byte("```mermaid\n"), g...)) {
		t.Error("README.md does not draw testdata/migration/golden/single/graph.mmd: copy it in")
	}
}
