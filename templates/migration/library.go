package migration

import (
	"github.com/migratekit/migrate/blocks"
	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/memo"
)

// Name is the WorkflowTemplate that holds the library; a Workflow of a
// migration references it.
const Name = "migration"

// Entrypoints of the library: EntrypointMain runs a migration whose config
// has no bookkeeping, EntrypointRecorded one whose config has (every pod
// step memoized in its bookkeeping etcd); the Workflow compile writes
// names the one its config needs. "rollback" undoes a run.
const (
	EntrypointMain     = "main"
	EntrypointRecorded = "recorded"
)

// DefaultConsoleImage is the image of the tool containers unless the
// workflow's console-image argument names another.
const DefaultConsoleImage = "ghcr.io/migratekit/console:0.1.0"

// ServiceAccount runs every pod of the library; compile --config writes
// its Role (see RBAC).
const ServiceAccount = "migrate"

// RunArgs are the workflow's arguments: what Argo reads of a run (written
// by migrate compile --config), the ConfigMap holding its units, and the
// tool the steps run.
type RunArgs struct {
	Plan           dsl.Expr[Decisions] `desc:"which units run which steps: JSON written by migrate compile --config (ids, step names and durations only)"`
	Units          dsl.Expr[string]    `desc:"ConfigMap holding the run's units by id, written by migrate compile --config; a step reads its unit from it"`
	ConsoleImage   dsl.Expr[string]    `name:"console-image" desc:"image of the migration console that the steps run" default:"ghcr.io/migratekit/console:0.1.0"`
	ConsoleCommand dsl.Expr[string]    `name:"console-command" desc:"command of the migration console in that image" default:"console"`
}

// UnitID is the input of every unit's template and step: the unit's id,
// the key of its JSON in the units ConfigMap. (No description: Argo copies
// inputs into every node's status, and the status must stay small.)
type UnitID struct {
	ID dsl.Expr[string]
}

// TargetArgs is the input of a target's template: its id, and the mutex
// of its cluster, held while this run acts on it.
type TargetArgs struct {
	ID   dsl.Expr[string]
	Lock dsl.Expr[string]
}

// library builds the WorkflowTemplate.
type library struct {
	wt                    *dsl.WorkflowTemplate
	plan                  dsl.Expr[Decisions]
	units, image, command dsl.Expr[string]
	steps                 map[string]dsl.Template[UnitID, dsl.None] // by template name: each step (and memo wrapper) defined once, shared by units and rollback
	gate                  *dsl.SuspendTemplate[UnitID, dsl.None]
	records               *etcdgw.Gateway // the bookkeeping etcd named by the plan
}

// stepTemplate calls one step's template from a unit's DAG.
type stepTemplate func(dag dsl.Parent, name string, args UnitID) *dsl.Call[dsl.None]

