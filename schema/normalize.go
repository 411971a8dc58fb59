package schema

import (
	"slices"
	"strconv"
)

// Defaults of optional settings. The JSON Schema shows the same values (see
// the JSONSchemaExtend methods in types.go).
const (
	defaultUsernameKey     = "username"
	defaultPasswordKey     = "password"
	defaultSigV4Service    = "es"
	defaultCaptureReplicas = 1
	defaultListenPort      = 9200
	defaultRepo            = "migration-assistant"
	defaultWorkers         = 1
	defaultBatchSize       = 1000
	defaultSpeedup         = 1.0
	defaultApproval        = ApprovalManual
	defaultStepInterval    = "10m"
	defaultTeardownDelay   = "24h"
)

// Normalize checks a config, applies the defaults and expands it into a Plan.
// It does not change c. The error, when not nil, is an ErrorList.
func Normalize(c *Config) (*Plan, error) {
	if errs := Validate(c); len(errs) > 0 {
		return nil, errs
	}
	p, issues := expand(c)
	if len(issues) > 0 {
		var errs ErrorList
		v, _ := plainValue(c)
		for _, is := range issues {
			errs.Add(Pos{}, renderPath(v, is.path), is.msg, is.hint)
		}
		errs.Sort()
		return nil, errs
	}
	return p, nil
}

// planIssue is a problem found while expanding: two items with one id.
type planIssue struct {
	path      []string
	msg, hint string
}

// expand applies the defaults to a copy of a valid config and expands it.
func expand(in *Config) (*Plan, []planIssue) {
	c := withDefaults(in)
	p := &Plan{
		Targets: []TargetItem{}, Sources: []SourceItem{}, Captures: []CaptureItem{},
		Snapshots: []SnapshotItem{}, Migrations: []MigrationItem{}, Replays: []ReplayItem{},
	}
	ids := idSet{seen: map[string]string{}}

	targets := map[string]*TargetItem{}
	for _, name := range sortedNames(c.Targets) {
		t := c.Targets[name]
		it := TargetItem{Item: Item{ID: itemID(kindTarget, name)}, Name: name, Target: t}
		it.Checksum = checksum(kindTarget, t)
		ids.add(it.ID, []string{"targets", name}, "target "+strconv.Quote(name))
		p.Targets = append(p.Targets, it)
	}
	for i := range p.Targets {
		targets[p.Targets[i].Name] = &p.Targets[i]
	}

	captures := map[string]*CaptureItem{}
	for _, name := range sortedNames(c.Sources) {
		s := c.Sources[name]
		src := SourceItem{Item: Item{ID: itemID(kindSource, name)}, Name: name,
			Endpoint: s.Endpoint, Version: s.Version, Auth: s.Auth, AllowInsecure: s.AllowInsecure}
		src.Checksum = checksum(kindSource, struct {
			Endpoint, Version string
			Auth              *Auth
			AllowInsecure     bool
		}{s.Endpoint, s.Version, s.Auth, s.AllowInsecure})
		ids.add(src.ID, []string{"sources", name}, "source "+strconv.Quote(name))
		p.Sources = append(p.Sources, src)

		if s.Capture != nil {
			cp := CaptureItem{Item: Item{ID: itemID(kindCapture, name), DependsOn: []string{src.ID}}, Source: name, Capture: *s.Capture}
			cp.Checksum = checksum(kindCapture, cp.Capture, src.Checksum)
			ids.add(cp.ID, []string{"sources", name, "capture"}, "the capture of source "+strconv.Quote(name))
			p.Captures = append(p.Captures, cp)
		}

		for _, sn := range sortedNames(s.Snapshots) {
			snap := s.Snapshots[sn]
			si := SnapshotItem{Item: Item{ID: itemID(kindSnapshot, name, sn), DependsOn: []string{src.ID}},
				Source: name, Name: sn, Create: snap.Create, Adopt: snap.Adopt, Indices: *snap.Indices}
			si.Checksum = checksum(kindSnapshot, struct {
				Create  *CreateSnapshot
				Adopt   *AdoptSnapshot
				Indices Selector
			}{si.Create, si.Adopt, si.Indices}, src.Checksum)
			snapPath := []string{"sources", name, "snapshots", sn}
			ids.add(si.ID, snapPath, "snapshot "+strconv.Quote(sn)+" of source "+strconv.Quote(name))
			p.Snapshots = append(p.Snapshots, si)

			for i, m := range snap.Migrations {
				for _, tn := range m.Targets {
					t := targets[tn]
					mi := MigrationItem{
						Item:   Item{ID: itemID(kindMigration, name, sn, m.Name, tn), DependsOn: []string{si.ID, t.ID}},
						Source: name, Snapshot: sn, Migration: m.Name, Target: tn,
						Metadata: m.Metadata, Backfill: m.Backfill,
					}
					mi.Checksum = checksum(kindMigration, struct {
						Metadata *Metadata
						Backfill *Backfill
					}{m.Metadata, m.Backfill}, si.Checksum, t.Checksum)
					ids.add(mi.ID, append(slices.Clip(snapPath), "migrations", strconv.Itoa(i)),
						"migration "+strconv.Quote(m.Name)+" of snapshot "+strconv.Quote(sn)+" to target "+strconv.Quote(tn))
					p.Migrations = append(p.Migrations, mi)
				}
			}
		}
	}
	for i := range p.Captures {
		captures[p.Captures[i].Source] = &p.Captures[i]
	}

	for _, tn := range sortedNames(c.Replayers) {
		r := c.Replayers[tn]
		t := targets[tn]
		waits := waitedFor(p.Migrations, tn, r.WaitFor)
		ri := ReplayItem{Target: tn, Sources: []string{}, WaitFor: []string{},
			SpeedupFactor: r.SpeedupFactor, MaxThroughputMbps: r.MaxThroughputMbps, Transforms: r.Transforms}
		deps := []*Item{&t.Item}
		for _, src := range replayedSources(waits, captures) {
			ri.Sources = append(ri.Sources, src)
			deps = append(deps, &captures[src].Item)
		}
		for _, m := range waits {
			ri.WaitFor = append(ri.WaitFor, m.ID)
			deps = append(deps, &m.Item)
		}
		ri.ID = itemID(kindReplay, tn)
		var upstream []string
		for _, d := range deps {
			ri.DependsOn = append(ri.DependsOn, d.ID)
			upstream = append(upstream, d.Checksum)
		}
		ri.Checksum = checksum(kindReplay, struct {
			SpeedupFactor     float64
			MaxThroughputMbps int
			Transforms        []string
		}{r.SpeedupFactor, r.MaxThroughputMbps, r.Transforms}, upstream...)
		ids.add(ri.ID, []string{"replayers", tn}, "the replayer of target "+strconv.Quote(tn))
		p.Replays = append(p.Replays, ri)
	}

	p.Approvals = *c.Approvals.Stages
	p.TrafficSwitch = *c.TrafficSwitch
	p.Teardown = *c.Teardown
	p.Bookkeeping = c.Bookkeeping
	return p, ids.issues
}

