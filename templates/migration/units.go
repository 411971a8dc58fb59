package migration

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/migratekit/migrate/schema"
)

// A Run is what one migration config asks the library to do: the plan's
// work items grouped by stage, each carrying everything its steps need, and
// every decision the config makes (which stages run, which approvals pause)
// already taken in Go. It travels to the workflow as JSON arguments; the
// templates stay static.
type Run struct {
	Captures   []CaptureUnit   `json:"captures"`
	Snapshots  []SnapshotUnit  `json:"snapshots"`
	Migrations []MigrationUnit `json:"migrations"`
	Replays    []ReplayUnit    `json:"replays"`
	Teardown   TeardownUnit    `json:"teardown"`
}

// Approval modes of a stage, as in the config.
const (
	manual = string(schema.ApprovalManual)
	skip   = string(schema.ApprovalSkip)
)

// Unit is what every work unit carries.
type Unit struct {
	ID       string `json:"id"`       // the plan item's id: names records and resources
	Checksum string `json:"checksum"` // the plan item's chained checksum
}

// CaptureUnit puts a capture proxy in front of one source.
type CaptureUnit struct {
	Unit
	Source   string            `json:"source"`
	Cluster  schema.SourceItem `json:"cluster"`
	Capture  schema.Capture    `json:"capture"`
	Approval string            `json:"approval"` // manual: pause once the proxies record
}

// SnapshotUnit creates or adopts one snapshot of a source.
type SnapshotUnit struct {
	Unit
	Source   string              `json:"source"`
	Cluster  schema.SourceItem   `json:"cluster"`
	Name     string              `json:"name"` // the snapshot's name in its repository
	Repo     string              `json:"repo"`
	Adopt    bool                `json:"adopt"` // use the existing snapshot instead of creating one
	Spec     schema.SnapshotItem `json:"spec"`
	Approval string              `json:"approval"`
}

// MigrationUnit migrates one snapshot's indices to one target: metadata,
// then backfill.
type MigrationUnit struct {
	Unit
	Source           string               `json:"source"`
	Snapshot         string               `json:"snapshot"` // the snapshot unit's id
	SnapshotName     string               `json:"snapshotName"`
	Target           string               `json:"target"`
	Cluster          schema.TargetItem    `json:"cluster"`
	Spec             schema.MigrationItem `json:"spec"`
	Metadata         bool                 `json:"metadata"`
	MetadataApproval string               `json:"metadataApproval"`
	Backfill         bool                 `json:"backfill"`
	BackfillApproval string               `json:"backfillApproval"`
	Workers          int                  `json:"workers"`
}

// ReplayUnit replays captured traffic against one target once the
// migrations it waits for are done, then (optionally) moves client
// traffic to it.
type ReplayUnit struct {
	Unit
	Target         string            `json:"target"`
	Cluster        schema.TargetItem `json:"cluster"`
	Spec           schema.ReplayItem `json:"spec"`
	WaitFor        []string          `json:"waitFor"` // migration unit ids
	Approval       string            `json:"approval"`
	Switch         bool              `json:"switch"` // this target takes the client traffic
	SwitchApproval string            `json:"switchApproval"`
	SwitchSteps    []int             `json:"switchSteps,omitempty"`
	StepInterval   string            `json:"stepInterval,omitempty"`
}

// TeardownUnit removes what the migration no longer needs.
type TeardownUnit struct {
	Enabled        bool     `json:"enabled"`
	Approval       string   `json:"approval"`
	Delay          string   `json:"delay"`          // a Go duration; "0s" for none
	CaptureProxies []string `json:"captureProxies"` // capture unit ids
	MigrationTools bool     `json:"migrationTools"`
	Snapshots      []string `json:"snapshots"` // ids of created (not adopted) snapshot units
}

// NewRun groups a plan's items into the units of each stage.
func NewRun(p *schema.Plan) (*Run, error) {
	sources := map[string]schema.SourceItem{}
	for _, s := range p.Sources {
		sources[s.Name] = s
	}
	targets := map[string]schema.TargetItem{}
	for _, t := range p.Targets {
		targets[t.Name] = t
	}
	run := &Run{}
	a := p.Approvals
	for _, c := range p.Captures {
		run.Captures = append(run.Captures, CaptureUnit{
			Unit: unit(c.Item), Source: c.Source, Cluster: sources[c.Source], Capture: c.Capture,
			Approval: string(a.Capture),
		})
	}
	snapNames := map[string]string{}
	for _, s := range p.Snapshots {
		u := SnapshotUnit{Unit: unit(s.Item), Source: s.Source, Cluster: sources[s.Source], Spec: s, Approval: string(a.Snapshot)}
		switch {
		case s.Adopt != nil:
			u.Adopt, u.Name, u.Repo = true, s.Adopt.Snapshot, s.Adopt.Repo
		case s.Create != nil:
			u.Name, u.Repo = s.ID, s.Create.Repo
		default:
			return nil, fmt.Errorf("snapshot %s neither creates nor adopts: normalise the config first", s.ID)
		}
		snapNames[s.ID] = u.Name
		run.Snapshots = append(run.Snapshots, u)
	}
	for _, m := range p.Migrations {
		snap := snapshotID(p, m)
		u := MigrationUnit{
			Unit: unit(m.Item), Source: m.Source, Snapshot: snap, SnapshotName: snapNames[snap],
			Target: m.Target, Cluster: targets[m.Target], Spec: m,
			Metadata: m.Metadata != nil, MetadataApproval: string(a.Metadata),
			Backfill: m.Backfill != nil, BackfillApproval: string(a.Backfill),
		}
		if m.Backfill != nil {
			u.Workers = m.Backfill.Workers
		}
		run.Migrations = append(run.Migrations, u)
	}
	for _, r := range p.Replays {
		u := ReplayUnit{Unit: unit(r.Item), Target: r.Target, Cluster: targets[r.Target], Spec: r, WaitFor: r.WaitFor, Approval: string(a.Replay)}
		ts := p.TrafficSwitch
		if ts.Enabled && ts.Target == r.Target {
			u.Switch, u.SwitchApproval, u.SwitchSteps, u.StepInterval = true, string(a.TrafficSwitch), ts.Steps, ts.StepInterval
		}
		sort.Strings(u.WaitFor)
		run.Replays = append(run.Replays, u)
	}
	td := p.Teardown
	run.Teardown = TeardownUnit{Approval: string(a.Teardown), Delay: "0s", MigrationTools: td.MigrationTools, CaptureProxies: []string{}, Snapshots: []string{}}
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
	run.Teardown.Enabled = td.MigrationTools || len(run.Teardown.CaptureProxies) > 0 || len(run.Teardown.Snapshots) > 0
	return run, nil
}

func unit(it schema.Item) Unit { return Unit{ID: it.ID, Checksum: it.Checksum} }

// snapshotID finds the id of the snapshot item a migration item reads.
func snapshotID(p *schema.Plan, m schema.MigrationItem) string {
	for _, d := range m.DependsOn {
		for _, s := range p.Snapshots {
			if s.ID == d {
				return d
			}
		}
	}
	return ""
}

// Arguments renders the run as the workflow's arguments, by name.
func (r *Run) Arguments() (map[string]string, error) {
	out := map[string]string{}
	for name, v := range map[string]any{
		"captures": r.Captures, "snapshots": r.Snapshots, "migrations": r.Migrations,
		"replays": r.Replays, "teardown": r.Teardown,
	} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		out[name] = string(b)
	}
	for _, k := range []string{"captures", "snapshots", "migrations", "replays"} {
		if out[k] == "null" {
			out[k] = "[]"
		}
	}
	return out, nil
}
