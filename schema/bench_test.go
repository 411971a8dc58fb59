package schema

import (
	"fmt"
	"strings"
	"testing"
)

// bigConfig writes a config that names n indices one by one in a snapshot,
// in the metadata and in the backfill of a migration to two targets, with a
// replayer waiting for it.
func bigConfig(n int) []byte {
	var names strings.Builder
	for i := range n {
		fmt.Fprintf(&names, "            - logs-app-%04d\n", i)
	}
	list := names.String()
	indent := func(extra string) string {
		return strings.ReplaceAll(list, "            - ", extra+"            - ")
	}
	return []byte(`targets:
  a:
    endpoint: https://a.example.com
  b:
    endpoint: https://b.example.com
sources:
  old:
    endpoint: https://old.example.com
    version: ES 7.10
    capture: {}
    snapshots:
      snap:
        indices:
          allow:
` + list + `
        migrations:
          - name: all
            metadata:
              indices:
                allow:
` + indent("    ") + `
            backfill:
              workers: 8
              indices:
                allow:
` + indent("    ") + `
replayers:
  a:
    waitFor:
      - {source: old, snapshot: snap, migration: all}
`)
}

// BenchmarkLoad1000Indices measures Load (read, JSON Schema, CEL rules and
// planning) on a config naming 1,000 indices three times. Goal: at most
// 20 ms per op (docs/performance.md).
func BenchmarkLoad1000Indices(b *testing.B) {
	data := bigConfig(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := Load("big.yaml", data); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

// TestLoad1000Indices checks that the benchmark's config is valid (its
// speed is the benchmark's: no timed test).
func TestLoad1000Indices(t *testing.T) {
	data := bigConfig(1000)
	if _, errs := Load("big.yaml", data); len(errs) > 0 {
		t.Fatal(errs)
	}
	// An index outside the snapshot is found among the thousand.
	last := "                - logs-app-0999\n"
	i := strings.LastIndex(string(data), last) + len(last)
	bad := string(data[:i]) + "                - other\n" + string(data[i:])
	_, errs := Load("big.yaml", []byte(bad))
	if len(errs) != 2 || !strings.Contains(errs[0].Msg, `backfill picks "other"`) {
		t.Errorf("got %v", errs)
	}
}
