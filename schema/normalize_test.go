package schema

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// planConfig has two targets, a source with a capture proxy and two
// snapshots, and a second source; migrations go to one or both targets, and
// each target has a replayer.
const planConfig = `
targets:
  t1: {endpoint: "https://t1.example.com"}
  t2: {endpoint: "https://t2.example.com"}
sources:
  a:
    endpoint: https://a.example.com
    version: ES 7.10
    capture: {}
    snapshots:
      s1:
        indices: {allow: ["logs-*"]}
        migrations:
          - {name: logs, metadata: {}, backfill: {indices: {allow: ["logs-1"]}}}
          - {name: rest, targets: [t1], backfill: {}}
      s2:
        migrations:
          - {name: all, metadata: {}}
  b:
    endpoint: https://b.example.com
    version: OS 2.x
    snapshots:
      s1:
        migrations:
          - {name: all, targets: [t2], backfill: {}}
replayers:
  t1: {}
  t2:
    waitFor: [{source: b}]
`

func loadPlan(t *testing.T, yaml string) (*Config, *Plan) {
	t.Helper()
	cfg, errs := Load("plan.yaml", []byte(yaml))
	if len(errs) > 0 {
		t.Fatalf("Load:\n%v", errs)
	}
	p, err := Normalize(cfg)
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	return cfg, p
}

// checksums maps every item id to its checksum.
func checksums(p *Plan) map[string]string {
	m := map[string]string{}
	for _, it := range items(p) {
		m[it.ID] = it.Checksum
	}
	return m
}

func items(p *Plan) []Item {
	var out []Item
	for _, x := range p.Targets {
		out = append(out, x.Item)
	}
	for _, x := range p.Sources {
		out = append(out, x.Item)
	}
	for _, x := range p.Captures {
		out = append(out, x.Item)
	}
	for _, x := range p.Snapshots {
		out = append(out, x.Item)
	}
	for _, x := range p.Migrations {
		out = append(out, x.Item)
	}
	for _, x := range p.Replays {
		out = append(out, x.Item)
	}
	return out
}

