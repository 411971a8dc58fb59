package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/internal/etcdtest"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// withEtcd writes config src with its bookkeeping at endpoint, as a user
// names their etcd.
func withEtcd(t *testing.T, src, endpoint string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(src))
	data = []byte(strings.Replace(string(data), "endpoint: "+schema.DefaultBookkeeping, "endpoint: "+endpoint, 1))
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlanAndGC: the records a finished run of recorded.yaml leaves
// (as the memo wrapper writes them: complete, with the plan's checksum),
// then migrate plan and migrate gc --config of that config and of the
// same config with the backfill's workers changed, against a real etcd.
// The prediction is the one the e2e scenario memo-changed-backfill
// measures on the controller: the unit's backfill steps and the replay
// run again, everything else is adopted.
func TestPlanAndGC(t *testing.T) {
	srv := etcdtest.Start(t)
	first := withEtcd(t, "../../testdata/migration/configs/recorded.yaml", srv.URL())
	changed := withEtcd(t, "../../testdata/migration/resubmit/backfill-workers.yaml", srv.URL())

	// Nothing recorded: every memoized step is new.
	code, out, errs := migrate("plan", "--config", first)
	if code != 0 || !strings.Contains(out, "0 to adopt, 0 to re-run, 13 new, 0 orphaned") {
		t.Fatalf("plan of an empty store: exit %d, stderr %q:\n%s", code, errs, out)
	}

	run, err := loadRun(&cli.IO{Name: "migrate"}, first)
	if err != nil {
		t.Fatal(err)
	}
	rec := `{"state":"complete","step":%q,"checksum":%q,"attempt":1,"owner":{"uid":"u1","name":"migration-recorded-abcde"},"workflowCreatedAt":"2026-01-01T00:00:00Z","outputs":{ } }`
	for key, sum := range run.Keep() {
		put(t, srv.URL(), "/migrate/memo/"+key, fmt.Sprintf(rec, key[strings.LastIndex(key, "/")+1:], sum))
	}
	put(t, srv.URL(), "/migrate/memo/unit/migration-legacy-nightly-old-search/metadata-migrate", fmt.Sprintf(rec, "metadata-migrate", strings.Repeat("a", 64)))

	code, out, _ = migrate("plan", "--config", first)
	if code != 0 || !strings.Contains(out, "13 to adopt, 0 to re-run, 0 new, 1 orphaned") {
		t.Errorf("plan of the same config: exit %d:\n%s", code, out)
	}

	code, out, errs = migrate("plan", "--config", changed, "--output", "json")
	if code != 0 {
		t.Fatalf("plan --output json: exit %d, stderr %q", code, errs)
	}
	var changes []migration.Change
	if err := json.Unmarshal([]byte(out), &changes); err != nil {
		t.Fatalf("plan --output json is not a list of changes: %v\n%s", err, out)
	}
	mig, rep := "migration-legacy-nightly-all-search", "replay-search"
	want := map[string]string{ // unit/step -> action: why (the re-runs and the orphan)
		mig + "/backfill-deploy":                               "re-run: its inputs changed",
		mig + "/backfill-wait":                                 "re-run: after backfill-deploy, which runs again",
		mig + "/backfill-scale-down":                           "re-run: after backfill-wait, which runs again",
		rep + "/replay-start":                                  "re-run: upstream unit " + mig + " runs again",
		rep + "/replay-wait-caught-up":                         "re-run: after replay-start, which runs again",
		rep + "/validate":                                      "re-run: after replay-wait-caught-up, which runs again",
		"migration-legacy-nightly-old-search/metadata-migrate": "orphaned: complete record of workflow migration-recorded-abcde",
	}
	var adopted []string
	for _, c := range changes {
		key := c.Unit + "/" + c.Step
		w, ok := want[key]
		switch {
		case !ok && c.Action == migration.ActionAdopt:
			adopted = append(adopted, key)
		case !ok:
			t.Errorf("%s: %s (%s), want adopt", key, c.Action, c.Why)
		case !strings.HasPrefix(c.Action+": "+c.Why, w):
			t.Errorf("%s: %s: %s, want %s...", key, c.Action, c.Why, w)
		}
		delete(want, key)
	}
	for key := range want {
		t.Errorf("plan says nothing of %s", key)
	}
	wantAdopted := []string{"capture-legacy/capture-deploy", "capture-legacy/capture-start", "capture-legacy/capture-wait-healthy",
		"capture-legacy/capture-wait-recording", "snapshot-legacy-nightly/snapshot-create", mig + "/metadata-evaluate", mig + "/metadata-migrate"}
	slices.Sort(adopted)
	slices.Sort(wantAdopted)
	if !slices.Equal(adopted, wantAdopted) {
		t.Errorf("adopted %v, want %v", adopted, wantAdopted)
	}

	// gc with the changed config: what it would not adopt goes (the six
	// stale records and the orphan); a dry run first.
	code, out, _ = migrate("gc", "--config", changed)
	if code != 0 || !strings.Contains(out, "7 of 14 records are not adopted by the plan") {
		t.Errorf("gc --config (dry run): exit %d:\n%s", code, out)
	}
	code, out, _ = migrate("gc", "--config", changed, "--yes")
	if code != 0 || !strings.Contains(out, "deleted 7 of 14 records") {
		t.Errorf("gc --config --yes: exit %d:\n%s", code, out)
	}
	code, out, _ = migrate("plan", "--config", changed)
	if code != 0 || !strings.Contains(out, "7 to adopt, 0 to re-run, 6 new, 0 orphaned") {
		t.Errorf("plan after gc: exit %d:\n%s", code, out)
	}
	if code, _, errs = migrate("gc", "--config", changed, "--keep", "x"); code != cli.ExitUsage || !strings.Contains(errs, "give one") {
		t.Errorf("gc --config --keep: exit %d, stderr %q", code, errs)
	}
}
