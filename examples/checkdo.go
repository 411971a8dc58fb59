package examples

import "github.com/migratekit/migrate/dsl"

// Target names the thing a check/do pair acts on.
type Target struct {
	Name dsl.Expr[string] `desc:"what to bring to the desired state"`
}

// CheckResult is what a check reports.
type CheckResult struct {
	Done dsl.Expr[bool] `desc:"true when the desired state already holds"`
}

// Failure is the input of a step that fails the workflow on purpose.
type Failure struct {
	Reason dsl.Expr[string] `desc:"why the workflow stops"`
}

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

	fail := dsl.Container[Failure, dsl.None](wt, "fail")
	fail.Image("busybox:1.36").
		Command("sh", "-c", `echo "$REASON" >&2; exit 1`).
		Env("REASON", fail.In().Reason)

	main := dsl.DAG[Target, dsl.None](wt, "main")
	in := main.In()
	first := dsl.Task(main, "check", check, Target{Name: in.Name})
	done := first.Out().Done
	act := dsl.Task(main, "do", do, Target{Name: in.Name}).
		After(first).
		When(dsl.Not(done))
	again := dsl.Task(main, "verify", check, Target{Name: in.Name}).
		Depends(act.Succeeded())
	dsl.Task(main, "not-converged", fail, Failure{
		Reason: dsl.Concat(dsl.Lit("do ran but check still fails for "), in.Name),
	}).
		Depends(again.Succeeded()).
		When(dsl.Not(again.Out().Done))

	wt.Entrypoint(main)
	return lib
}
