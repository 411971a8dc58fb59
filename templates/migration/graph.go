package migration

import "github.com/migratekit/migrate/graph"

// Graph is the run a config implies, for review: a node per step of each
// unit, an edge per dependency. It is drawn from the units' decided steps
// (the same decisions the workflow reads), so a step marked skipped is one
// the workflow skips, and an approval not marked skipped pauses.
type Graph = graph.Graph

// GraphNode is one step of one unit (Unit is the unit's id, Step the
// step's name as in Processes), or a junction.
type GraphNode = graph.Node

type graphBuilder struct {
	g Graph
}

func (b *graphBuilder) node(n GraphNode) string {
	b.g.Nodes = append(b.g.Nodes, n)
	return n.ID
}

func (b *graphBuilder) edge(from, to string) {
	if from != "" && to != "" {
		b.g.Edges = append(b.g.Edges, [2]string{from, to})
	}
}

// unit adds a unit's steps after each of from, in order, and returns the
// last one.
func (b *graphBuilder) unit(u Unit, from ...string) string {
	prev := from
	var last string
	for i, d := range Processes[u.Kind] {
		s := u.Steps[i]
		label := d.Label
		if u.Kind != KindTeardown {
			label = u.ID + ": " + label
		}
		last = b.node(GraphNode{ID: u.ID + "/" + d.Name, Label: label, Unit: u.ID, Step: d.Name, Skipped: !s.Run, Approval: d.Kind == StepGate})
		for _, p := range prev {
			b.edge(p, last)
		}
		prev = []string{last}
	}
	return last
}

// NewGraph draws the run.
func NewGraph(r *Run) Graph {
	b := &graphBuilder{g: Graph{Name: "migration"}}
	start := b.node(GraphNode{ID: "start", Label: "start"})
	captured := b.node(GraphNode{ID: "captures-done", Label: "captures ready"})
	if len(r.Captures) == 0 {
		b.edge(start, captured)
	}
	for _, c := range r.Captures {
		b.edge(b.unit(c.Unit, start), captured)
	}
	snapshotted := b.node(GraphNode{ID: "snapshots-done", Label: "snapshots ready"})
	if len(r.Snapshots) == 0 {
		b.edge(captured, snapshotted)
	}
	for _, s := range r.Snapshots {
		b.edge(b.unit(s.Unit, captured), snapshotted)
	}
	end := b.node(GraphNode{ID: "targets-done", Label: "targets done"})
	if len(r.Migrations) == 0 && len(r.Replays) == 0 {
		b.edge(snapshotted, end)
	}
	migrations := map[string]MigrationUnit{}
	for _, m := range r.Migrations {
		migrations[m.ID] = m
	}
	replays := map[string]ReplayUnit{}
	for _, rp := range r.Replays {
		replays[rp.ID] = rp
	}
	for _, t := range r.Targets {
		var waited []string
		for _, id := range t.Migrations {
			waited = append(waited, b.unit(migrations[id].Unit, snapshotted))
		}
		for _, id := range t.Others {
			b.edge(b.unit(migrations[id].Unit, snapshotted), end)
		}
		if len(waited) == 0 && len(t.Replays) > 0 {
			waited = []string{snapshotted}
		}
		for _, id := range t.Replays {
			b.edge(b.unit(replays[id].Unit, waited...), end)
		}
		if len(t.Replays) == 0 {
			for _, w := range waited {
				b.edge(w, end)
			}
		}
	}
	b.unit(r.Teardown.Unit, end)
	return b.g
}
