// Package graph draws processes for review: nodes and edges, written as a
// Mermaid flowchart or in Graphviz's DOT. The migration library draws the
// run a config implies with it; package cli draws the DAG and steps
// templates of any library.
package graph

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Graph is a directed graph of steps.
type Graph struct {
	Name  string // DOT's graph name; default "process"
	Nodes []Node
	Edges [][2]string // node IDs, from and to
}

// Node is one step, or a junction.
type Node struct {
	ID, Label string
	Unit      string // what the step belongs to (a work unit, a template); "" for junctions
	Step      string // the step's name within Unit
	Skipped   bool   // the step does not run (an approval: does not pause)
	Approval  bool   // a gate
}

// The formats Write knows.
const (
	Mermaid = "mermaid"
	DOT     = "dot"
	// FormatUsage is the usage of a --format flag.
	FormatUsage = "mermaid or dot"
)

// CheckFormat refuses a format Write does not know.
func CheckFormat(format string) error {
	if format != Mermaid && format != DOT {
		return fmt.Errorf("unknown --format %q: use mermaid or dot", format)
	}
	return nil
}

// Write writes the graph in format (see CheckFormat).
func (g Graph) Write(w io.Writer, format string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	if format == DOT {
		return g.DOT(w)
	}
	return g.Mermaid(w)
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

var dotID = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// DOT writes the graph in Graphviz's language.
func (g Graph) DOT(w io.Writer) error {
	name := g.Name
	if name == "" {
		name = "process"
	}
	if !dotID.MatchString(name) {
		name = fmt.Sprintf("%q", name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n  rankdir=TB;\n  node [shape=box];\n", name)
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
