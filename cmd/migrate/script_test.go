package main

import (
	"fmt"
	_ "github.com/migratekit/migrate/internal/golden"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/migratekit/migrate/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"migrate": func() { os.Exit(run(os.Args[1:], cli.NewIO("migrate"))) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: the real command,
// its output and its exit code.
func TestScripts(t *testing.T) {
	golden, err := filepath.Abs("../../testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	migrationdata, err := filepath.Abs("../../testdata/migration")
	if err != nil {
		t.Fatal(err)
	}
	lintdata, err := filepath.Abs("../../testdata/lint")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("GOLDEN", golden)
			env.Setenv("LINTDATA", lintdata)
			env.Setenv("MIGRATION", migrationdata)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// status N prog args... runs prog and requires exit code N.
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: status CODE program [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("status: %v", err)
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				if err != nil {
					msg := err.Error()
					i := strings.LastIndex(msg, "exit status ")
					if i < 0 {
						ts.Fatalf("status: %v", err)
					}
					fmt.Sscanf(msg[i:], "exit status %d", &got)
				}
				if (got == want) == neg {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
}
