package migration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	sum "github.com/migratekit/migrate/checksum"
	"github.com/migratekit/migrate/schema"
)

// UnitVersion is the version of the unit contract with the console: the
// JSON a step finds in MIGRATE_UNIT (its JSON Schema: migrate schema
// --unit). A change that a console of the previous version would misread
// gets a new version.
const UnitVersion = "migrate.migratekit.io/unit/v1"

// A Run is what one migration config asks the library to do: the plan's
// work items as units, each carrying everything its steps need and every
// decision the config makes (which steps run, each gate's approval, which
// undo applies) already taken in Go. The units reach the steps through a
// ConfigMap that Argo never reads; the workflow's arguments carry only the
// decisions Argo acts on (Decisions), whose every string is an id, a step
// name or a duration, never a user's free text.
type Run struct {
	Captures   []CaptureUnit   `json:"captures"`
	Snapshots  []SnapshotUnit  `json:"snapshots"`
	Migrations []MigrationUnit `json:"migrations"`
	Replays    []ReplayUnit    `json:"replays"`
	Teardown   TeardownUnit    `json:"teardown"`
	Targets    []TargetRun     `json:"targets"` // per target: its migrations and its replay, under one lock
	// Bookkeeping is the endpoint of the etcd holding the memo records,
	// empty when the config has none (nothing is recorded); LeaseSeconds
	// the life of a claim.
	Bookkeeping  string `json:"bookkeeping"`
	LeaseSeconds int    `json:"leaseSeconds"`
}

// Approval modes of a gate, as in the config.
const (
	manual = string(schema.ApprovalManual)
	skip   = string(schema.ApprovalSkip)
)

// Unit is what every work unit carries.
type Unit struct {
	Version  string `json:"version"`  // UnitVersion
	Kind     string `json:"kind"`     // capture, snapshot, migration, replay or teardown
	ID       string `json:"id"`       // the plan item's id: names nodes, records and resources
	Checksum string `json:"checksum"` // the plan item's chained checksum
	Steps    []Step `json:"steps"`    // every step of the kind, in order, as decided for this unit
}

// Runs reports whether the unit's step name runs.
func (u Unit) Runs(name string) bool {
	for _, s := range u.Steps {
		if s.Name == name {
			return s.Run
		}
	}
	return false
}

// CaptureUnit puts a capture proxy in front of one source.
type CaptureUnit struct {
	Unit
	Source  string            `json:"source"`
	Cluster schema.SourceItem `json:"cluster"`
	Capture schema.Capture    `json:"capture"`
}

// SnapshotUnit creates or adopts one snapshot of a source.
type SnapshotUnit struct {
	Unit
	Source  string              `json:"source"`
	Cluster schema.SourceItem   `json:"cluster"`
	Name    string              `json:"name"` // the snapshot's name in its repository
	Repo    string              `json:"repo"`
	Adopt   bool                `json:"adopt"` // use the existing snapshot instead of creating one
	Spec    schema.SnapshotItem `json:"spec"`
}

// MigrationUnit migrates one snapshot's indices to one target: metadata,
// then backfill.
type MigrationUnit struct {
	Unit
	Source       string               `json:"source"`
	Snapshot     string               `json:"snapshot"` // the snapshot unit's id
	SnapshotName string               `json:"snapshotName"`
	Target       string               `json:"target"`
	Cluster      schema.TargetItem    `json:"cluster"`
	Spec         schema.MigrationItem `json:"spec"`
	Workers      int                  `json:"workers"` // backfill workers; 0 without backfill
}

// ReplayUnit replays captured traffic against one target once the
// migrations it waits for are done, then (optionally) moves client
// traffic to it.
type ReplayUnit struct {
	Unit
	Target       string            `json:"target"`
	Cluster      schema.TargetItem `json:"cluster"`
	Spec         schema.ReplayItem `json:"spec"`
	WaitFor      []string          `json:"waitFor"` // migration unit ids
	SwitchSteps  []int             `json:"switchSteps,omitempty"`
	StepInterval string            `json:"stepInterval,omitempty"`
}

// TeardownUnit removes what the migration no longer needs.
type TeardownUnit struct {
	Unit
	Delay          string   `json:"delay"`          // a Go duration; "0s" for none
	CaptureProxies []string `json:"captureProxies"` // capture unit ids
	MigrationTools bool     `json:"migrationTools"`
	Snapshots      []string `json:"snapshots"` // ids of created (not adopted) snapshot units
}

