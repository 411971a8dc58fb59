package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/internal/outdir"
	"github.com/migratekit/migrate/lint"
)

// Diagnostic is one problem as every command prints it, whichever stage
// found it: file:line:col: path: message (hint).
type Diagnostic struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Object   string `json:"object,omitempty"` // Kind/name of an Argo object
	Path     string `json:"path,omitempty"`   // JSON path in the config or object
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Severity string `json:"severity"` // "error" or "warning"
}

func (d Diagnostic) String() string {
	var parts []string
	if d.File != "" {
		pos := d.File
		if d.Line > 0 {
			pos += ":" + strconv.Itoa(d.Line)
			if d.Col > 0 {
				pos += ":" + strconv.Itoa(d.Col)
			}
		}
		parts = append(parts, pos)
	}
	if d.Object != "" && d.Line == 0 {
		parts = append(parts, d.Object)
	}
	if d.Path != "" {
		parts = append(parts, d.Path)
	}
	msg := d.Message
	if d.Severity == "warning" {
		msg = "warning: " + msg
	}
	if d.Hint != "" {
		msg += " (" + d.Hint + ")"
	}
	return strings.Join(append(parts, msg), ": ")
}

// Diagnostics turns the problem lists of the DSL, lint and the output
// writer into diagnostics; ok is false when err holds none of them.
// (A migration config's problems are converted by cmd/migrate, which
// links the config's schema.)
func Diagnostics(err error) (out []Diagnostic, ok bool) {
	var obj lint.Problems
	var prog dsl.ErrorList
	var refused *outdir.RefusedError
	switch {
	case errors.As(err, &obj):
		for _, p := range obj {
			out = append(out, lintDiagnostic(p))
		}
	case errors.As(err, &prog):
		for _, e := range prog {
			out = append(out, dslDiagnostic(e))
		}
	case errors.As(err, &refused):
		out = append(out, Diagnostic{File: refused.Dir, Message: refused.Msg, Hint: refused.Hint, Severity: "error"})
	default:
		return nil, false
	}
	return out, true
}

func lintDiagnostic(p lint.Problem) Diagnostic {
	d := Diagnostic{File: p.File, Line: p.Line, Col: p.Col, Object: p.Object, Path: p.Path, Message: p.Msg, Severity: "error"}
	if p.Warning {
		d.Severity = "warning"
	}
	return d
}

func dslDiagnostic(e *dsl.Error) Diagnostic {
	d := Diagnostic{File: e.Pos.File, Line: e.Pos.Line, Message: e.Msg, Severity: "error"}
	if e.Warning {
		d.Severity = "warning"
	}
	return d
}

// PrintProblems writes diags to the standard output: one a line, or with
// --error-format json one JSON object {"problems": [...]}.
func PrintProblems(io *IO, diags []Diagnostic) {
	if io.ErrorFormat == "json" {
		if diags == nil {
			diags = []Diagnostic{}
		}
		data, _ := json.MarshalIndent(struct {
			Problems []Diagnostic `json:"problems"`
		}{diags}, "", "  ")
		fmt.Fprintf(io.Stdout, "%s\n", data)
		return
	}
	for _, d := range diags {
		fmt.Fprintln(io.Stdout, d)
	}
}