// changed lists the ids whose checksum differs; both plans must have the
// same ids.
func changed(t *testing.T, before, after *Plan) []string {
	t.Helper()
	b, a := checksums(before), checksums(after)
	if !slices.Equal(slices.Sorted(maps.Keys(b)), slices.Sorted(maps.Keys(a))) {
		t.Fatalf("ids changed:\n%v\n%v", slices.Sorted(maps.Keys(b)), slices.Sorted(maps.Keys(a)))
	}
	var out []string
	for id, sum := range b {
		if a[id] != sum {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// TestChecksumsChangeDownstream changes one setting at a time and checks
// that exactly the item it belongs to and the items downstream of it get a
// new checksum.
func TestChecksumsChangeDownstream(t *testing.T) {
	_, base := loadPlan(t, planConfig)
	cases := []struct {
		name   string
		edit   func(c *Config)
		change []string
	}{{
		name: "snapshot indices",
		edit: func(c *Config) { c.Sources["a"].Snapshots["s1"].Indices.Allow = []string{"logs-*", "more"} },
		change: []string{
			"migration-a-s1-logs-t1", "migration-a-s1-logs-t2", "migration-a-s1-rest-t1",
			"replay-t1", "snapshot-a-s1",
		},
	}, {
		name: "snapshot repository",
		edit: func(c *Config) {
			c.Sources["b"].Snapshots["s1"] = withRepo(c.Sources["b"].Snapshots["s1"], "other-repo")
		},
		change: []string{
			"migration-b-s1-all-t2", "replay-t2", "snapshot-b-s1",
		},
	}, {
		name:   "migration metadata",
		edit:   func(c *Config) { c.Sources["a"].Snapshots["s2"].Migrations[0].Metadata.Transforms = []string{"x"} },
		change: []string{"migration-a-s2-all-t1", "migration-a-s2-all-t2", "replay-t1"},
	}, {
		name: "target endpoint",
		edit: func(c *Config) { c.Targets["t2"] = Target{Endpoint: "https://t2-new.example.com"} },
		change: []string{
			"migration-a-s1-logs-t2", "migration-a-s2-all-t2", "migration-b-s1-all-t2",
			"replay-t2", "target-t2",
		},
	}, {
		name:   "capture replicas",
		edit:   func(c *Config) { c.Sources["a"].Capture.Replicas = 3 },
		change: []string{"capture-a", "replay-t1", "replay-t2"},
	}, {
		name: "source version",
		edit: func(c *Config) { s := c.Sources["b"]; s.Version = "OS 2.11"; c.Sources["b"] = s },
		change: []string{
			"migration-b-s1-all-t2", "replay-t2", "snapshot-b-s1", "source-b",
		},
	}, {
		name:   "replayer speed",
		edit:   func(c *Config) { r := c.Replayers["t1"]; r.SpeedupFactor = 3; c.Replayers["t1"] = r },
		change: []string{"replay-t1"},
	}, {
		name:   "approvals (not an input of any work)",
		edit:   func(c *Config) { c.Approvals = &Approvals{Default: ApprovalAuto} },
		change: nil,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := loadPlan(t, planConfig)
			c.edit(cfg)
			after, err := Normalize(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := changed(t, base, after)
			if !slices.Equal(got, c.change) {
				t.Errorf("changed checksums:\n got %v\nwant %v", got, c.change)
			}
			if want := downstream(base, c.change); !slices.Equal(c.change, want) {
				t.Errorf("the expected changes are not closed under dependsOn: %v, closure %v", c.change, want)
			}
		})
	}
}

func withRepo(s Snapshot, repo string) Snapshot {
	s.Create = &CreateSnapshot{Repo: repo}
	return s
}

// downstream closes a set of ids under "depends on", using the plan's
// dependsOn lists.
func downstream(p *Plan, ids []string) []string {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	for grew := true; grew; {
		grew = false
		for _, it := range items(p) {
			if set[it.ID] {
				continue
			}
			for _, d := range it.DependsOn {
				if set[d] {
					set[it.ID], grew = true, true
					break
				}
			}
		}
	}
	out := slices.Sorted(maps.Keys(set))
	if len(out) == 0 {
		return nil
	}
	return out
}

// TestPlanExpansion checks the items of the plan: one per source × snapshot ×
// migration × target, and what each depends on.
func TestPlanExpansion(t *testing.T) {
	_, p := loadPlan(t, planConfig)
	var ids []string
	for _, it := range items(p) {
		ids = append(ids, it.ID)
	}
	want := []string{
		"target-t1", "target-t2", "source-a", "source-b", "capture-a",
		"snapshot-a-s1", "snapshot-a-s2", "snapshot-b-s1",
		"migration-a-s1-logs-t1", "migration-a-s1-logs-t2", "migration-a-s1-rest-t1",
		"migration-a-s2-all-t1", "migration-a-s2-all-t2", "migration-b-s1-all-t2",
		"replay-t1", "replay-t2",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("ids:\n got %v\nwant %v", ids, want)
	}
	r1, r2 := p.Replays[0], p.Replays[1]
	if want := []string{"target-t1", "capture-a", "migration-a-s1-logs-t1", "migration-a-s1-rest-t1", "migration-a-s2-all-t1"}; !slices.Equal(r1.DependsOn, want) {
		t.Errorf("replay-t1 depends on %v, want %v", r1.DependsOn, want)
	}
	// t2 waits only for source b, which has no capture: it replays what a
	// captured.
	if want := []string{"migration-b-s1-all-t2"}; !slices.Equal(r2.WaitFor, want) || !slices.Equal(r2.Sources, []string{"a"}) {
		t.Errorf("replay-t2 waits for %v and replays %v", r2.WaitFor, r2.Sources)
	}
	m := p.Migrations[0]
	if got := m.Backfill.Indices.Allow; !slices.Equal(got, []string{"logs-1"}) {
		t.Errorf("backfill indices %v", got)
	}
	if got := m.Metadata.Indices.Allow; !slices.Equal(got, []string{"logs-*"}) {
		t.Errorf("metadata indices default to the snapshot's: got %v", got)
	}
}

// TestDefaultsDoNotChangeChecksums writes every default out and expects the
// same plan as when they are left out.
func TestDefaultsDoNotChangeChecksums(t *testing.T) {
	_, implicit := loadPlan(t, planConfig)
	explicit := strings.NewReplacer(
		"capture: {}", "capture: {replicas: 1, listenPort: 9200}",
		"{name: rest, targets: [t1], backfill: {}}", "{name: rest, targets: [t1], backfill: {workers: 1, batchSize: 1000}}",
		"  t1: {}\n", "  t1: {speedupFactor: 1}\n",
		"      s2:\n", "      s2:\n        create: {repo: migration-assistant}\n        indices: {}\n",
	).Replace(planConfig)
	if explicit == planConfig {
		t.Fatal("nothing replaced")
	}
	_, p := loadPlan(t, explicit)
	if got := changed(t, implicit, p); len(got) > 0 {
		t.Errorf("writing the defaults out changed %v", got)
	}
}

// TestNormalizeIsDeterministic normalises twice, and the same config with
// its keys in another order, and expects byte-identical JSON.
func TestNormalizeIsDeterministic(t *testing.T) {
	cfg, p1 := loadPlan(t, planConfig)
	p2, err := Normalize(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reordered := `
replayers:
  t2:
    waitFor: [{source: b}]
  t1: {}
sources:
  b:
    version: OS 2.x
    endpoint: https://b.example.com
    snapshots:
      s1:
        migrations:
          - {backfill: {}, targets: [t2], name: all}
  a:
    snapshots:
      s2:
        migrations:
          - {name: all, metadata: {}}
      s1:
        migrations:
          - {name: logs, metadata: {}, backfill: {indices: {allow: ["logs-1"]}}}
          - {name: rest, targets: [t1], backfill: {}}
        indices: {allow: ["logs-*"]}
    capture: {}
    version: ES 7.10
    endpoint: https://a.example.com
targets:
  t2: {endpoint: "https://t2.example.com"}
  t1: {endpoint: "https://t1.example.com"}
`
	_, p3 := loadPlan(t, reordered)
	j1, j2, j3 := mustJSON(t, p1), mustJSON(t, p2), mustJSON(t, p3)
	if !bytes.Equal(j1, j2) || !bytes.Equal(j1, j3) {
		t.Errorf("plans differ:\n%s\n%s\n%s", j1, j2, j3)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNormalizeLeavesInputAlone checks that defaults go into a copy.
func TestNormalizeLeavesInputAlone(t *testing.T) {
	cfg, _ := loadPlan(t, planConfig)
	before := mustJSON(t, cfg)
	if _, err := Normalize(cfg); err != nil {
		t.Fatal(err)
	}
	if after := mustJSON(t, cfg); !bytes.Equal(before, after) {
		t.Errorf("Normalize changed its input:\n%s\n%s", before, after)
	}
}

// TestNormalizeRefusesInvalid checks that a config built in Go is validated,
// with JSON paths in the problems.
func TestNormalizeRefusesInvalid(t *testing.T) {
	cfg := &Config{
		Targets: map[string]Target{"t": {Endpoint: "https://t.example.com"}},
		Sources: map[string]Source{"s": {Endpoint: "https://s.example.com", Version: "ES 7.10",
			Snapshots: map[string]Snapshot{"snap": {Migrations: []Migration{{Name: "m", Targets: []string{"x"}, Backfill: &Backfill{}}}}}}},
	}
	_, err := Normalize(cfg)
	errs, ok := err.(ErrorList)
	if !ok || len(errs) != 1 {
		t.Fatalf("got %v", err)
	}
	want := `sources.s.snapshots.snap.migrations[0].targets: unknown target "x" (the known ones are "t")`
	if got := errs[0].Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestIDs checks ids of names too long for a Kubernetes label.
func TestIDs(t *testing.T) {
	long := strings.Repeat("abcdefghij", 7)
	a, b := itemID(kindMigration, "s", long+"1"), itemID(kindMigration, "s", long+"2")
	for _, id := range []string{a, b} {
		if len(id) != maxIDLen || !label.MatchString(id) || !strings.HasPrefix(id, "migration-s-abcdefghij") {
			t.Errorf("id %q (%d characters)", id, len(id))
		}
	}
	if a == b {
		t.Errorf("names that differ only after the cut share id %q", a)
	}
	if got := itemID(kindTarget, "t"); got != "target-t" {
		t.Errorf("short id %q", got)
	}
	// A cut that ends in '-' does not leave "--" before the hash.
	if id := itemID(kindSource, strings.Repeat("a", 44)+"-"+strings.Repeat("b", 30)); strings.Contains(id, "--") {
		t.Errorf("id %q", id)
	}
}

// TestPlanIsJSON round-trips a plan through JSON: it is passed to workflows
// as an argument.
func TestPlanIsJSON(t *testing.T) {
	_, p := loadPlan(t, planConfig)
	var back Plan
	if err := json.Unmarshal(mustJSON(t, p), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*p, back) {
		t.Errorf("plan changed in a JSON round trip")
	}
}