// TargetRun is what the library does per target, under the target's lock:
// the migrations its replay waits for, then the replay, while the
// target's other migrations run beside them.
type TargetRun struct {
	ID         string   `json:"id"`
	Lock       string   `json:"lock"`       // mutex name: the same cluster endpoint gives the same lock in every run
	Migrations []string `json:"migrations"` // migration unit ids the replay waits for
	Others     []string `json:"others"`     // the target's other migration unit ids
	Replays    []string `json:"replays"`    // the target's replay unit id, if it has a replayer
}

// TeardownID is the id of the teardown unit.
const TeardownID = "teardown"

// NewRun turns a plan into units and decides every step of each.
func NewRun(p *schema.Plan) (*Run, error) {
	sources := map[string]schema.SourceItem{}
	for _, s := range p.Sources {
		sources[s.Name] = s
	}
	targets := map[string]schema.TargetItem{}
	for _, t := range p.Targets {
		targets[t.Name] = t
	}
	a := p.Approvals
	modes := map[string]string{
		"capture": string(a.Capture), "snapshot": string(a.Snapshot), "metadata": string(a.Metadata),
		"backfill": string(a.Backfill), "replay": string(a.Replay), "traffic-switch": string(a.TrafficSwitch),
		"teardown": string(a.Teardown),
	}
	gates := func(kind string) map[string]bool {
		on := map[string]bool{}
		for _, d := range Processes[kind] {
			if d.Kind == StepGate {
				on[d.Name] = true
			}
		}
		return on
	}
	header := func(kind string, it schema.Item, on map[string]bool) Unit {
		u := Unit{Version: UnitVersion, Kind: kind, ID: it.ID, Checksum: it.Checksum, Steps: decide(kind, on, modes)}
		chain(kind, u.Steps, func(string) string { return it.Checksum })
		return u
	}
	itemSums := map[string]string{}
	for _, t := range p.Targets {
		itemSums[t.ID] = t.Checksum
	}
	for _, s := range p.Snapshots {
		itemSums[s.ID] = s.Checksum
	}
	run := &Run{Captures: []CaptureUnit{}, Snapshots: []SnapshotUnit{}, Migrations: []MigrationUnit{}, Replays: []ReplayUnit{}, Targets: []TargetRun{}}
	for _, c := range p.Captures {
		on := gates(KindCapture)
		for _, d := range Processes[KindCapture] {
			on[d.Name] = true
		}
		run.Captures = append(run.Captures, CaptureUnit{
			Unit: header(KindCapture, c.Item, on), Source: c.Source, Cluster: sources[c.Source], Capture: c.Capture,
		})
	}
	snapshots := map[[2]string]SnapshotUnit{}
	for _, s := range p.Snapshots {
		on := gates(KindSnapshot)
		u := SnapshotUnit{Source: s.Source, Cluster: sources[s.Source], Spec: s}
		switch {
		case s.Adopt != nil:
			u.Adopt, u.Name, u.Repo = true, s.Adopt.Snapshot, s.Adopt.Repo
			on["snapshot-adopt"] = true
		case s.Create != nil:
			u.Name, u.Repo = s.ID, s.Create.Repo
			on["snapshot-create"] = true
		default:
			return nil, fmt.Errorf("snapshot %s neither creates nor adopts: normalise the config first", s.ID)
		}
		u.Unit = header(KindSnapshot, s.Item, on)
		snapshots[[2]string{s.Source, s.Name}] = u
		run.Snapshots = append(run.Snapshots, u)
	}
	for _, m := range p.Migrations {
		snap, ok := snapshots[[2]string{m.Source, m.Snapshot}]
		if !ok {
			return nil, fmt.Errorf("migration %s reads snapshot %q of source %q, which the plan does not have", m.ID, m.Snapshot, m.Source)
		}
		on := map[string]bool{}
		if m.Metadata != nil {
			for _, n := range []string{"metadata-evaluate", "approve-metadata", "metadata-migrate"} {
				on[n] = true
			}
		}
		u := MigrationUnit{Source: m.Source, Snapshot: snap.ID, SnapshotName: snap.Name,
			Target: m.Target, Cluster: targets[m.Target], Spec: m}
		if m.Backfill != nil {
			for _, n := range []string{"backfill-deploy", "backfill-wait", "backfill-scale-down", "approve-backfill"} {
				on[n] = true
			}
			u.Workers = m.Backfill.Workers
		}
		u.Unit = header(KindMigration, m.Item, on)
		// Metadata steps read the metadata settings, backfill steps the
		// backfill's: a change to one re-runs its own steps (and, by the
		// chain, the backfill after the metadata), not the other's.
		var upstream []string
		for _, dep := range m.DependsOn {
			upstream = append(upstream, itemSums[dep])
		}
		part := func(settings any) string {
			b, _ := json.Marshal(settings) // plain config values
			return sum.Of(append([]string{string(b)}, upstream...)...)
		}
		metadata, backfill := part(m.Metadata), part(m.Backfill)
		chain(KindMigration, u.Steps, func(step string) string {
			if strings.HasPrefix(step, "metadata-") {
				return metadata
			}
			return backfill
		})
		run.Migrations = append(run.Migrations, u)
	}
	ts := p.TrafficSwitch
	replayOf := map[string]string{}
	for _, r := range p.Replays {
		on := map[string]bool{}
		for _, n := range []string{"replay-start", "replay-wait-caught-up", "validate", "approve-replay"} {
			on[n] = true
		}
		u := ReplayUnit{Target: r.Target, Cluster: targets[r.Target], Spec: r, WaitFor: append([]string{}, r.WaitFor...)}
		if ts.Enabled && ts.Target == r.Target {
			for _, n := range []string{"approve-traffic-switch", "traffic-switch", "client-upgrade"} {
				on[n] = true
			}
			u.SwitchSteps, u.StepInterval = ts.Steps, ts.StepInterval
		}
		sort.Strings(u.WaitFor)
		u.Unit = header(KindReplay, r.Item, on)
		replayOf[r.Target] = u.ID
		run.Replays = append(run.Replays, u)
	}
	for _, t := range p.Targets {
		tr := TargetRun{ID: t.ID, Lock: targetLock(t.Target.Endpoint), Migrations: []string{}, Others: []string{}, Replays: []string{}}
		waited := map[string]bool{}
		if id, ok := replayOf[t.Name]; ok {
			tr.Replays = append(tr.Replays, id)
			for _, r := range run.Replays {
				if r.ID == id {
					for _, w := range r.WaitFor {
						waited[w] = true
					}
				}
			}
		}
		for _, m := range run.Migrations {
			switch {
			case m.Target != t.Name:
			case waited[m.ID]:
				tr.Migrations = append(tr.Migrations, m.ID)
			default:
				tr.Others = append(tr.Others, m.ID)
			}
		}
		run.Targets = append(run.Targets, tr)
	}
	td := p.Teardown
	run.Teardown = TeardownUnit{Delay: "0s", MigrationTools: td.MigrationTools, CaptureProxies: []string{}, Snapshots: []string{}}
	if td.Delay != "" {
		run.Teardown.Delay = td.Delay
	}
	if td.CaptureProxies {
		for _, c := range run.Captures {
			run.Teardown.CaptureProxies = append(run.Teardown.CaptureProxies, c.ID)
		}
	}
	if td.Snapshots {
		for _, s := range run.Snapshots {
			if !s.Adopt {
				run.Teardown.Snapshots = append(run.Teardown.Snapshots, s.ID)
			}
		}
	}
	on := map[string]bool{}
	if td.MigrationTools || len(run.Teardown.CaptureProxies) > 0 || len(run.Teardown.Snapshots) > 0 {
		on = map[string]bool{"delay": true, "approve-teardown": true, "teardown-run": true}
	}
	run.Teardown.Unit = Unit{Version: UnitVersion, Kind: KindTeardown, ID: TeardownID, Checksum: teardownChecksum(run.Teardown), Steps: decide(KindTeardown, on, modes)}
	chain(KindTeardown, run.Teardown.Steps, func(string) string { return run.Teardown.Checksum })
	if bk := p.Bookkeeping; bk != nil {
		run.Bookkeeping, run.LeaseSeconds = bk.Endpoint, bk.LeaseSeconds
	}
	return run, nil
}

