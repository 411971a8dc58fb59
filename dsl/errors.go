package dsl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/migratekit/migrate/internal/ir"
)

// Pos is a place in the DSL source: the Go file and line of the builder call.
type Pos = ir.Pos

// Error is one problem found in a workflow definition, at the DSL line that
// caused it. Warnings do not stop compilation.
type Error struct {
	Pos     Pos
	Msg     string
	Warning bool
}

func (e *Error) Error() string {
	sev := ""
	if e.Warning {
		sev = "warning: "
	}
	return fmt.Sprintf("%s: %s%s", e.Pos, sev, e.Msg)
}

// ErrorList is every problem Build found, sorted by position.
type ErrorList []*Error

func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return l[i].Msg < l[j].Msg
}

// Sort orders the list by file, line and message.
func (l ErrorList) Sort() { sort.Stable(l) }

// unique drops repeats of an entry: the same message at the same position
// (a shared template's mistake seen from each of its call sites).
func (l ErrorList) unique() ErrorList {
	type entry struct {
		pos     Pos
		msg     string
		warning bool
	}
	seen := map[entry]bool{}
	var out ErrorList
	for _, e := range l {
		k := entry{e.Pos, e.Msg, e.Warning}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// Errors returns the entries that are not warnings.
func (l ErrorList) Errors() ErrorList {
	var out ErrorList
	for _, e := range l {
		if !e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// Warnings returns the entries that are warnings.
func (l ErrorList) Warnings() ErrorList {
	var out ErrorList
	for _, e := range l {
		if e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// Err returns the list as an error when it holds at least one error (not
// counting warnings), and nil otherwise.
func (l ErrorList) Err() error {
	if len(l.Errors()) == 0 {
		return nil
	}
	return l.Errors()
}

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
