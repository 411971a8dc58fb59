package migration

import sum "github.com/migratekit/migrate/checksum"

// The process model: every kind of unit is a sequence of steps, each step
// declared once here with what it does, whether it is a gate, and the step
// that undoes it. The library compiles these tables into the unit
// templates (the steps in order, each undo on the failure path and in the
// rollback entrypoint), NewRun decides per unit which steps run, and the
// graph draws the same decisions. Nothing else describes the process.

// StepKind is how a step is carried out.
type StepKind string

const (
	// StepConsole runs the migration console: COMMAND STAGE ACTION.
	StepConsole StepKind = "console"
	// StepGate pauses for a person's approval.
	StepGate StepKind = "gate"
	// StepDeployBackfill applies the unit's backfill Deployment.
	StepDeployBackfill StepKind = "deploy-backfill"
	// StepScaleBackfill scales the unit's backfill Deployment to zero.
	StepScaleBackfill StepKind = "scale-backfill"
	// StepRemoveBackfill deletes the unit's backfill Deployment.
	StepRemoveBackfill StepKind = "remove-backfill"
	// StepDelay waits for the unit's delay.
	StepDelay StepKind = "delay"
)

// StepDef is one step of a kind of unit.
type StepDef struct {
	Name          string   // task name, unique in its unit; a gate's is approve-<stage>
	Label         string   // what the graph shows
	Kind          StepKind //
	Stage, Action string   // console arguments (Console steps and undos)
	Undo          *StepDef // what undoes this step once it ran, or nil
	// Idempotent undos run on request too (the rollback entrypoint) and
	// must be safe when there is nothing to undo.
}

// Kinds of unit.
const (
	KindCapture   = "capture"
	KindSnapshot  = "snapshot"
	KindMigration = "migration"
	KindReplay    = "replay"
	KindTeardown  = "teardown"
)

func consoleStep(name, label, stage, action string) StepDef {
	return StepDef{Name: name, Label: label, Kind: StepConsole, Stage: stage, Action: action}
}

func gateStep(stage string) StepDef {
	return StepDef{Name: "approve-" + stage, Label: "approve " + stage, Kind: StepGate, Stage: stage}
}

func undoing(s StepDef, undo StepDef) StepDef {
	s.Undo = &undo
	return s
}

// Processes are the steps of each kind of unit, in order.
var Processes = map[string][]StepDef{
	KindCapture: {
		undoing(consoleStep("capture-deploy", "deploy proxy", "capture", "deploy"),
			consoleStep("capture-remove", "remove proxy", "capture", "remove")),
		consoleStep("capture-wait-healthy", "wait healthy", "capture", "wait-healthy"),
		consoleStep("capture-start", "start capture", "capture", "start"),
		consoleStep("capture-wait-recording", "wait recording", "capture", "wait-recording"),
		gateStep("capture"),
	},
	KindSnapshot: {
		consoleStep("snapshot-create", "create snapshot", "snapshot", "create"),
		consoleStep("snapshot-adopt", "adopt snapshot", "snapshot", "adopt"),
		gateStep("snapshot"),
	},
	KindMigration: {
		consoleStep("metadata-evaluate", "evaluate metadata", "metadata", "evaluate"),
		gateStep("metadata"),
		undoing(consoleStep("metadata-migrate", "migrate metadata", "metadata", "migrate"),
			consoleStep("metadata-rollback", "roll back metadata", "metadata", "rollback")),
		undoing(StepDef{Name: "backfill-deploy", Label: "deploy backfill", Kind: StepDeployBackfill},
			StepDef{Name: "backfill-remove", Label: "remove backfill", Kind: StepRemoveBackfill}),
		consoleStep("backfill-wait", "wait backfill", "backfill", "wait"),
		{Name: "backfill-scale-down", Label: "scale down backfill", Kind: StepScaleBackfill},
		gateStep("backfill"),
	},
	KindReplay: {
		undoing(consoleStep("replay-start", "start replay", "replay", "start"),
			consoleStep("replay-stop", "stop replay", "replay", "stop")),
		consoleStep("replay-wait-caught-up", "wait caught up", "replay", "wait-caught-up"),
		consoleStep("validate", "validate", "validate", "run"),
		gateStep("replay"),
		gateStep("traffic-switch"),
		undoing(consoleStep("traffic-switch", "switch traffic", "traffic", "switch"),
			consoleStep("traffic-back", "traffic back to source", "traffic", "back")),
		consoleStep("client-upgrade", "upgrade clients", "clients", "upgrade"),
	},
	KindTeardown: {
		{Name: "delay", Label: "wait", Kind: StepDelay},
		gateStep("teardown"),
		consoleStep("teardown-run", "tear down", "teardown", "run"),
	},
}

// processKinds lists the kinds in the order the library defines them.
var processKinds = []string{KindCapture, KindSnapshot, KindMigration, KindReplay, KindTeardown}

// Step is one step of one unit, as decided for that unit.
type Step struct {
	Name string `json:"name"`
	// Run: the step runs; a gate that runs pauses for approval.
	Run bool `json:"run"`
	// Approval is a gate's mode from the config: manual (pauses), auto or
	// skip (goes on). Empty for other steps.
	Approval string `json:"approval,omitempty"`
	// Undo is the step that undoes this one: on the failure path when a
	// later step of the unit fails or a later gate is rejected, and in the
	// rollback entrypoint.
	Undo string `json:"undo,omitempty"`
	// Checksum is what the step's memo record must carry for the step to
	// be adopted instead of run (package checksum, 64 hex): of the step's
	// name, the unit's settings the step reads and the checksum of the
	// memoized step before it in the unit. Set on memoized steps that run.
	Checksum string `json:"checksum,omitempty"`
}

// Memoized reports whether a step of a unit is memoized: whether it runs
// a pod (the console, or a backfill resource step). Gates and the delay
// are not: a gate of adopted work pauses again, and no pod runs either
// way. Undos are never called memoized (the library calls them plain):
// they run when asked, after the unit's records are forgotten.
func (d StepDef) Memoized() bool {
	switch d.Kind {
	case StepConsole, StepDeployBackfill, StepScaleBackfill:
		return true
	}
	return false
}

// chain sets the checksum of every memoized step that runs: each covers
// the step's name, the checksum of the settings it reads (inputs, by step
// name) and the checksum of the memoized step before it, so a change
// re-runs the step that reads it and every step after it, and nothing
// before.
func chain(kind string, steps []Step, inputs func(step string) string) {
	defs := map[string]StepDef{}
	for _, d := range Processes[kind] {
		defs[d.Name] = d
	}
	prev := ""
	for i, s := range steps {
		if !s.Run || !defs[s.Name].Memoized() {
			continue
		}
		steps[i].Checksum = sum.Of("step", kind, s.Name, inputs(s.Name), prev)
		prev = steps[i].Checksum
	}
}

// decide lists a unit's steps with the runs given by on (a step missing
// from on does not run) and each gate's approval mode from modes.
func decide(kind string, on map[string]bool, modes map[string]string) []Step {
	var out []Step
	for _, d := range Processes[kind] {
		s := Step{Name: d.Name, Run: on[d.Name]}
		if d.Kind == StepGate {
			s.Approval = modes[d.Stage]
			s.Run = s.Run && s.Approval == manual
		}
		if d.Undo != nil {
			s.Undo = d.Undo.Name
		}
		out = append(out, s)
	}
	return out
}

// running lists the names of the steps that run.
func running(steps []Step) []string {
	out := []string{}
	for _, s := range steps {
		if s.Run {
			out = append(out, s.Name)
		}
	}
	return out
}
