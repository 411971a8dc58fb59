package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/internal/golden"
)

// runIn runs the command line in-process in dir and returns its standard
// output, its standard error and its exit code.
func runIn(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &cli.IO{Name: "migrate", Stdout: &stdout, Stderr: &stderr, ErrorFormat: "text"})
	return stdout.String(), stderr.String(), code
}

// TestHostile runs the hostile corpus, testdata/hostile: configs an
// attacker or a careless user would write, through validate and compile,
// and Argo YAML through lint. Each case's want section is the command's
// output and exit code (go test -update rewrites them; read the diff).
// Whatever the input: no crash, exit 0 or 1 only, and a config that
// validate accepts compiles, one it refuses does not.
func TestHostile(t *testing.T) {
	configs, _ := filepath.Glob("../../testdata/hostile/configs/*.txtar")
	lints, _ := filepath.Glob("../../testdata/hostile/lint/*.txtar")
	if len(configs) < 60 || len(lints) < 10 {
		t.Fatalf("%d hostile configs and %d lint inputs, want at least 60 and 10", len(configs), len(lints))
	}
	for _, c := range append(configs, lints...) {
		abs, err := filepath.Abs(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(c), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Files) != 2 || a.Files[1].Name != "want" {
				t.Fatalf("want two sections, the input then want")
			}
			in := a.Files[0]
			t.Chdir(t.TempDir())
			if err := os.WriteFile(in.Name, in.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			var got string
			if in.Name == "input.yaml" {
				out, _, code := runIn(t, "lint", in.Name)
				got = fmt.Sprintf("%sexit %d\n", out, code)
				if code > 1 {
					t.Errorf("lint exit %d, want 0 or 1", code)
				}
			} else {
				out, _, code := runIn(t, "validate", in.Name)
				got = fmt.Sprintf("%sexit %d\n", out, code)
				cout, cerr, ccode := runIn(t, "compile", "--config", in.Name, "-o", "out")
				switch {
				case code > 1 || ccode > 1:
					t.Errorf("validate exit %d, compile exit %d, want 0 or 1:\n%s%s", code, ccode, cout, cerr)
				case code != ccode:
					t.Errorf("validate exit %d but compile exit %d: validate must find what compile finds:\n%s%s", code, ccode, cout, cerr)
				}
			}
			if *golden.Update {
				a.Files[1].Data = []byte(got)
				if err := os.WriteFile(abs, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := string(a.Files[1].Data); got != want {
				t.Errorf("output differs (go test ./cmd/migrate -update rewrites want):\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
