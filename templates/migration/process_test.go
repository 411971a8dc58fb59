package migration_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/migratekit/migrate/templates/migration"
	"github.com/migratekit/migrate/transpile"
)

func compileFile(t *testing.T, path string) ([]transpile.File, *migration.Run) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files, run, err := migration.Compile(filepath.Base(path), data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return files, run
}

func runs(u migration.Unit) []string {
	var out []string
	for _, s := range u.Steps {
		if s.Run {
			out = append(out, s.Name)
		}
	}
	return out
}

// The decisions of each config shape: which steps run, which gates pause.
func TestDecisions(t *testing.T) {
	_, backfillOnly := compileFile(t, "../../testdata/configs/valid/backfill-only.yaml")
	for _, m := range backfillOnly.Migrations {
		if m.Runs("metadata-migrate") || m.Runs("approve-metadata") || !m.Runs("backfill-deploy") {
			t.Errorf("backfill-only %s runs %v", m.ID, runs(m.Unit))
		}
	}
	_, metadataOnly := compileFile(t, "../../testdata/configs/valid/metadata-only.yaml")
	for _, m := range metadataOnly.Migrations {
		if !m.Runs("metadata-migrate") || m.Runs("backfill-deploy") || m.Runs("backfill-wait") || m.Runs("approve-backfill") {
			t.Errorf("metadata-only %s runs %v", m.ID, runs(m.Unit))
		}
	}
	_, adopt := compileFile(t, "../../testdata/migration/configs/adopt-snapshot.yaml")
	for _, s := range adopt.Snapshots {
		if !s.Runs("snapshot-adopt") || s.Runs("snapshot-create") {
			t.Errorf("adopted snapshot %s runs %v", s.ID, runs(s.Unit))
		}
	}
	if slices.Contains(adopt.Teardown.Snapshots, adopt.Snapshots[0].ID) {
		t.Errorf("teardown deletes the adopted snapshot %s", adopt.Snapshots[0].ID)
	}
	_, none := compileFile(t, "../../testdata/migration/configs/no-approvals.yaml")
	for _, u := range none.Headers() {
		for _, s := range u.Steps {
			if strings.HasPrefix(s.Name, "approve-") && s.Run {
				t.Errorf("no-approvals: %s pauses at %s", u.ID, s.Name)
			}
		}
	}
	_, single := compileFile(t, "../../testdata/migration/configs/single.yaml")
	for _, u := range single.Headers() {
		for _, s := range u.Steps {
			if strings.HasPrefix(s.Name, "approve-") && s.Run != (s.Approval == "manual") {
				t.Errorf("single: %s: gate %s runs %v with approval %q", u.ID, s.Name, s.Run, s.Approval)
			}
		}
	}
	_, ab := compileFile(t, "../../testdata/migration/configs/ab-targets.yaml")
	if len(ab.Targets) != 2 || ab.Targets[0].Lock == ab.Targets[1].Lock {
		t.Fatalf("A/B targets %+v: want two targets with their own locks", ab.Targets)
	}
	for _, tr := range ab.Targets {
		if len(tr.Replays) != 1 || len(tr.Migrations) != 1 || len(tr.Others) != 0 {
			t.Errorf("target %s: %+v, want its replay waiting for its one migration", tr.ID, tr)
		}
		for _, id := range tr.Migrations {
			if !strings.HasSuffix(id, strings.TrimPrefix(tr.ID, "target-")) {
				t.Errorf("target %s waits for another target's migration %s", tr.ID, id)
			}
		}
	}
}

