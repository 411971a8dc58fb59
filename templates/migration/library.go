package migration

import (
	"github.com/migratekit/migrate/dsl"
)

// Name is the WorkflowTemplate that holds the library; a Workflow of a
// migration references it.
const Name = "migration"

// DefaultConsoleImage is the image of the tool containers unless the
// workflow's console-image argument names another.
const DefaultConsoleImage = "ghcr.io/migratekit/console:0.1.0"

// RunArgs are the workflow's arguments: the units of a Run (written by
// migrate compile --config) and the tool the steps run.
type RunArgs struct {
	Captures       dsl.Expr[[]CaptureUnit]   `desc:"capture proxies to start: JSON written by migrate compile --config"`
	Snapshots      dsl.Expr[[]SnapshotUnit]  `desc:"snapshots to create or adopt: JSON written by migrate compile --config"`
	Migrations     dsl.Expr[[]MigrationUnit] `desc:"snapshot x migration x target units: JSON written by migrate compile --config"`
	Replays        dsl.Expr[[]ReplayUnit]    `desc:"replayers and traffic switches, per target: JSON written by migrate compile --config"`
	Teardown       dsl.Expr[TeardownUnit]    `desc:"what to remove at the end: JSON written by migrate compile --config"`
	ConsoleImage   dsl.Expr[string]          `name:"console-image" desc:"image of the migration console that the steps run" default:"ghcr.io/migratekit/console:0.1.0"`
	ConsoleCommand dsl.Expr[string]          `name:"console-command" desc:"command of the migration console in that image" default:"console"`
}

// UnitArgs is the input of every stage: one work unit as JSON.
type UnitArgs struct {
	Unit dsl.Expr[string] `desc:"the work unit, as JSON"`
}

// Gate is the input of an approval.
type Gate struct {
	Stage dsl.Expr[string] `desc:"the stage that waits for approval"`
	Unit  dsl.Expr[string] `desc:"the work unit the approval is about, as JSON"`
}

// Decision is an approver's answer, given when resuming the workflow
// (argo node set --output-parameter decision=reject, then argo resume);
// resuming without one approves.
type Decision struct {
	Decision dsl.Expr[string] `desc:"approve to go on, reject to stop the workflow" enum:"approve,reject"`
}

// SnapshotResult is what the snapshot stage reports.
type SnapshotResult struct {
	Name dsl.Expr[string] `desc:"name of the snapshot in its repository"`
}

// library builds the WorkflowTemplate.
type library struct {
	wt             *dsl.WorkflowTemplate
	image, command dsl.Expr[string]
	approval       *dsl.StepsTemplate[Gate, dsl.None]
	rollbacks      map[string]*dsl.ContainerTemplate[UnitArgs, dsl.None] // shared by the stages and the rollback entrypoint
}

// shared defines the console step name once and returns it on every call.
func (l *library) shared(name, stage, action string) *dsl.ContainerTemplate[UnitArgs, dsl.None] {
	if t, ok := l.rollbacks[name]; ok {
		return t
	}
	if l.rollbacks == nil {
		l.rollbacks = map[string]*dsl.ContainerTemplate[UnitArgs, dsl.None]{}
	}
	t := console[dsl.None](l, name, stage, action)
	l.rollbacks[name] = t
	return t
}

