package migration

import (
	"fmt"
	"io"
	"strings"
)

// Graph is the run a config implies, stage by stage, for review: a node per
// step of each unit, an edge per dependency, skipped steps marked.
type Graph struct {
	Nodes []GraphNode
	Edges [][2]string
}

// GraphNode is one step of one unit.
type GraphNode struct {
	ID, Label string
	Skipped   bool // the config turns this step off
	Approval  bool // a person approves here
}

type graphBuilder struct {
	g    Graph
	seen map[string]bool
}

func (b *graphBuilder) node(id, label string, skipped, approval bool) string {
	if !b.seen[id] {
		b.seen[id] = true
		b.g.Nodes = append(b.g.Nodes, GraphNode{ID: id, Label: label, Skipped: skipped, Approval: approval})
	}
	return id
}

func (b *graphBuilder) edge(from, to string) {
	if from != "" && to != "" {
		b.g.Edges = append(b.g.Edges, [2]string{from, to})
	}
}

// chain adds steps of a unit in order; a skipped step keeps the chain.
func (b *graphBuilder) chain(prev string, unit string, steps ...step) string {
	for _, s := range steps {
		id := b.node(unit+"/"+s.name, s.name, s.skipped, s.approval)
		b.edge(prev, id)
		prev = id
	}
	return prev
}

type step struct {
	name              string
	skipped, approval bool
}

func approvalStep(stage, mode string) step {
	return step{name: "approve " + stage, skipped: mode != manual, approval: true}
}

// NewGraph draws the run.
func NewGraph(r *Run) Graph {
	b := &graphBuilder{seen: map[string]bool{}}
	start := b.node("start", "start", false, false)
	capturesDone := b.node("captures-done", "captures ready", len(r.Captures) == 0, false)
	for _, c := range r.Captures {
		last := b.chain(start, c.ID, step{name: "deploy proxy"}, step{name: "wait healthy"}, step{name: "start capture"}, step{name: "wait recording"}, approvalStep("capture", c.Approval))
		b.edge(last, capturesDone)
	}
	if len(r.Captures) == 0 {
		b.edge(start, capturesDone)
	}
	snapshotEnd := map[string]string{}
	for _, s := range r.Snapshots {
		first := step{name: "create snapshot " + s.Name}
		if s.Adopt {
			first = step{name: "adopt snapshot " + s.Name}
		}
		snapshotEnd[s.ID] = b.chain(capturesDone, s.ID, first, approvalStep("snapshot", s.Approval))
	}
	migrationEnd := map[string]string{}
	for _, m := range r.Migrations {
		migrationEnd[m.ID] = b.chain(snapshotEnd[m.Snapshot], m.ID,
			step{name: "evaluate metadata", skipped: !m.Metadata},
			approvalStep("metadata", modeIf(m.Metadata, m.MetadataApproval)),
			step{name: "migrate metadata", skipped: !m.Metadata},
			step{name: "deploy backfill x" + fmt.Sprint(m.Workers), skipped: !m.Backfill},
			step{name: "wait backfill", skipped: !m.Backfill},
			step{name: "scale down backfill", skipped: !m.Backfill},
			approvalStep("backfill", modeIf(m.Backfill, m.BackfillApproval)),
		)
	}
	allDone := b.node("migrations-done", "all migrations done", false, false)
	for _, m := range r.Migrations {
		b.edge(migrationEnd[m.ID], allDone)
	}
	if len(r.Migrations) == 0 {
		b.edge(capturesDone, allDone)
	}
	end := b.node("end", "end", false, false)
	replaysDone := allDone
	if len(r.Replays) > 0 {
		replaysDone = b.node("replays-done", "replays done", false, false)
	}
	for _, rp := range r.Replays {
		latch := b.node(rp.ID+"/latch", fmt.Sprintf("%d migrations done for %s", len(rp.WaitFor), rp.Target), false, false)
		for _, w := range rp.WaitFor {
			b.edge(migrationEnd[w], latch)
		}
		b.edge(allDone, latch)
		last := b.chain(latch, rp.ID,
			step{name: "start replay"}, step{name: "wait caught up"}, step{name: "validate"},
			approvalStep("replay", rp.Approval),
			approvalStep("traffic switch", modeIf(rp.Switch, rp.SwitchApproval)),
			step{name: "switch traffic " + switchSteps(rp.SwitchSteps), skipped: !rp.Switch},
			step{name: "upgrade clients", skipped: !rp.Switch},
		)
		b.edge(last, replaysDone)
	}
	td := r.Teardown
	last := b.chain(replaysDone, "teardown",
		step{name: "wait " + td.Delay, skipped: !td.Enabled},
		approvalStep("teardown", modeIf(td.Enabled, td.Approval)),
		step{name: "tear down", skipped: !td.Enabled},
	)
	b.edge(last, end)
	return b.g
}

func modeIf(on bool, mode string) string {
	if !on {
		return skip
	}
	return mode
}

func switchSteps(steps []int) string {
	var parts []string
	for _, s := range steps {
		parts = append(parts, fmt.Sprint(s, "%"))
	}
	return strings.Join(parts, " ")
}

// Mermaid writes the graph as a Mermaid flowchart; skipped steps are drawn
// dashed and grey, approvals as hexagons.
func (g Graph) Mermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	b.WriteString("  classDef skipped stroke-dasharray: 4 4,color:#999,stroke:#bbb\n")
	ids := map[string]string{}
	for i, n := range g.Nodes {
		ids[n.ID] = fmt.Sprintf("n%d", i)
		label := strings.ReplaceAll(n.Label, `"`, "'")
		if n.Skipped {
			label += " (skipped)"
		}
		shape := `["%s"]`
		if n.Approval {
			shape = `{{"%s"}}`
		}
		fmt.Fprintf(&b, "  %s"+shape+"\n", ids[n.ID], label)
		if n.Skipped {
			fmt.Fprintf(&b, "  class %s skipped\n", ids[n.ID])
		}
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "  %s --> %s\n", ids[e[0]], ids[e[1]])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DOT writes the graph in Graphviz's language.
func (g Graph) DOT(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph migration {\n  rankdir=TB;\n  node [shape=box];\n")
	for _, n := range g.Nodes {
		attrs := fmt.Sprintf("label=%q", n.Label)
		if n.Approval {
			attrs += ", shape=hexagon"
		}
		if n.Skipped {
			attrs += `, style=dashed, fontcolor="#999999", xlabel="skipped"`
		}
		fmt.Fprintf(&b, "  %q [%s];\n", n.ID, attrs)
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "  %q -> %q;\n", e[0], e[1])
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
