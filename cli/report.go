package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/internal/outdir"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/schema"
)

// diagnostic is one problem as every command prints it, whichever stage
// found it: file:line:col: path: message (hint).
type diagnostic struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Object   string `json:"object,omitempty"` // Kind/name of an Argo object
	Path     string `json:"path,omitempty"`   // JSON path in the config or object
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Severity string `json:"severity"` // "error" or "warning"
}

func (d diagnostic) String() string {
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

// problemsError is a command's list of problems: run prints them in the
// chosen format, then the summary, and exits 1.
type problemsError struct {
	diags   []diagnostic
	summary string
}

func (e *problemsError) Error() string { return e.summary }

// diagnostics turns the problem lists of migrate's stages into
// diagnostics; ok is false when err holds none of them.
func diagnostics(err error) (out []diagnostic, ok bool) {
	var cfg schema.ErrorList
	var obj lint.Problems
	var prog dsl.ErrorList
	var refused *outdir.RefusedError
	switch {
	case errors.As(err, &cfg):
		for _, e := range cfg {
			out = append(out, diagnostic{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Path: e.Path, Message: e.Msg, Hint: e.Hint, Severity: "error"})
		}
	case errors.As(err, &obj):
		for _, p := range obj {
			out = append(out, lintDiagnostic(p))
		}
	case errors.As(err, &prog):
		for _, e := range prog {
			out = append(out, dslDiagnostic(e))
		}
	case errors.As(err, &refused):
		out = append(out, diagnostic{File: refused.Dir, Message: refused.Msg, Hint: refused.Hint, Severity: "error"})
	default:
		return nil, false
	}
	return out, true
}

func lintDiagnostic(p lint.Problem) diagnostic {
	d := diagnostic{File: p.File, Line: p.Line, Col: p.Col, Object: p.Object, Path: p.Path, Message: p.Msg, Severity: "error"}
	if p.Warning {
		d.Severity = "warning"
	}
	return d
}

func dslDiagnostic(e *dsl.Error) diagnostic {
	d := diagnostic{File: e.Pos.File, Line: e.Pos.Line, Message: e.Msg, Severity: "error"}
	if e.Warning {
		d.Severity = "warning"
	}
	return d
}

// printProblems writes diags to the standard output: one a line, or with
// --error-format json one JSON object {"problems": [...]}.
func printProblems(io *cliIO, diags []diagnostic) {
	if io.errorFormat == "json" {
		if diags == nil {
			diags = []diagnostic{}
		}
		data, _ := json.MarshalIndent(struct {
			Problems []diagnostic `json:"problems"`
		}{diags}, "", "  ")
		fmt.Fprintf(io.Stdout, "%s\n", data)
		return
	}
	for _, d := range diags {
		fmt.Fprintln(io.Stdout, d)
	}
}