// targetLock names the mutex of a target cluster after its endpoint, so
// that two runs (of any configs) that act on one cluster take turns.
func targetLock(endpoint string) string {
	sum := sha256.Sum256([]byte(endpoint))
	return "migrate-target-" + hex.EncodeToString(sum[:8])
}

func teardownChecksum(t TeardownUnit) string {
	b, _ := json.Marshal(struct {
		Delay                 string
		CaptureProxies, Snaps []string
		Tools                 bool
	}{t.Delay, t.CaptureProxies, t.Snapshots, t.MigrationTools})
	return sum.Of("teardown", string(b))
}

// unitOfKind is any kind of unit: its header is promoted from Unit.
type unitOfKind interface{ header() Unit }

func (u Unit) header() Unit { return u }

// all lists every unit, in plan order: captures, snapshots, migrations,
// replays, teardown.
func (r *Run) all() []unitOfKind {
	var out []unitOfKind
	for _, u := range r.Captures {
		out = append(out, u)
	}
	for _, u := range r.Snapshots {
		out = append(out, u)
	}
	for _, u := range r.Migrations {
		out = append(out, u)
	}
	for _, u := range r.Replays {
		out = append(out, u)
	}
	return append(out, r.Teardown)
}

// Headers lists every unit's header, in plan order.
func (r *Run) Headers() []Unit {
	var out []Unit
	for _, u := range r.all() {
		out = append(out, u.header())
	}
	return out
}

