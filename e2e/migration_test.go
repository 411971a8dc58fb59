package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/packer"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/e2e/kubelet"
	"github.com/migratekit/migrate/e2e/scenario"
	"github.com/migratekit/migrate/templates/migration"
)

// migrationConfigs holds the migration library's test configs.
const migrationConfigs = "testdata/migration/configs"

// install is how the README installs a compiled run.
var install = []scenario.Step{
	{Kubectl: "apply -f run/rbac.yaml -f run/units.yaml -f run/migration.yaml"},
	{Kubectl: "create -f run/workflow.yaml"},
}

// migrationScenarios are generated from the library's test configs (and
// one of 100 units): per config, a run in which every gate is approved
// with a plain `argo resume`, whose node phases must be what `migrate
// graph` draws, and a run of the rollback entrypoint, whose undo steps
// must be those the plan's units declare.
func migrationScenarios() ([]*scenario.Scenario, map[string]func(*testing.T, *scenario.Outcome), error) {
	entries, err := os.ReadDir(filepath.Join("..", migrationConfigs))
	if err != nil {
		return nil, nil, err
	}
	configs := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("..", migrationConfigs, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		configs[path.Join(migrationConfigs, e.Name())] = data
	}
	configs["hundred-units.yaml"] = hundredUnits()
	var out []*scenario.Scenario
	checks := map[string]func(*testing.T, *scenario.Outcome){}
	for _, name := range slices.Sorted(maps.Keys(configs)) {
		data := configs[name]
		_, run, err := migration.Compile(path.Base(name), data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		base := strings.TrimSuffix(path.Base(name), ".yaml")
		files := map[string][]byte{}
		if !strings.Contains(name, "/") {
			files[name] = data
		}
		approved := &scenario.Scenario{
			Name: "migration-graph-" + base, About: "generated from " + name,
			Files: files, Compile: &scenario.Compile{Config: name},
			Timeout: metav1.Duration{Duration: 12 * time.Minute},
			Steps: append(append([]scenario.Step{}, install...),
				scenario.Step{Argo: "resume ${WF}", UntilDone: true},
				scenario.Step{Want: &scenario.Want{Phase: "Succeeded"}}),
		}
		graph := migration.NewGraph(run)
		// 100 units are at the object limit: Workflows of 1,052,005 to
		// 1,066,282 bytes measured, over it (the controller compressing
		// the node status) in all runs but one. Their size is recorded,
		// not checked, until units cost fewer nodes (docs/migration.md).
		checkSize := name != "hundred-units.yaml"
		checks[approved.Name] = func(t *testing.T, out *scenario.Outcome) {
			wf := out.Last().Workflow
			reportSize(t, base, wf, checkSize)
			if err := packer.DecompressWorkflow(wf); err != nil {
				t.Fatal(err)
			}
			checkGraph(t, graph, wf)
		}
		rollback := &scenario.Scenario{
			Name: "migration-rollback-" + base, About: "generated from " + name,
			Files: files, Compile: &scenario.Compile{Config: name},
			Timeout: metav1.Duration{Duration: 6 * time.Minute},
			Steps: []scenario.Step{
				{Kubectl: "apply -f run/rbac.yaml -f run/units.yaml -f run/migration.yaml"},
				{Argo: "submit run/workflow.yaml --entrypoint rollback"},
				{Want: &scenario.Want{Phase: "Succeeded", Match: rollbackWants(run)}},
			},
		}
		for _, s := range []*scenario.Scenario{approved, rollback} {
			if err := s.Prepare(); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, approved, rollback)
	}
	stages, err := stageScenarios()
	if err != nil {
		return nil, nil, err
	}
	return append(out, stages...), checks, nil
}

// handWritten are the gates whose rejection has a scenario file of its
// own (testdata/migration-reject-*.txtar), with more to check.
var handWritten = map[string]bool{"capture": true, "backfill": true, "traffic-switch": true}

// configStages are the approval stages of a config, by gate stage.
var configStages = map[string]string{
	"capture": "capture", "snapshot": "snapshot", "metadata": "metadata", "backfill": "backfill",
	"replay": "replay", "traffic-switch": "trafficSwitch", "teardown": "teardown",
}

// stageScenarios are generated from the process model and single.yaml,
// whose units have every step: for each gate, a run in which only that
// gate pauses and is rejected with `argo node set --phase Failed`; for
// each console step, a run in which it fails for good (exit 2). Each wants
// the unit Failed, the undo of every step that ran before (and of the
// failed step itself) Succeeded, and nothing after it run.
func stageScenarios() ([]*scenario.Scenario, error) {
	base, err := os.ReadFile(filepath.Join("..", migrationConfigs, "single.yaml"))
	if err != nil {
		return nil, err
	}
	var out []*scenario.Scenario
	// Each scenario has a target of its own (its own unit ids, Deployment
	// and lock): scenarios run side by side in one namespace.
	n := 0
	add := func(name, approvals string, steps func(rename func(string) string) []scenario.Step, unit migration.Unit, at int, pods []kubelet.Rule) error {
		n++
		target := fmt.Sprintf("stage%02d", n)
		rename := func(s string) string { return strings.ReplaceAll(s, "search", target) }
		config := rename(string(base)) + approvals
		files := map[string][]byte{"config.yaml": []byte(config)}
		_, run, err := migration.Compile("config.yaml", []byte(config))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, u := range run.Headers() {
			if u.ID == rename(unit.ID) {
				unit = u
			}
		}
		want := &scenario.Want{Phase: "Failed", Match: stageWants(unit, at)}
		var more []scenario.Step
		if steps != nil {
			more = steps(rename)
		}
		all := append(append([]scenario.Step{}, install...), more...)
		all[1].Pods = pods
		all = append(all, scenario.Step{Want: want})
		s := &scenario.Scenario{Name: name, About: "generated from the process model and single.yaml", Files: files,
			Compile: &scenario.Compile{Config: "config.yaml"}, Steps: all, Timeout: metav1.Duration{Duration: 8 * time.Minute}}
		if err := s.Prepare(); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	}
	_, run, err := migration.Compile("single.yaml", base)
	if err != nil {
		return nil, err
	}
	for _, u := range run.Headers() {
		if u.Kind == migration.KindTeardown {
			continue // nothing to undo after a teardown
		}
		for i, d := range migration.Processes[u.Kind] {
			if !u.Steps[i].Run && d.Kind != migration.StepGate {
				continue
			}
			switch d.Kind {
			case migration.StepGate:
				if handWritten[d.Stage] {
					continue
				}
				approvals := fmt.Sprintf("approvals:\n  default: auto\n  stages:\n    %s: manual\n", configStages[d.Stage])
				gate := d.Name + "(0:" + u.ID + ")"
				err = add("migration-reject-at-"+d.Stage, approvals, func(rename func(string) string) []scenario.Step {
					return []scenario.Step{
						{Await: &scenario.Await{Node: scenario.Match{DisplayName: rename(gate)}}},
						{Argo: "node set ${WF} --phase Failed --message rejected --node-field-selector displayName=" + rename(gate)},
					}
				}, u, i, nil)
			case migration.StepConsole:
				err = add("migration-fail-at-"+d.Name, "approvals:\n  default: auto\n", nil, u, i,
					[]kubelet.Rule{{Template: d.Name, Behaviour: kubelet.Behaviour{Exit: 2, Message: "failed for good"}}})
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// stageWants: step at of unit failed (or was rejected); the undo of each
// step up to it that ran succeeded; no later step ran.
func stageWants(u migration.Unit, at int) []scenario.Match {
	steps := migration.Processes[u.Kind]
	one := 1
	phase := "Failed"
	out := []scenario.Match{}
	if steps[at].Kind == migration.StepGate {
		out = append(out, scenario.Match{DisplayName: steps[at].Name + "(0:" + u.ID + ")", Phase: phase})
	} else {
		out = append(out, scenario.Match{DisplayName: steps[at].Name, Unit: u.ID, Phase: phase})
	}
	for i, d := range steps {
		switch {
		case i <= at && d.Undo != nil && u.Steps[i].Run:
			out = append(out, scenario.Match{DisplayName: d.Undo.Name, Unit: u.ID, Phase: "Succeeded", Count: &one})
		case d.Undo != nil:
			out = append(out, scenario.Match{DisplayName: d.Undo.Name, Unit: u.ID, NotRun: true})
		}
		if i > at && d.Kind != migration.StepGate {
			out = append(out, scenario.Match{DisplayName: d.Name, Unit: u.ID, NotRun: true})
		}
	}
	return out
}

// rollbackWants are the undo steps of every unit: each one the plan runs a
// step of runs once, the others do not run, and no step but an undo runs.
func rollbackWants(run *migration.Run) []scenario.Match {
	var out []scenario.Match
	for _, u := range run.Headers() {
		for _, s := range u.Steps {
			if s.Undo == "" {
				continue
			}
			m := scenario.Match{DisplayName: s.Undo, Unit: u.ID}
			if s.Run {
				one := 1
				m.Phase, m.Count = "Succeeded", &one
			} else {
				m.NotRun = true
			}
			out = append(out, m)
		}
		for _, s := range u.Steps {
			out = append(out, scenario.Match{DisplayName: s.Name, Unit: u.ID, NotRun: true})
		}
	}
	return out
}

// checkGraph compares what `migrate graph` draws for the run with the node
// phases of the workflow, every gate approved: a step drawn as run
// succeeded, an approval drawn as pausing was a suspend node that
// succeeded, and a step drawn as skipped did not run.
func checkGraph(t *testing.T, g migration.Graph, wf *wfv1.Workflow) {
	t.Helper()
	for _, n := range g.Nodes {
		if n.Unit == "" {
			continue
		}
		display := n.Step
		if n.Approval {
			display = n.Step + "(0:" + n.Unit + ")"
		}
		var found []wfv1.NodeStatus
		for _, s := range wf.Status.Nodes {
			if s.DisplayName == display && scenario.UnitID(s) == n.Unit {
				found = append(found, s)
			}
		}
		switch {
		case n.Skipped:
			for _, s := range found {
				if s.Phase != wfv1.NodeSkipped && s.Phase != wfv1.NodeOmitted {
					t.Errorf("graph: %s is drawn skipped, but node %s is %s", n.ID, s.Name, s.Phase)
				}
			}
		case len(found) != 1:
			t.Errorf("graph: %s is drawn as run, but %d nodes %s of unit %s exist", n.ID, len(found), display, n.Unit)
		case found[0].Phase != wfv1.NodeSucceeded:
			t.Errorf("graph: %s is drawn as run, but node %s is %s", n.ID, found[0].Name, found[0].Phase)
		case n.Approval && found[0].Type != wfv1.NodeTypeSuspend:
			t.Errorf("graph: %s is drawn as a pausing approval, but node %s is a %s node", n.ID, found[0].Name, found[0].Type)
		}
	}
}

// reportSize logs the workflow's size on the API server and its longest
// node names, and with check fails when the object is over 1 MiB or the
// controller compressed or offloaded its nodes.
func reportSize(t *testing.T, config string, wf *wfv1.Workflow, check bool) {
	t.Helper()
	compressed := wf.Status.CompressedNodes != ""
	if compressed {
		// The controller compresses the node status of a workflow over
		// its size limit; measure what it would have been.
		wf = wf.DeepCopy()
		if err := packer.DecompressWorkflow(wf); err != nil {
			t.Fatal(err)
		}
	}
	status, _ := json.Marshal(wf.Status)
	whole, _ := json.Marshal(wf)
	longest, longestName := "", ""
	for _, n := range wf.Status.Nodes {
		if len(n.DisplayName) > len(longest) {
			longest = n.DisplayName
		}
		if len(n.Name) > len(longestName) {
			longestName = n.Name
		}
	}
	line := fmt.Sprintf("size %s: %d nodes (compressed by the controller: %v), status %d bytes, workflow %d bytes, longest display name %d (%s), longest node name %d",
		config, len(wf.Status.Nodes), compressed, len(status), len(whole), len(longest), longest, len(longestName))
	t.Log(line)
	summary.Lock()
	summary.sizes = append(summary.sizes, line)
	summary.Unlock()
	if check && len(whole) > 1<<20 {
		t.Errorf("the workflow is %d bytes, over the 1 MiB an object may have", len(whole))
	}
	if check && (wf.Status.OffloadNodeStatusVersion != "" || compressed) {
		t.Errorf("the controller offloaded or compressed the node status")
	}
	if len(longest) > 100 {
		t.Errorf("display name %q is %d characters, over 100", longest, len(longest))
	}
}

// hundredUnits is a config of 100 migration units: ten migrations of one
// snapshot, each to ten targets, metadata only, no approvals.
func hundredUnits() []byte {
	var b strings.Builder
	b.WriteString("# 100 migration units: ten migrations of one snapshot to ten targets.\ntargets:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "  t%02d:\n    endpoint: https://t%02d.example.com:9200\n", i, i)
	}
	b.WriteString("sources:\n  legacy:\n    endpoint: https://legacy.example.com:9200\n    version: ES 7.10\n" +
		"    snapshots:\n      nightly:\n        create: {repo: migrations}\n        migrations:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "          - name: index-%02d\n            metadata:\n              indices: {allow: [index-%02d]}\n", i, i)
	}
	b.WriteString("approvals:\n  default: skip\n")
	return []byte(b.String())
}