// waitedFor returns the migration items to target that refs name (all of
// them when refs is empty), in plan order.
func waitedFor(items []MigrationItem, target string, refs []MigrationRef) []*MigrationItem {
	var out []*MigrationItem
	for i := range items {
		m := &items[i]
		if m.Target != target {
			continue
		}
		if len(refs) == 0 || slices.ContainsFunc(refs, func(r MigrationRef) bool {
			return r.Source == m.Source && (r.Snapshot == "" || r.Snapshot == m.Snapshot) &&
				(r.Migration == "" || r.Migration == m.Migration)
		}) {
			out = append(out, m)
		}
	}
	return out
}

// replayedSources returns the sources with a capture proxy that the waited-for
// migrations come from, or every source with a capture proxy when none of
// them has one. The result is sorted.
func replayedSources(waits []*MigrationItem, captures map[string]*CaptureItem) []string {
	var out []string
	for _, m := range waits {
		if captures[m.Source] != nil && !slices.Contains(out, m.Source) {
			out = append(out, m.Source)
		}
	}
	if len(out) == 0 {
		for s := range captures {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// idSet finds ids given to two items.
type idSet struct {
	seen   map[string]string // id -> what has it
	issues []planIssue
}

func (s *idSet) add(id string, path []string, what string) {
	if other, dup := s.seen[id]; dup {
		s.issues = append(s.issues, planIssue{path: path, msg: msgSameID(id, other), hint: hintSameID})
		return
	}
	s.seen[id] = what
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// withDefaults returns a deep copy of c with every default applied: absent
// optional parts that have settings are filled in, selectors are never nil,
// and a migration's targets are listed.
func withDefaults(in *Config) *Config {
	v, _ := plainValue(in)
	c, _ := decode(v) // a deep copy; in is valid, so neither step fails

	for name, t := range c.Targets {
		t.Auth = authDefaults(t.Auth)
		c.Targets[name] = t
	}
	for name, s := range c.Sources {
		s.Auth = authDefaults(s.Auth)
		if s.Capture != nil {
			s.Capture.Replicas = or(s.Capture.Replicas, defaultCaptureReplicas)
			s.Capture.ListenPort = or(s.Capture.ListenPort, defaultListenPort)
			if s.Capture.Kafka != nil {
				s.Capture.Kafka.Topic = or(s.Capture.Kafka.Topic, name)
			}
		}
		for sn, snap := range s.Snapshots {
			if snap.Create == nil && snap.Adopt == nil {
				snap.Create = &CreateSnapshot{}
			}
			if snap.Create != nil {
				snap.Create.Repo = or(snap.Create.Repo, defaultRepo)
			}
			snap.Indices = selectorOr(snap.Indices, &Selector{})
			for i := range snap.Migrations {
				m := &snap.Migrations[i]
				if len(m.Targets) == 0 {
					m.Targets = sortedNames(c.Targets)
				}
				indices := snap.Indices
				if m.Metadata != nil {
					m.Metadata.Indices = selectorOr(m.Metadata.Indices, snap.Indices)
					m.Metadata.IndexTemplates = selectorOr(m.Metadata.IndexTemplates, &Selector{})
					m.Metadata.ComponentTemplates = selectorOr(m.Metadata.ComponentTemplates, &Selector{})
					indices = m.Metadata.Indices
				}
				if m.Backfill != nil {
					m.Backfill.Indices = selectorOr(m.Backfill.Indices, indices)
					m.Backfill.Workers = or(m.Backfill.Workers, defaultWorkers)
					m.Backfill.BatchSize = or(m.Backfill.BatchSize, defaultBatchSize)
				}
			}
			s.Snapshots[sn] = snap
		}
		c.Sources[name] = s
	}
	for name, r := range c.Replayers {
		r.SpeedupFactor = or(r.SpeedupFactor, defaultSpeedup)
		c.Replayers[name] = r
	}

	if c.Approvals == nil {
		c.Approvals = &Approvals{}
	}
	c.Approvals.Default = or(c.Approvals.Default, defaultApproval)
	if c.Approvals.Stages == nil {
		c.Approvals.Stages = &StageApprovals{}
	}
	st, d := c.Approvals.Stages, c.Approvals.Default
	for _, a := range []*Approval{&st.Capture, &st.Snapshot, &st.Metadata, &st.Backfill, &st.Replay, &st.TrafficSwitch, &st.Teardown} {
		*a = or(*a, d)
	}

	if c.TrafficSwitch == nil {
		c.TrafficSwitch = &TrafficSwitch{}
	}
	ts := c.TrafficSwitch
	if len(ts.Steps) == 0 {
		ts.Steps = []int{100}
	}
	ts.StepInterval = or(ts.StepInterval, defaultStepInterval)
	if ts.Target == "" && len(c.Targets) == 1 {
		ts.Target = sortedNames(c.Targets)[0]
	}

	if c.Teardown == nil {
		c.Teardown = &Teardown{}
	}
	c.Teardown.Delay = or(c.Teardown.Delay, defaultTeardownDelay)
	if c.Bookkeeping != nil {
		c.Bookkeeping.Endpoint = or(c.Bookkeeping.Endpoint, DefaultBookkeeping)
		c.Bookkeeping.LeaseSeconds = or(c.Bookkeeping.LeaseSeconds, defaultLeaseSeconds)
	}
	return c
}

func authDefaults(a *Auth) *Auth {
	if a == nil {
		return nil
	}
	if a.Basic != nil {
		a.Basic.UsernameKey = or(a.Basic.UsernameKey, defaultUsernameKey)
		a.Basic.PasswordKey = or(a.Basic.PasswordKey, defaultPasswordKey)
	}
	if a.SigV4 != nil {
		a.SigV4.Service = or(a.SigV4.Service, defaultSigV4Service)
	}
	return a
}

// or returns v, or def when v is the zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// selectorOr returns a copy of s, or of def when s is nil.
func selectorOr(s, def *Selector) *Selector {
	if s == nil {
		s = def
	}
	cp := Selector{Allow: slices.Clone(s.Allow), Exclude: slices.Clone(s.Exclude)}
	return &cp
}