// Library is the migration workflow library: one WorkflowTemplate whose
// entrypoint runs a whole migration from the arguments a Run renders, and
// whose "rollback" entrypoint undoes what can be undone.
func Library() *dsl.Library {
	lib := dsl.NewLibrary("migration")
	wt := lib.WorkflowTemplate(Name).
		Label("app.kubernetes.io/part-of", "migrate").
		ServiceAccount("migrate").
		PodGC(dsl.PodGCOnPodSuccess)
	l := &library{wt: wt, image: dsl.Global[string](wt, "console-image"), command: dsl.Global[string](wt, "console-command")}
	l.approval = l.approvalTemplate()

	capture := l.captureStage()
	snapshot := l.snapshotStage()
	migrate := l.migrationStage()
	replay := l.replayStage()
	teardown := l.teardownStage()

	main := dsl.DAG[RunArgs, dsl.None](wt, "main")
	in := main.In()
	captures := dsl.ForEach(main, "capture", capture, dsl.FromList(in.Captures), unitOf[CaptureUnit])
	snapshots := dsl.ForEach(main, "snapshot", snapshot, dsl.FromList(in.Snapshots), unitOf[SnapshotUnit]).After(captures)
	migrations := dsl.ForEach(main, "migrate", migrate, dsl.FromList(in.Migrations), unitOf[MigrationUnit]).After(snapshots)
	replays := dsl.ForEach(main, "replay", replay, dsl.FromList(in.Replays), unitOf[ReplayUnit]).After(captures, migrations)
	dsl.Task(main, "teardown", teardown, UnitArgs{Unit: dsl.ToJSON(in.Teardown)}).
		After(replays).
		When(dsl.Get[bool](in.Teardown, "enabled"))

	rollback := dsl.DAG[RunArgs, dsl.None](wt, "rollback")
	rin := rollback.In()
	traffic := dsl.ForEach(rollback, "replay", l.replayRollback(), dsl.FromList(rin.Replays), unitOf[ReplayUnit])
	dsl.ForEach(rollback, "metadata", l.metadataRollback(), dsl.FromList(rin.Migrations), unitOf[MigrationUnit]).
		Depends(dsl.AnyOf(traffic.Succeeded(), traffic.Failed(), traffic.Errored()))

	wt.Entrypoint(main).Export(rollback)
	return lib
}

// unitOf passes a loop item on as the unit's JSON text.
func unitOf[T any](item dsl.Expr[T]) UnitArgs { return UnitArgs{Unit: dsl.ToString(item)} }

// console is a step that runs the migration console: `COMMAND STAGE ACTION`
// with the unit in MIGRATE_UNIT. Exit 0 is success, 1 a failure worth
// retrying, 2 a failure that retrying cannot fix.
func console[O any](l *library, name, stage, action string) *dsl.ContainerTemplate[UnitArgs, O] {
	t := dsl.Container[UnitArgs, O](l.wt, name)
	return t.Image(l.image).
		Command(l.command).
		Args(stage, action).
		Env("MIGRATE_UNIT", t.In().Unit).
		Env("MIGRATE_WORKFLOW", dsl.WorkflowName).
		With(dsl.Retry{
			Limit: 3, Policy: dsl.RetryOnFailure,
			Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "10m"},
			If:      dsl.Ne(dsl.LastRetryExitCode, dsl.Lit(2)),
		})
}

// approvalTemplate pauses until a person resumes the workflow, and fails
// it when the answer is reject.
func (l *library) approvalTemplate() *dsl.StepsTemplate[Gate, dsl.None] {
	wait := dsl.Suspend[Gate, Decision](l.wt, "await-approval").
		Outputs(Decision{Decision: dsl.Supplied[string]()})
	reject := dsl.Container[Gate, dsl.None](l.wt, "rejected")
	reject.Image("busybox:1.36").
		Command("sh", "-c", `echo "$STAGE was rejected by its approver" >&2; exit 1`).
		Env("STAGE", reject.In().Stage)
	gate := dsl.Steps[Gate, dsl.None](l.wt, "approval")
	in := gate.In()
	answer := dsl.Task(gate, "wait", wait, in)
	dsl.Task(gate, "check", reject, in).
		When(dsl.Default(answer.Out().Decision, "approve").Equals("reject"))
	return gate
}

// approve adds an approval of stage to dag, run when the unit's approval
// field says manual.
func approve[U any](l *library, dag dsl.Parent, unit dsl.Expr[string], stage, field string, after ...dsl.AnyCall) *dsl.Call[dsl.None] {
	mode := dsl.Get[string](dsl.FromJSON[U](unit), field)
	return dsl.Task(dag, "approve-"+stage, l.approval, Gate{Stage: dsl.Lit(stage), Unit: unit}).
		After(after...).
		When(mode.Equals(manual))
}

func (l *library) captureStage() *dsl.DAGTemplate[UnitArgs, dsl.None] {
	deploy := console[dsl.None](l, "capture-deploy", "capture", "deploy")
	healthy := console[dsl.None](l, "capture-wait-healthy", "capture", "wait-healthy")
	start := console[dsl.None](l, "capture-start", "capture", "start")
	recording := console[dsl.None](l, "capture-wait-recording", "capture", "wait-recording")

	dag := dsl.DAG[UnitArgs, dsl.None](l.wt, "capture")
	u := dag.In()
	d := dsl.Task(dag, "deploy", deploy, u)
	h := dsl.Task(dag, "wait-healthy", healthy, u).After(d)
	s := dsl.Task(dag, "start", start, u).After(h)
	r := dsl.Task(dag, "wait-recording", recording, u).After(s)
	approve[CaptureUnit](l, dag, u.Unit, "capture", "approval", r)
	return dag
}

