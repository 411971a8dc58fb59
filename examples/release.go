package examples

import (
	"github.com/migratekit/migrate/blocks"
	"github.com/migratekit/migrate/dsl"
)

// ReleaseIn is the input of a release.
type ReleaseIn struct {
	Version  dsl.Expr[string] `desc:"version to release"`
	Replicas dsl.Expr[int]    `desc:"replicas to run" default:"3"`
}

// Release ships a version once a person approves it: assert the request
// is sane, wait at an approval gate, deploy. `argo resume` approves; `argo
// node set --phase Failed --message WHY` on the gate rejects, and nothing
// is deployed. The blocks at work: Assert, Fail and Gate.
func Release() *dsl.Library {
	lib := dsl.NewLibrary("release")
	wt := lib.WorkflowTemplate("release").ServiceAccount("migrate")

	fail := blocks.Fail(wt, "fail", "")
	gate := blocks.Gate[dsl.None](wt, "approval")
	deploy := dsl.Container[ReleaseIn, dsl.None](wt, "deploy")
	deploy.Image(consoleImage).
		Command("console", "deploy").
		Args("--version", deploy.In().Version, "--replicas", deploy.In().Replicas)

	main := dsl.DAG[ReleaseIn, dsl.None](wt, "main")
	in := main.In()
	sane := blocks.Assert(main, "replicas-positive", fail.Template, dsl.Gt(in.Replicas, dsl.Lit(0)),
		dsl.Concat(dsl.Lit("replicas must be positive, got "), dsl.ToString(in.Replicas)))
	approve := dsl.Task(main, "approve", gate, dsl.None{}).After(sane)
	dsl.Task(main, "deploy", deploy, in).After(approve)
	wt.Entrypoint(main)
	return lib
}
