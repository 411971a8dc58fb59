package cli

import (
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/graph"
	"github.com/migratekit/migrate/internal/ir"
)

// GraphCmd is the graph command over libs: each DAG and steps template
// drawn as its calls and their order.
func GraphCmd(io *IO, libs []Library) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "graph [LIBRARY...]",
		Short: "Draw the DAG and steps templates of libraries (Mermaid, or DOT)",
		Long: `Graph builds the named libraries (all of them by default) and prints a node
per task or step of each DAG and steps template, labelled
TEMPLATE/TASK: CALLEE, with an edge per dependency: a DAG task's depends,
a step's previous group. A call that runs under a condition, or once per
loop item, says so in its label. Paste the Mermaid into a pull request to
show reviewers what a change does.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := graph.CheckFormat(format); err != nil {
				return ExitErr(ExitUsage, err)
			}
			chosen, err := lookup(libs, args)
			if err != nil {
				return err
			}
			g := graph.Graph{Name: strings.Join(names(chosen), "-")}
			err = buildEach(io, chosen, nil, false, func(_ Library, built *ir.Library) ([]Diagnostic, error) {
				drawLibrary(&g, built)
				return nil, nil
			})
			if err != nil {
				return err
			}
			return ExitErr(ExitInternal, g.Write(io.Stdout, format))
		},
	}
	c.Flags().StringVar(&format, "format", graph.Mermaid, graph.FormatUsage)
	return c
}

// depTask is a task named in a depends expression, with its result
// selector: "a", "a.Succeeded", "(a.Failed || b)".
var depTask = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z]+)?`)

// drawLibrary adds the calls of every DAG and steps template of lib to g.
func drawLibrary(g *graph.Graph, lib *ir.Library) {
	for _, wt := range lib.WorkflowTemplates {
		for _, t := range wt.Templates {
			unit := lib.Name + "/" + wt.Name + "/" + t.Name
			id := func(call string) string { return unit + "/" + call }
			add := func(c *ir.Call) {
				g.Nodes = append(g.Nodes, graph.Node{ID: id(c.Name), Label: callLabel(t.Name, c), Unit: unit, Step: c.Name})
			}
			switch t.Kind {
			case ir.KindDAG:
				tasks := map[string]bool{}
				for _, c := range t.DAG {
					tasks[c.Name] = true
					add(c)
				}
				for _, c := range t.DAG {
					seen := map[string]bool{}
					for _, m := range depTask.FindAllString(c.Depends, -1) {
						name, _, _ := strings.Cut(m, ".")
						if tasks[name] && !seen[name] {
							seen[name] = true
							g.Edges = append(g.Edges, [2]string{id(name), id(c.Name)})
						}
					}
				}
			case ir.KindSteps:
				var prev []*ir.Call
				for _, group := range t.Steps {
					for _, c := range group {
						add(c)
						for _, p := range prev {
							g.Edges = append(g.Edges, [2]string{id(p.Name), id(c.Name)})
						}
					}
					prev = group
				}
			}
		}
	}
}

// callLabel is "TEMPLATE/CALL: CALLEE", with its loop and condition.
func callLabel(tmpl string, c *ir.Call) string {
	callee := c.Template
	if c.TemplateRef != nil {
		callee = c.TemplateRef.Name + "." + c.TemplateRef.Template
	}
	label := tmpl + "/" + c.Name + ": " + callee
	if len(c.WithItems) > 0 || c.WithParam != "" {
		label += " (each item)"
	}
	if c.When != "" {
		label += " (when " + c.When + ")"
	}
	return label
}