func (l *library) snapshotStage() *dsl.DAGTemplate[UnitArgs, SnapshotResult] {
	create := console[SnapshotResult](l, "snapshot-create", "snapshot", "create").
		Outputs(SnapshotResult{Name: dsl.FromFile[string]("/tmp/outputs/snapshot")})
	adopt := console[SnapshotResult](l, "snapshot-adopt", "snapshot", "adopt").
		Outputs(SnapshotResult{Name: dsl.FromFile[string]("/tmp/outputs/snapshot")})

	dag := dsl.DAG[UnitArgs, SnapshotResult](l.wt, "snapshot")
	u := dag.In()
	adopted := dsl.Get[bool](dsl.FromJSON[SnapshotUnit](u.Unit), "adopt")
	c := dsl.Task(dag, "create", create, u).When(dsl.Not(adopted))
	a := dsl.Task(dag, "adopt", adopt, u).When(adopted)
	approve[SnapshotUnit](l, dag, u.Unit, "snapshot", "approval", c, a)
	dag.Outputs(SnapshotResult{Name: dsl.Cond(adopted, dsl.Default(a.Out().Name, ""), dsl.Default(c.Out().Name, ""))})
	return dag
}

// backfillManifest is the Deployment of the backfill workers of a unit.
const backfillManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backfill-%s
  labels:
    app.kubernetes.io/part-of: migrate
    migrate/unit: %s
spec:
  replicas: %s
  selector:
    matchLabels:
      migrate/backfill: %s
  template:
    metadata:
      labels:
        migrate/backfill: %s
    spec:
      serviceAccountName: migrate
      containers:
        - name: worker
          image: %s
          command: [%s, backfill, work]
          env:
            - name: MIGRATE_UNIT
              value: %s
`

// scaleDownManifest stops a unit's backfill workers, keeping the
// Deployment for inspection until teardown.
const scaleDownManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backfill-%s
spec:
  replicas: 0
`

func (l *library) migrationStage() *dsl.DAGTemplate[UnitArgs, dsl.None] {
	evaluate := console[dsl.None](l, "metadata-evaluate", "metadata", "evaluate")
	migrate := console[dsl.None](l, "metadata-migrate", "metadata", "migrate")
	rollback := l.metadataRollback()
	wait := console[dsl.None](l, "backfill-wait", "backfill", "wait")

	deploy := dsl.Resource[UnitArgs, dsl.None](l.wt, "backfill-deploy", "apply")
	din := deploy.In()
	unit := dsl.FromJSON[MigrationUnit](din.Unit)
	id := dsl.Get[string](unit, "id")
	deploy.Manifest(backfillManifest, id, id, dsl.Get[int](unit, "workers"), id, id, l.image, l.command, dsl.ToJSON(din.Unit)).
		OwnedByWorkflow()
	scale := dsl.Resource[UnitArgs, dsl.None](l.wt, "backfill-scale-down", "patch")
	scale.Manifest(scaleDownManifest, dsl.Get[string](dsl.FromJSON[MigrationUnit](scale.In().Unit), "id")).
		MergeStrategy("merge")

	dag := dsl.DAG[UnitArgs, dsl.None](l.wt, "migrate")
	u := dag.In()
	mu := dsl.FromJSON[MigrationUnit](u.Unit)
	metadata := dsl.Get[bool](mu, "metadata")
	backfill := dsl.Get[bool](mu, "backfill")
	ev := dsl.Task(dag, "metadata-evaluate", evaluate, u).When(metadata)
	okMeta := approve[MigrationUnit](l, dag, u.Unit, "metadata", "metadataApproval", ev)
	mm := dsl.Task(dag, "metadata-migrate", migrate, u).After(okMeta).When(metadata)
	bd := dsl.Task(dag, "backfill-deploy", deploy, u).After(mm).When(backfill)
	bw := dsl.Task(dag, "backfill-wait", wait, u).After(bd).When(backfill)
	bs := dsl.Task(dag, "backfill-scale-down", scale, u).
		Depends(dsl.AnyOf(bw.Succeeded(), bw.Skipped(), bw.Failed(), bw.Errored())).
		When(backfill)
	approve[MigrationUnit](l, dag, u.Unit, "backfill", "backfillApproval", bw, bs)
	// A failed backfill leaves the target half-filled: delete what the
	// metadata step created there, so a rerun starts clean.
	dsl.Task(dag, "metadata-rollback", rollback, u).
		Depends(dsl.AnyOf(mm.Failed(), bd.Failed(), bd.Errored(), bw.Failed(), bw.Errored()))
	return dag
}