// Library is the migration workflow library: one WorkflowTemplate whose
// entrypoint runs a whole migration from the arguments a Run renders, and
// whose "rollback" entrypoint undoes what can be undone.
func Library() *dsl.Library {
	lib := dsl.NewLibrary("migration")
	wt := lib.WorkflowTemplate(Name).
		Label("app.kubernetes.io/part-of", "migrate").
		ServiceAccount(ServiceAccount).
		PodGC(dsl.PodGCOnPodSuccess)
	l := &library{
		wt: wt, plan: dsl.Global[Decisions](wt, "plan"), units: dsl.Global[string](wt, "units"),
		image: dsl.Global[string](wt, "console-image"), command: dsl.Global[string](wt, "console-command"),
		steps: map[string]dsl.Template[UnitID, dsl.None]{},
	}
	l.records = etcdgw.New(wt, etcdgw.Config{Endpoint: dsl.Get[string](l.plan, "bookkeeping")})
	// A gate: argo resume approves it (all pending gates, or the one
	// --node-field-selector names); argo node set --phase Failed rejects
	// it (see blocks.Gate).
	l.gate = blocks.Gate[UnitID](wt, "approval")
	units := map[string]*dsl.DAGTemplate[UnitID, dsl.None]{}
	recorded := map[string]*dsl.DAGTemplate[UnitID, dsl.None]{}
	undos := map[string]*dsl.DAGTemplate[UnitID, dsl.None]{}
	for _, kind := range processKinds {
		units[kind] = l.unit(kind, false)
		recorded[kind] = l.unit(kind, true)
		if undoable(kind) {
			undos[kind] = l.undo(kind)
		}
	}
	item := func(id dsl.Expr[string]) UnitID { return UnitID{ID: id} }
	list := func(field string) dsl.Items[string] { return dsl.FromList(dsl.Get[[]string](l.plan, field)) }
	targetArgs := func(id dsl.Expr[string]) TargetArgs {
		return TargetArgs{ID: id, Lock: dsl.Get[string](dsl.Lookup(dsl.Get[map[string]TargetRun](l.plan, "target"), id), "lock")}
	}

	// Two entrypoints run the same process: "main" for a config without
	// bookkeeping, "recorded" (every pod step memoized in the config's
	// bookkeeping etcd) for one with it; compile --config picks one.
	// Their node names are the same.
	run := func(name string, units map[string]*dsl.DAGTemplate[UnitID, dsl.None]) *dsl.DAGTemplate[RunArgs, dsl.None] {
		main := dsl.DAG[RunArgs, dsl.None](wt, name).With(dsl.FailFast(false))
		captures := dsl.ForEach(main, "capture", units[KindCapture], list("captures"), item)
		snapshots := dsl.ForEach(main, "snapshot", units[KindSnapshot], list("snapshots"), item).After(captures)
		targets := dsl.ForEach(main, "target", l.target(name, units), list("targets"), targetArgs).After(snapshots)
		dsl.ForEach(main, "teardown", units[KindTeardown], list("teardown"), item).After(targets)
		return main
	}
	main := run(EntrypointMain, units)
	rec := run(EntrypointRecorded, recorded)

	rollback := dsl.DAG[RunArgs, dsl.None](wt, "rollback").With(dsl.FailFast(false))
	rtargets := dsl.ForEach(rollback, "target", l.targetRollback(undos), list("targets"), targetArgs)
	dsl.ForEach(rollback, "capture", undos[KindCapture], list("captures"), item).Depends(rtargets.Done())

	wt.Entrypoint(main).Export(rec).Export(rollback)
	return lib
}

// runs is true when the plan says the unit id runs step.
func (l *library) runs(id dsl.Expr[string], step string) dsl.Expr[bool] {
	return dsl.In(dsl.Lit(step), dsl.Lookup(dsl.Get[map[string][]string](l.plan, "run"), id))
}

// targetList is one of the unit lists of a target.
func (l *library) targetList(id dsl.Expr[string], field string) dsl.Items[string] {
	return dsl.FromList(dsl.Get[[]string](dsl.Lookup(dsl.Get[map[string]TargetRun](l.plan, "target"), id), field))
}

// target runs a target's migrations and its replay under the target's
// lock: the replay waits for exactly the migrations it names, the other
// migrations run beside them, and a failure stays in its target.
func (l *library) target(entry string, units map[string]*dsl.DAGTemplate[UnitID, dsl.None]) *dsl.DAGTemplate[TargetArgs, dsl.None] {
	name := "target"
	if entry == EntrypointRecorded {
		name += "-" + EntrypointRecorded
	}
	dag := dsl.DAG[TargetArgs, dsl.None](l.wt, name)
	in := dag.In()
	dag.With(dsl.FailFast(false), dsl.Synchronize(dsl.Mutex(in.Lock)))
	item := func(id dsl.Expr[string]) UnitID { return UnitID{ID: id} }
	waited := dsl.ForEach(dag, "migrate", units[KindMigration], l.targetList(in.ID, "migrations"), item)
	dsl.ForEach(dag, "migrate-rest", units[KindMigration], l.targetList(in.ID, "others"), item)
	dsl.ForEach(dag, "replay", units[KindReplay], l.targetList(in.ID, "replays"), item).After(waited)
	return dag
}

// targetRollback undoes a target's replay, then its migrations, under the
// target's lock.
func (l *library) targetRollback(undos map[string]*dsl.DAGTemplate[UnitID, dsl.None]) *dsl.DAGTemplate[TargetArgs, dsl.None] {
	dag := dsl.DAG[TargetArgs, dsl.None](l.wt, "target-rollback")
	in := dag.In()
	dag.With(dsl.FailFast(false), dsl.Synchronize(dsl.Mutex(in.Lock)))
	item := func(id dsl.Expr[string]) UnitID { return UnitID{ID: id} }
	replay := dsl.ForEach(dag, "replay", undos[KindReplay], l.targetList(in.ID, "replays"), item)
	dsl.ForEach(dag, "migrate", undos[KindMigration], l.targetList(in.ID, "migrations"), item).Depends(replay.Done())
	dsl.ForEach(dag, "migrate-rest", undos[KindMigration], l.targetList(in.ID, "others"), item).Depends(replay.Done())
	return dag
}