// Units lists every unit with its JSON, by id, in plan order: what the
// units ConfigMap holds and MIGRATE_UNIT carries.
func (r *Run) Units() ([]string, map[string][]byte, error) {
	var ids []string
	out := map[string][]byte{}
	for _, u := range r.all() {
		id := u.header().ID
		b, err := json.Marshal(u)
		if err != nil {
			return nil, nil, fmt.Errorf("encoding unit %s: %w", id, err)
		}
		ids = append(ids, id)
		out[id] = b
	}
	return ids, out, nil
}

// Decisions is what Argo reads of a run (the workflow's "plan" argument):
// which units each loop runs over and what each step's `when` asks. Every
// string in it is a unit id, a step name, a lock name or a duration that
// the config's schema checked; user text stays in the units.
type Decisions struct {
	Captures  []string             `json:"captures"`
	Snapshots []string             `json:"snapshots"`
	Targets   []string             `json:"targets"`
	Teardown  []string             `json:"teardown"` // [teardown] when there is something to tear down
	Run       map[string][]string  `json:"run"`      // unit id -> the steps that run
	Workers   map[string]int       `json:"workers"`  // migration unit id -> backfill workers
	Delay     map[string]string    `json:"delay"`    // teardown -> its delay
	Target    map[string]TargetRun `json:"target"`   // target id -> its units and lock
	// Memo is each memoized step's checksum, by unit id and step name: a
	// record with it is adopted, anything else re-runs the step.
	Memo map[string]map[string]string `json:"memo"`
	// Bookkeeping is the etcd endpoint the memo records are kept at;
	// Lease the seconds of a claim's lease.
	Bookkeeping string `json:"bookkeeping"`
	Lease       int    `json:"lease"`
}

// Decisions projects the run onto what Argo reads.
func (r *Run) Decisions() Decisions {
	d := Decisions{Captures: []string{}, Snapshots: []string{}, Targets: []string{}, Teardown: []string{},
		Run: map[string][]string{}, Workers: map[string]int{}, Delay: map[string]string{}, Target: map[string]TargetRun{},
		Memo: map[string]map[string]string{}, Bookkeeping: r.Bookkeeping, Lease: r.LeaseSeconds}
	for _, u := range r.Headers() {
		if r.Bookkeeping == "" {
			break
		}
		for _, s := range u.Steps {
			if s.Checksum == "" {
				continue
			}
			if d.Memo[u.ID] == nil {
				d.Memo[u.ID] = map[string]string{}
			}
			d.Memo[u.ID][s.Name] = s.Checksum
		}
	}
	for _, u := range r.Captures {
		d.Captures = append(d.Captures, u.ID)
		d.Run[u.ID] = running(u.Steps)
	}
	for _, u := range r.Snapshots {
		d.Snapshots = append(d.Snapshots, u.ID)
		d.Run[u.ID] = running(u.Steps)
	}
	for _, u := range r.Migrations {
		d.Run[u.ID] = running(u.Steps)
		d.Workers[u.ID] = u.Workers
	}
	for _, u := range r.Replays {
		d.Run[u.ID] = running(u.Steps)
	}
	for _, t := range r.Targets {
		d.Targets = append(d.Targets, t.ID)
		d.Target[t.ID] = t
	}
	td := r.Teardown
	d.Run[td.ID] = running(td.Steps)
	d.Delay[td.ID] = td.Delay
	if td.Runs("teardown-run") {
		d.Teardown = append(d.Teardown, td.ID)
	}
	return d
}