// The undo steps, shared by the stages (on failure) and the rollback
// entrypoint (on request).
func (l *library) metadataRollback() *dsl.ContainerTemplate[UnitArgs, dsl.None] {
	return l.shared("metadata-rollback", "metadata", "rollback")
}

func (l *library) replayStop() *dsl.ContainerTemplate[UnitArgs, dsl.None] {
	return l.shared("replay-stop", "replay", "stop")
}

func (l *library) trafficBack() *dsl.ContainerTemplate[UnitArgs, dsl.None] {
	return l.shared("traffic-back", "traffic", "back")
}

func (l *library) replayStage() *dsl.DAGTemplate[UnitArgs, dsl.None] {
	start := console[dsl.None](l, "replay-start", "replay", "start")
	caughtUp := console[dsl.None](l, "replay-wait-caught-up", "replay", "wait-caught-up")
	validate := console[dsl.None](l, "validate", "validate", "run")
	switchTraffic := console[dsl.None](l, "traffic-switch", "traffic", "switch")
	upgrade := console[dsl.None](l, "client-upgrade", "clients", "upgrade")
	stop := l.replayStop()
	back := l.trafficBack()

	dag := dsl.DAG[UnitArgs, dsl.None](l.wt, "replay")
	u := dag.In()
	ru := dsl.FromJSON[ReplayUnit](u.Unit)
	switching := dsl.Get[bool](ru, "switch")
	s := dsl.Task(dag, "start", start, u)
	c := dsl.Task(dag, "wait-caught-up", caughtUp, u).After(s)
	v := dsl.Task(dag, "validate", validate, u).After(c)
	ok := approve[ReplayUnit](l, dag, u.Unit, "replay", "approval", v)
	okSwitch := approve[ReplayUnit](l, dag, u.Unit, "traffic-switch", "switchApproval", ok)
	sw := dsl.Task(dag, "traffic-switch", switchTraffic, u).After(okSwitch).When(switching)
	up := dsl.Task(dag, "client-upgrade", upgrade, u).After(sw).When(switching)
	// Undo on failure: the replayer stops taking the target's capacity, and
	// clients go back to the source.
	dsl.Task(dag, "replay-stop", stop, u).
		Depends(dsl.AnyOf(s.Failed(), s.Errored(), c.Failed(), c.Errored(), v.Failed(), v.Errored()))
	dsl.Task(dag, "traffic-back", back, u).
		Depends(dsl.AnyOf(sw.Failed(), sw.Errored(), up.Failed(), up.Errored()))
	return dag
}

// replayRollback undoes a replay unit on request: traffic back, replayer
// stopped.
func (l *library) replayRollback() *dsl.StepsTemplate[UnitArgs, dsl.None] {
	steps := dsl.Steps[UnitArgs, dsl.None](l.wt, "replay-rollback")
	u := steps.In()
	dsl.Task(steps, "traffic-back", l.trafficBack(), u).
		When(dsl.Get[bool](dsl.FromJSON[ReplayUnit](u.Unit), "switch"))
	dsl.Task(steps, "replay-stop", l.replayStop(), u)
	return steps
}

func (l *library) teardownStage() *dsl.DAGTemplate[UnitArgs, dsl.None] {
	delay := dsl.Suspend[UnitArgs, dsl.None](l.wt, "teardown-delay")
	delay.DurationFrom(dsl.Get[string](dsl.FromJSON[TeardownUnit](delay.In().Unit), "delay"))
	remove := console[dsl.None](l, "teardown-run", "teardown", "run")

	dag := dsl.DAG[UnitArgs, dsl.None](l.wt, "teardown")
	u := dag.In()
	d := dsl.Task(dag, "delay", delay, u)
	ok := approve[TeardownUnit](l, dag, u.Unit, "teardown", "approval", d)
	dsl.Task(dag, "remove", remove, u).After(ok)
	return dag
}
