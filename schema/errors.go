package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Pos is a position in a config file. Line and Col count from 1; a zero
// Line means the position is unknown (for example, a config built in Go).
type Pos struct {
	File string // name of the file as the user gave it
	Line int    // line, from 1
	Col  int    // column in characters, from 1
}

// IsValid reports whether the position has a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	s := p.File
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	return s
}

// Error is one problem found in a config: where it is, what is wrong and how
// to fix it. Every stage of the schema package (reading, JSON Schema, rules,
// planning) reports problems as Errors.
type Error struct {
	Pos  Pos    // where in the file; may be unknown
	Path string // JSON path of the value, e.g. sources.legacy.snapshots.nightly
	Msg  string // what is wrong
	Hint string // how to fix it; may be empty
}

// Error formats the problem as file:line:col: path: msg (hint).
func (e *Error) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorList is a list of problems. A nil or empty list means no problem.
type ErrorList []*Error

// Add appends a problem.
func (l *ErrorList) Add(pos Pos, path, msg, hint string) {
	*l = append(*l, &Error{Pos: pos, Path: path, Msg: msg, Hint: hint})
}

// Len returns the number of problems.
func (l ErrorList) Len() int { return len(l) }

// Sort orders the problems by file, line, column, path and message, and
// drops exact duplicates.
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
			cmp.Compare(a.Hint, b.Hint),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b *Error) bool { return *a == *b })
}

// Error lists every problem, one a line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Summary says how many problems there are, e.g. "3 problems".
func (l ErrorList) Summary() string {
	if len(l) == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", len(l))
}

// ErrorAt is a problem found after Load, by a later stage that has the
// config's text but not its positions (the compiler, checking what the plan
// expands to): it places the problem at the JSON path given as tokens
// (e.g. "sources", "legacy", "snapshots"); no tokens means the whole file.
func ErrorAt(filename string, data []byte, tokens []string, msg, hint string) *Error {
	d, errs := read(filename, data)
	if len(errs) > 0 {
		return &Error{Pos: Pos{File: filename}, Path: strings.Join(tokens, "."), Msg: msg, Hint: hint}
	}
	if len(tokens) == 0 {
		return &Error{Pos: Pos{File: filename, Line: 1, Col: 1}, Msg: msg, Hint: hint}
	}
	return &Error{Pos: d.pos(tokens, true), Path: renderPath(d.value, tokens), Msg: msg, Hint: hint}
}
