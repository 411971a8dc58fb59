package blocks_test

import (
	"fmt"

	"github.com/migratekit/migrate/blocks"
	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/transpile"
)

type Schema struct {
	Database dsl.Expr[string] `desc:"database to migrate"`
}

// printTasks builds lib and prints the tasks of its template name.
func printTasks(lib *dsl.Library, name string) {
	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := transpile.Compile(built); err != nil { // Argo's validator too
		fmt.Println(err)
		return
	}
	for _, t := range built.WorkflowTemplates[0].Templates {
		if t.Name != name {
			continue
		}
		for _, c := range t.DAG {
			fmt.Printf("%s: %s", c.Name, c.Template)
			if c.Depends != "" {
				fmt.Printf(", depends %s", c.Depends)
			}
			if c.When != "" {
				fmt.Printf(", when %s", c.When)
			}
			fmt.Println()
		}
	}
}

// A schema migration as a station: run again, it finds the work done.
func ExampleNewStation() {
	lib := dsl.NewLibrary("schema")
	wt := lib.WorkflowTemplate("schema")
	check := dsl.Container[Schema, blocks.CheckResult](wt, "check")
	check.Image("ghcr.io/example/db:1.0").
		Args("check", check.In().Database).
		Outputs(blocks.CheckResult{Done: dsl.FromFile[bool]("/tmp/done")})
	migrate := dsl.Container[Schema, dsl.None](wt, "migrate")
	migrate.Image("ghcr.io/example/db:1.0").Args("migrate", migrate.In().Database)
	wt.Entrypoint(blocks.NewStation(wt, "main", blocks.Station[Schema]{
		Check: check.Template, Do: migrate.Template, Fail: blocks.Fail(wt, "fail", "").Template,
	}))
	printTasks(lib, "main")
	// Output:
	// check: check
	// do: migrate, depends check, when {{=!(tasks.check.outputs.parameters.done == "true")}}
	// verify: check, depends do.Succeeded
	// not-converged: fail, depends verify.Succeeded, when {{=!(tasks.verify.outputs.parameters.done == "true")}}
}

// An approval gate before the risky step, and an assertion before both.
func ExampleGate() {
	lib := dsl.NewLibrary("drop")
	wt := lib.WorkflowTemplate("drop")
	drop := dsl.Container[Schema, dsl.None](wt, "drop")
	drop.Image("ghcr.io/example/db:1.0").Args("drop", drop.In().Database)
	main := dsl.DAG[Schema, dsl.None](wt, "main")
	in := main.In()
	ok := blocks.Assert(main, "not-production", blocks.Fail(wt, "fail", "").Template,
		dsl.Ne(in.Database, dsl.Lit("production")), dsl.Lit("refusing to drop production"))
	gate := dsl.Task(main, "approve", blocks.Gate[dsl.None](wt, "approval"), dsl.None{}).After(ok)
	dsl.Task(main, "drop", drop, in).After(gate)
	wt.Entrypoint(main)
	printTasks(lib, "main")
	// Output:
	// not-production: fail, when {{=!(inputs.parameters.database != "production")}}
	// approve: approval, depends not-production
	// drop: drop, depends approve
}
