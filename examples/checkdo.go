package examples

import (
	"github.com/migratekit/migrate/blocks"
	"github.com/migratekit/migrate/dsl"
)

// Target names the thing a check/do pair acts on.
type Target struct {
	Name dsl.Expr[string] `desc:"what to bring to the desired state"`
}

// CheckResult is what a check reports.
type CheckResult = blocks.CheckResult

// CheckDo builds the check/do pattern: run check; run do only when check
// says the work is not done; run check again after do and fail when the
// state still does not hold. Running it twice does the work once.
func CheckDo() *dsl.Library {
	lib := dsl.NewLibrary("check-do")
	wt := lib.WorkflowTemplate("check-do").ServiceAccount("migrate")

	check := dsl.Container[Target, CheckResult](wt, "check")
	check.Image(consoleImage).
		Command("console", "check").
		Args("--target", check.In().Name, "--result", "/tmp/outputs/done").
		Outputs(CheckResult{Done: dsl.FromFile[bool]("/tmp/outputs/done")}).
		With(dsl.Retry{Limit: 2, Policy: dsl.RetryOnError})

	do := dsl.Container[Target, dsl.None](wt, "do")
	do.Image(consoleImage).
		Command("console", "do").
		Args("--target", do.In().Name)

	fail := blocks.Fail(wt, "fail", "")
	wt.Entrypoint(blocks.NewStation(wt, "main", blocks.Station[Target]{
		Check: check.Template, Do: do.Template, Fail: fail.Template,
		Reason: func(in Target) dsl.Expr[string] {
			return dsl.Concat(dsl.Lit("do ran but check still fails for "), in.Name)
		},
	}))
	return lib
}
