package cli_test

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/examples"
)

type Host struct {
	Name dsl.Expr[string] `desc:"host to upgrade"`
}

// hosts is a user's library: a DAG that drains, upgrades and checks a host,
// and a steps template that does two hosts one after the other.
func hosts() *dsl.Library {
	lib := dsl.NewLibrary("hosts")
	wt := lib.WorkflowTemplate("hosts").ServiceAccount("ops")
	step := func(name string) *dsl.ContainerTemplate[Host, dsl.None] {
		t := dsl.Container[Host, dsl.None](wt, name)
		return t.Image("ghcr.io/example/ops:1.0").Command("ops", name).Args("--host", t.In().Name)
	}
	drain, upgrade, check := step("drain"), step("upgrade"), step("check")
	one := dsl.DAG[Host, dsl.None](wt, "one")
	d := dsl.Task(one, "drain", drain, one.In())
	u := dsl.Task(one, "upgrade", upgrade, one.In()).After(d)
	dsl.Task(one, "check", check, one.In()).After(u)
	two := dsl.Steps[dsl.None, dsl.None](wt, "two")
	dsl.Task(two, "first", one, Host{Name: dsl.Lit("a")})
	dsl.Task(two, "second", one, Host{Name: dsl.Lit("b")})
	wt.Entrypoint(two)
	return lib
}

// broken forgets the argument of a call.
func broken() *dsl.Library {
	lib := dsl.NewLibrary("broken")
	wt := lib.WorkflowTemplate("broken")
	t := dsl.Container[Host, dsl.None](wt, "upgrade")
	t.Image("ghcr.io/example/ops:1.0").Args("--host", t.In().Name)
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "upgrade", t, Host{})
	wt.Entrypoint(main)
	return lib
}

var libs = []cli.Library{
	{Name: "hosts", About: "host upgrades", Build: hosts},
	{Name: "broken", About: "a mistake", Build: broken},
	{Name: "check-do", About: "check/do", Build: examples.CheckDo},
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ops": func() { os.Exit(cli.Run(cli.NewIO("ops"), os.Args[1:], libs...)) },
	})
}

// TestScripts runs a user's program built on cli.Main: compile, --check,
// graph, lint and version, with their output and exit codes.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