// unit is the template of one kind of unit: its steps in order, each run
// when the plan says so, a gate pausing when the plan says so. When a step
// fails or errors, or a gate is rejected, the undo of every step that ran
// before it (and of the step itself) runs, latest first; the unit still
// fails.
func (l *library) unit(kind string, recorded bool) *dsl.DAGTemplate[UnitID, dsl.None] {
	name := kind
	if recorded {
		name += "-" + EntrypointRecorded
	}
	dag := dsl.DAG[UnitID, dsl.None](l.wt, name).With(dsl.FailFast(false))
	id := dag.In().ID
	args := UnitID{ID: id}
	type done struct {
		def   StepDef
		call  dsl.AnyCall
		fails []dsl.Dep // this step failed (a gate: its rejection)
		ok    dsl.Dep   // this step ran and succeeded
	}
	var steps []done
	var prev []dsl.AnyCall
	for _, d := range Processes[kind] {
		if d.Kind == StepGate {
			// The gate is a loop over its one unit, so that its node is
			// named after the unit; a gate that does not pause loops over
			// nothing (Skipped).
			pausing := dsl.Cond(l.runs(id, d.Name), dsl.ListOf(id), dsl.ListOf[string]())
			g := dsl.ForEach(dag, d.Name, l.gate, dsl.FromList(pausing), func(item dsl.Expr[string]) UnitID { return UnitID{ID: item} }).
				After(prev...)
			steps = append(steps, done{def: d, call: g, fails: []dsl.Dep{g.Failed(), g.Errored()}, ok: g.Succeeded()})
			prev = []dsl.AnyCall{g}
			continue
		}
		c := l.step(d, recorded)(dag, d.Name, args).After(prev...).When(l.runs(id, d.Name))
		steps = append(steps, done{def: d, call: c, fails: []dsl.Dep{c.Failed(), c.Errored()}, ok: c.Succeeded()})
		prev = []dsl.AnyCall{c}
	}
	// The unit's last task, a loop over nothing: Skipped when every step
	// ran, Omitted when one failed. Argo takes a DAG's phase from its
	// leaves, an undo that succeeded is one, and an Omitted leaf takes the
	// phase of the failure before it: so a unit that was undone still ends
	// Failed. (One node; a suspend of 0s would wait some 20 s for the
	// controller's next pass.)
	dsl.ForEach(dag, "done", l.gate, dsl.FromList(dsl.ListOf[string]()), func(item dsl.Expr[string]) UnitID { return UnitID{ID: item} }).
		After(prev...)
	var last *dsl.Call[dsl.None]
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if s.def.Undo == nil {
			continue
		}
		var later []dsl.Dep
		for _, t := range steps[i+1:] {
			later = append(later, t.fails...)
		}
		trigger := s.fails
		if len(later) > 0 {
			trigger = append(append([]dsl.Dep{}, s.fails...), dsl.AllOf(s.ok, dsl.AnyOf(later...)))
		}
		dep := dsl.AnyOf(trigger...)
		if last == nil && recorded {
			// Before the first undo, the unit's records go: no later run
			// may adopt work that is being taken back. When they cannot
			// go (the bookkeeping etcd is out of reach, which also fails
			// the step that reached for it), nothing is undone: the unit
			// fails with its work in place, and a resubmission resumes
			// it from its records.
			f := l.forget(dag, id).Depends(dep)
			last = l.step(*s.def.Undo, false)(dag, s.def.Undo.Name, args).Depends(dsl.AllOf(dep, f.Succeeded()))
			continue
		}
		if last != nil {
			dep = dsl.AllOf(dep, last.Done())
		}
		last = l.step(*s.def.Undo, false)(dag, s.def.Undo.Name, args).Depends(dep)
	}
	return dag
}

// forget deletes the memo records of unit id.
func (l *library) forget(dag dsl.Parent, id dsl.Expr[string]) *dsl.Call[dsl.None] {
	return dsl.Task(dag, "forget", memo.Forget(l.records), memo.ForgetArgs{Dir: recordDir(id)})
}

// recordDir is the path of a unit's records below the memo prefix: one
// record per memoized step, at RecordPrefix + ID/STEP (RecordKey).
func recordDir(id dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Concat(dsl.Lit(RecordPrefix), id)
}

