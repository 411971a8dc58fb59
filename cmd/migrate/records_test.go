package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/internal/etcdtest"
	"github.com/migratekit/migrate/memo"
)

func put(t *testing.T, endpoint, key, value string) {
	t.Helper()
	b64 := base64.StdEncoding.EncodeToString
	resp, err := http.Post(endpoint+"/v3/kv/put", "application/json",
		strings.NewReader(fmt.Sprintf(`{"key":%q,"value":%q}`, b64([]byte(key)), b64([]byte(value)))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func migrate(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &cli.IO{Name: "migrate", Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// TestRecordsCommands runs migrate records and migrate gc against a real
// etcd holding records as the memo templates write them.
func TestRecordsCommands(t *testing.T) {
	srv := etcdtest.Start(t)
	sum1, sum2 := memo.ChecksumOf("db1", "10"), memo.ChecksumOf("db2", "10")
	rec := `{"state":%q,"step":"create-snapshot","checksum":%q,"attempt":1,"owner":{"uid":"u1","name":"wf-1"},"workflowCreatedAt":"2026-01-01T00:00:00Z","outputs":{"snapshot":"s1"}}`
	put(t, srv.URL(), "/migrate/memo/snapshot/db1", fmt.Sprintf(rec, "complete", sum1))
	put(t, srv.URL(), "/migrate/memo/snapshot/db2", fmt.Sprintf(rec, "complete", sum2))
	put(t, srv.URL(), "/migrate/memo/snapshot/db3", fmt.Sprintf(rec, "failed", sum2))
	put(t, srv.URL(), "/migrate/memo/snapshot/db4", fmt.Sprintf(rec, "pending", sum2))
	put(t, srv.URL(), "/migrate/memo/junk", "not json")

	code, out, errs := migrate("records", "--endpoint", srv.URL())
	if code != cli.ExitInvalid || !strings.Contains(errs, "record /migrate/memo/junk: not a record") {
		t.Errorf("records: exit %d, stderr %q; want 1 naming the junk key", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "KEY") || !strings.HasPrefix(lines[1], "snapshot/db1  complete  create-snapshot  1") {
		t.Errorf("records output:\n%s", out)
	}
	if code, out, _ = migrate("records", "--endpoint", srv.URL(), "--json", "snapshot/db1"); code != 0 || !strings.Contains(out, `"key":"snapshot/db1"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("records --json snapshot/db1: exit %d:\n%s", code, out)
	}

	keep := filepath.Join(t.TempDir(), "keep")
	os.WriteFile(keep, []byte("snapshot/db1 "+sum1+"\n"), 0o644)
	code, out, _ = migrate("gc", "--endpoint", srv.URL(), "--keep", keep)
	want := "would delete snapshot/db2 (no plan adopts this key)\nwould delete snapshot/db3 (failed)\n2 of 4 records are not adopted by the plan; run with --yes to delete them\n"
	if code != cli.ExitInvalid || out != want {
		t.Errorf("gc dry run: exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}
	if _, out, _ = migrate("records", "--endpoint", srv.URL()); strings.Count(out, "\n") != 5 {
		t.Errorf("the dry run deleted records:\n%s", out)
	}
	code, out, _ = migrate("gc", "--endpoint", srv.URL(), "--keep", keep, "--yes")
	if !strings.Contains(out, "deleted snapshot/db2") || !strings.Contains(out, "deleted 2 of 4 records") {
		t.Errorf("gc --yes: exit %d:\n%s", code, out)
	}
	if _, out, _ = migrate("records", "--endpoint", srv.URL()); strings.Contains(out, "db2") || strings.Contains(out, "db3") || !strings.Contains(out, "db4") {
		t.Errorf("after gc:\n%s", out)
	}
}
