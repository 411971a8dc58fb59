package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one finding about an Argo object.
type Problem struct {
	File      string // YAML file, "" for in-memory objects
	Line, Col int    // 1-based position in File when known (0 when not)
	Object    string // "WorkflowTemplate/rolling-update"
	Path      string // JSON path in the object, e.g. spec.templates[2].dag.tasks[0].when
	Msg       string
	Warning   bool
}

// String formats p as `file:line:col: msg` when the position is known, and
// otherwise names the object and the JSON path: `Kind/name: path: msg`.
// Warnings carry a "warning: " prefix on the message.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0 && p.Col > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Line, p.Col)
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		fmt.Fprintf(&b, "%s: ", p.File)
		if p.Object != "" {
			fmt.Fprintf(&b, "%s: ", p.Object)
		}
		if p.Path != "" {
			fmt.Fprintf(&b, "%s: ", p.Path)
		}
	default:
		if p.Object != "" {
			fmt.Fprintf(&b, "%s: ", p.Object)
		}
		if p.Path != "" {
			fmt.Fprintf(&b, "%s: ", p.Path)
		}
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is a list of findings. It implements error (see Err).
type Problems []Problem

// Sort orders the list by file, line, column, object, path and message, so
// output is stable and reads top to bottom.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Object, b.Object),
			comparePaths(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}

// comparePaths orders JSON paths step by step, list indices numerically.
func comparePaths(a, b string) int {
	sa, sb := splitPath(a), splitPath(b)
	for i := 0; i < len(sa) && i < len(sb); i++ {
		x, y := sa[i], sb[i]
		if c := cmp.Or(cmp.Compare(boolInt(x.isIndex), boolInt(y.isIndex)), cmp.Compare(x.index, y.index), cmp.Compare(x.key, y.key)); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(len(sa), len(sb)), cmp.Compare(a, b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HasErrors reports whether the list holds at least one problem that is not
// a warning.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Err returns ps as an error when it holds at least one error (warnings alone
// do not count), and nil otherwise.
func (ps Problems) Err() error {
	if !ps.HasErrors() {
		return nil
	}
	return ps
}

// Error formats one problem per line, in the order of the list.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