// undo is the rollback of one kind of unit: the undo of every step the
// plan runs for it, latest first, each whatever the previous one did. The
// undos are idempotent, so this is safe whatever the unit had done.
func (l *library) undo(kind string) *dsl.DAGTemplate[UnitID, dsl.None] {
	dag := dsl.DAG[UnitID, dsl.None](l.wt, kind+"-rollback").With(dsl.FailFast(false))
	id := dag.In().ID
	steps := Processes[kind]
	// With bookkeeping, the records go first (no later run adopts what
	// is undone); if they cannot, nothing is undone.
	forget := l.forget(dag, id).When(dsl.Ne(dsl.Get[string](l.plan, "bookkeeping"), dsl.Lit("")))
	ready := dsl.AnyOf(forget.Succeeded(), forget.Skipped())
	after := ready
	for i := len(steps) - 1; i >= 0; i-- {
		d := steps[i]
		if d.Undo == nil {
			continue
		}
		c := l.step(*d.Undo, false)(dag, d.Undo.Name, UnitID{ID: id}).When(l.runs(id, d.Name)).Depends(after)
		after = dsl.AllOf(ready, c.Done())
	}
	return dag
}

// undoable reports whether a kind of unit has steps to undo.
func undoable(kind string) bool {
	for _, d := range Processes[kind] {
		if d.Undo != nil {
			return true
		}
	}
	return false
}

// step calls the template of a step, defined on first use; recorded, a
// memoized step is called through its memo wrapper.
func (l *library) step(d StepDef, recorded bool) stepTemplate {
	t := l.template(d)
	if recorded && d.Memoized() {
		t = l.wrapped(d)
	}
	return func(p dsl.Parent, n string, a UnitID) *dsl.Call[dsl.None] { return dsl.Task(p, n, t, a) }
}

// template is the template of a step, defined on first use.
func (l *library) template(d StepDef) dsl.Template[UnitID, dsl.None] {
	if t, ok := l.steps[d.Name]; ok {
		return t
	}
	var t dsl.Template[UnitID, dsl.None]
	switch d.Kind {
	case StepConsole:
		t = l.console(d).Template
	case StepDeployBackfill, StepScaleBackfill, StepRemoveBackfill:
		t = l.backfill(d).Template
	case StepDelay:
		s := dsl.Suspend[UnitID, dsl.None](l.wt, d.Name)
		s.DurationFrom(dsl.Lookup(dsl.Get[map[string]string](l.plan, "delay"), s.In().ID))
		t = s.Template
	}
	l.steps[d.Name] = t
	return t
}

// wrapped is the memo wrapper of a memoized step, defined on first use:
// the record of step d of unit ID is unit/ID/d, its checksum the plan's
// for that step (Step.Checksum), its lease the plan's.
func (l *library) wrapped(d StepDef) dsl.Template[UnitID, dsl.None] {
	name := "memo-" + d.Name
	if t, ok := l.steps[name]; ok {
		return t
	}
	t := memo.Wrap(l.records, name, l.template(d), memo.Spec[UnitID]{
		Key: func(in UnitID) dsl.Expr[string] {
			return dsl.Concat(recordDir(in.ID), dsl.Lit("/"+d.Name))
		},
		Checksum: func(in UnitID) dsl.Expr[string] {
			sums := dsl.Lookup(dsl.Get[map[string]map[string]string](l.plan, "memo"), in.ID)
			return dsl.Lookup(sums, dsl.Lit(d.Name))
		},
		// The plan's checksum covers everything the step depends on; the
		// unit's id is in the record's key already.
		Exclude: []string{"id"},
		Lease:   func(UnitID) dsl.Expr[int] { return dsl.Get[int](l.plan, "lease") },
	}).Template
	l.steps[name] = t
	return t
}

// console is a step that runs the migration console: `COMMAND STAGE ACTION`
// with the unit's JSON in MIGRATE_UNIT, read by the kubelet from the units
// ConfigMap. Exit 0 is success, 1 a failure worth retrying, 2 a failure
// that retrying cannot fix; an Error (the pod was lost) is retried too.
func (l *library) console(d StepDef) *dsl.ContainerTemplate[UnitID, dsl.None] {
	t := dsl.Container[UnitID, dsl.None](l.wt, d.Name)
	return t.Image(l.image).
		Command(l.command).
		Args(d.Stage, d.Action).
		EnvFromConfigMap("MIGRATE_UNIT", l.units, t.In().ID).
		Env("MIGRATE_WORKFLOW", dsl.WorkflowName).
		With(dsl.Retry{
			Limit: 3, Policy: dsl.RetryAlways,
			Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "10m"},
			If:      dsl.Ne(dsl.LastRetryExitCode, dsl.Lit(2)),
		})
}
