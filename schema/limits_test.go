package schema

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHostileInput feeds Load files that are not configs, or are built to
// exhaust a parser, and requires a clear error within bounded time and
// memory.
func TestHostileInput(t *testing.T) {
	aliasBomb := "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		aliasBomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 8) + "*" + string(prev) + "]\n"
	}
	nested := func(depth int) string {
		var b strings.Builder
		for i := range depth {
			b.WriteString(strings.Repeat("  ", i) + "a:\n")
		}
		return b.String()
	}
	cases := []struct {
		name string
		data []byte
		want string // the message of the first problem
	}{
		{"empty", nil, "the file is empty"},
		{"blank", []byte("\n  \n\t\n"), "the file is empty"},
		{"binary", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "the file is not text: it has a NUL byte"},
		{"latin-1", []byte("targets:\n  caf\xe9: {}\n"), "the file is not UTF-8 text: byte 0xe9 cannot start a character"},
		{"utf-16", []byte("\xff\xfet\x00a\x00"), "the file is not text: it has a NUL byte"},
		{"50MB", bytes.Repeat([]byte("targets: {}\n"), 50<<20/12), "the file is larger than 512 KiB, the most a config may be"},
		{"deep-flow", []byte(strings.Repeat("[", MaxFileSize)), "not valid YAML or JSON: exceeded max depth of 10000"},
		{"deep-block", []byte(nested(MaxDepth + 10)), "nested more than 32 levels deep"},
		{"alias-bomb", []byte(aliasBomb), "YAML anchors and aliases (&name, *name) are not supported"},
		{"merge-key", []byte("base: &b {endpoint: x}\ntargets:\n  t:\n    <<: *b\n"), "YAML anchors and aliases (&name, *name) are not supported"},
		{"huge-list", []byte("targets: [" + strings.Repeat("1,", MaxFileSize/2-10) + "1]\n"), "expected a mapping, got a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			cfg, errs := Load("hostile.yaml", c.data)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if cfg != nil || len(errs) == 0 {
				t.Fatal("accepted")
			}
			found := false
			for _, e := range errs {
				found = found || e.Msg == c.want
				if !e.Pos.IsValid() || e.Hint == "" {
					t.Errorf("problem without a position or a hint: %v", e)
				}
			}
			if !found {
				t.Errorf("no problem says %q:\n%v", c.want, errs)
			}
			// Generous bounds for a loaded 2-core machine. Measured: every
			// case but huge-list under 10 ms and 6 MiB; huge-list (the
			// largest file accepted, all tiny scalars) about 250 ms and 130 MiB.
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			t.Logf("%v, %d KiB allocated, %d problems", elapsed, (after.TotalAlloc-before.TotalAlloc)>>10, len(errs))
		})
	}
}

// TestOneProblemPerAlias checks that an alias bomb is refused at its
// anchors and aliases, not expanded.
func TestOneProblemPerAlias(t *testing.T) {
	_, errs := Load("c.yaml", []byte("a: &x [1, 2]\nb: [*x, *x, *x]\n"))
	if len(errs) != 4 {
		t.Fatalf("got %d problems, want 4 (one anchor, three aliases):\n%v", len(errs), errs)
	}
	if got := errs[1].Pos.String(); got != "c.yaml:2:5" {
		t.Errorf("second problem at %s, want c.yaml:2:5", got)
	}
}

// TestRuleBudget gives the rules a config whose checks grow with the square
// of its size (thousands of migrations, each waited for by name): they stop
// at a budget with a clear problem instead of running for minutes.
func TestRuleBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("targets: {t: {endpoint: 'https://t'}}\nsources:\n  a:\n    endpoint: https://a\n    version: ES 7.10\n    capture: {}\n    snapshots:\n      s:\n        migrations:\n")
	const n = 4500
	for i := range n {
		fmt.Fprintf(&b, "          - {name: m%d, backfill: {}}\n", i)
	}
	b.WriteString("replayers:\n  t:\n    waitFor:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {source: a, snapshot: s, migration: m%d}\n", i)
	}
	start := time.Now()
	_, errs := Load("big.yaml", []byte(b.String()))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if len(errs) != 1 || errs[0].Msg != msgTooCostly {
		t.Errorf("got %v", errs)
	}
	t.Logf("%d bytes, %v", b.Len(), time.Since(start))
}