// The library compiles each step's undo, declared once in Processes, into
// the failure path of its unit (run when the step or any later step or
// gate fails or errors, latest undo first) and into the rollback
// entrypoint (when the plan runs the step, latest first).
func TestUndoWiring(t *testing.T) {
	files, err := migration.Templates()
	if err != nil {
		t.Fatal(err)
	}
	var wt wfv1.WorkflowTemplate
	if err := yaml.Unmarshal(files[0].Data, &wt); err != nil {
		t.Fatal(err)
	}
	templates := map[string]wfv1.Template{}
	for _, tm := range wt.Spec.Templates {
		templates[tm.Name] = tm
	}
	// Each kind has two unit templates: KIND (main: no bookkeeping) and
	// KIND-recorded (memoized steps through their wrappers, records
	// forgotten before the first undo).
	for _, variant := range []string{"", "-" + migration.EntrypointRecorded} {
		for kind, steps := range migration.Processes {
			recorded := variant != ""
			unit, ok := templates[kind+variant]
			if !ok || unit.DAG == nil {
				t.Fatalf("no DAG template %s", kind+variant)
			}
			tasks := map[string]wfv1.DAGTask{}
			for _, task := range unit.DAG.Tasks {
				tasks[task.Name] = task
			}
			if _, ok := tasks["forget"]; ok && !recorded {
				t.Errorf("%s forgets records it does not keep", kind)
			}
			var undos []string
			for i, s := range steps {
				if s.Undo == nil {
					continue
				}
				undos = append(undos, s.Undo.Name)
				u, ok := tasks[s.Undo.Name]
				if !ok {
					t.Errorf("%s: no undo task %s for %s", kind, s.Undo.Name, s.Name)
					continue
				}
				// Undos run when asked: a memo wrapper would skip one whose
				// record says it ran before.
				if u.Template != s.Undo.Name {
					t.Errorf("%s: undo %s runs template %s, not its own: undos are not memoized", kind, u.Name, u.Template)
				}
				if d := tasks[s.Name]; recorded && s.Memoized() && d.Template != "memo-"+s.Name {
					t.Errorf("%s: step %s runs template %s, not its memo wrapper", kind+variant, s.Name, d.Template)
				} else if !recorded && d.Template != s.Name {
					t.Errorf("%s: step %s runs template %s, not its own", kind, s.Name, d.Template)
				}
				for _, later := range steps[i:] {
					for _, want := range []string{later.Name + ".Failed", later.Name + ".Errored"} {
						if !strings.Contains(u.Depends, want) {
							t.Errorf("%s: undo %s does not run on %s: depends %q", kind, u.Name, want, u.Depends)
						}
					}
				}
				if !strings.Contains(u.Depends, s.Name+".Succeeded") && i < len(steps)-1 {
					t.Errorf("%s: undo %s runs whether or not %s succeeded: depends %q", kind, u.Name, s.Name, u.Depends)
				}
			}
			// Latest first: each undo waits for the one of the step after it.
			for i := 0; i+1 < len(undos); i++ {
				if !strings.Contains(tasks[undos[i]].Depends, undos[i+1]+".Omitted") {
					t.Errorf("%s: undo %s does not wait for the later undo %s: %q", kind, undos[i], undos[i+1], tasks[undos[i]].Depends)
				}
			}
			if len(undos) == 0 {
				continue
			}
			// The unit's records are forgotten before the first undo runs, so
			// that no later run adopts what is taken back.
			first := tasks[undos[len(undos)-1]]
			if f, ok := tasks["forget"]; recorded && (!ok || f.Template != "memo-forget" || !strings.Contains(first.Depends, "forget.Succeeded")) {
				t.Errorf("%s: the first undo %s does not wait for forget (memo-forget): depends %q", kind, first.Name, first.Depends)
			}
			rb, ok := templates[kind+"-rollback"]
			if !ok || rb.DAG == nil {
				t.Errorf("no rollback template for %s", kind)
				continue
			}
			var got []string
			for _, task := range rb.DAG.Tasks {
				got = append(got, task.Name)
				if task.Name == "forget" {
					continue
				}
				if !strings.Contains(task.When, "run[inputs.parameters.id]") {
					t.Errorf("%s-rollback: %s runs whatever the plan: when %q", kind, task.Name, task.When)
				}
			}
			slices.Reverse(undos)
			undos = append([]string{"forget"}, undos...)
			if !slices.Equal(got, undos) {
				t.Errorf("%s-rollback runs %v, want %v (latest first)", kind, got, undos)
			}
		}
	}
}

// No config string reaches Argo: hostile text in every free-form field of
// testdata/migration/hostile.yaml (the markers, one a line, are in
// hostile-markers.txt) is in the units ConfigMap only, as the
// unit encodes it, and in no file Argo reads (templates, Workflow, RBAC).
func TestNoConfigStringReachesArgo(t *testing.T) {
	files, run := compileFile(t, "../../testdata/migration/hostile.yaml")
	markers, err := os.ReadFile("../../testdata/migration/hostile-markers.txt")
	if err != nil {
		t.Fatal(err)
	}
	hostile := strings.Split(strings.TrimSpace(string(markers)), "\n")
	ids, units, err := run.Units()
	if err != nil {
		t.Fatal(err)
	}
	if len(hostile) < 7 {
		t.Fatalf("%d hostile markers", len(hostile))
	}
	var all strings.Builder
	for _, id := range ids {
		all.Write(units[id])
	}
	for _, h := range hostile {
		if !strings.Contains(all.String(), h) {
			t.Errorf("no unit carries %q: the test config lost it", h)
		}
	}
	for _, f := range files {
		if f.Name == migration.UnitsFile {
			var cm struct{ Data map[string]string }
			if err := yaml.Unmarshal(f.Data, &cm); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if cm.Data[id] != string(units[id]) {
					t.Errorf("%s: unit %s is not as encoded:\n%s\nwant\n%s", f.Name, id, cm.Data[id], units[id])
				}
			}
			continue
		}
		if f.Name == migration.Name+".yaml" {
			continue // the library: the same for every config (TestLibraryGolden)
		}
		for _, h := range hostile {
			if strings.Contains(string(f.Data), h) {
				t.Errorf("%s holds the config's %q, where Argo would read it", f.Name, h)
			}
		}
	}
}
