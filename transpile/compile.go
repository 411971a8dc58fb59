package transpile

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/lint"
)

// File is one generated file, named relative to the output directory.
type File struct {
	Name string
	Data []byte
}

// Compile converts a built library to Argo objects, validates every object
// (Argo's validator and our own checks, see package lint) and renders each
// WorkflowTemplate as one YAML file named after it. When any object is
// invalid it returns no files and an ErrorList of every problem, each
// pointing at the DSL line that produced the offending part.
func Compile(lib *ir.Library) ([]File, error) {
	if err := CheckWith(lib, lint.Options{}); err != nil {
		return nil, err
	}
	return Render(lib)
}

// CheckWith is the check of Compile, with lint's options (a library whose
// objects are in opts.Verified is not checked again): nil, or an ErrorList
// of every problem.
func CheckWith(lib *ir.Library, opts lint.Options) error {
	objs := Objects(lib)
	var errs ErrorList
	set := make([]runtime.Object, len(objs))
	for i, o := range objs {
		set[i] = o
	}
	byName := map[string]*ir.WorkflowTemplate{}
	for _, wt := range lib.WorkflowTemplates {
		byName[wt.Name] = wt
	}
	for _, p := range lint.ObjectsWith(set, opts) {
		if p.Warning {
			continue
		}
		wt := byName[strings.TrimPrefix(p.Object, "WorkflowTemplate/")]
		errs = append(errs, &Error{Pos: dslPos(wt, p.Path), Object: p.Object, Path: p.Path, Msg: p.Msg})
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return nil
}

// Render writes each WorkflowTemplate of lib as one YAML file named after
// it, sorted by name, without checking it (see Compile). External
// WorkflowTemplates are not written: someone else installs them.
func Render(lib *ir.Library) ([]File, error) {
	objs := Objects(lib)
	var errs ErrorList
	files := make([]File, 0, len(objs))
	for i, o := range objs {
		if lib.WorkflowTemplates[i].External {
			continue
		}
		data, err := Marshal(o)
		if err != nil {
			errs = append(errs, &Error{Object: "WorkflowTemplate/" + o.Name, Msg: err.Error()})
			continue
		}
		files = append(files, File{Name: o.Name + ".yaml", Data: data})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

var templatePath = regexp.MustCompile(`^spec\.templates\[(\d+)\](?:\.(?:dag\.tasks|steps)\[(\d+)\](?:\.steps\[(\d+)\])?)?`)

// dslPos finds the DSL line behind a JSON path of an emitted object: the
// task or step when the path names one, else the template, else the
// WorkflowTemplate.
func dslPos(wt *ir.WorkflowTemplate, path string) ir.Pos {
	if wt == nil {
		return ir.Pos{}
	}
	m := templatePath.FindStringSubmatch(path)
	if m == nil {
		return wt.Pos
	}
	ti, _ := strconv.Atoi(m[1])
	if ti >= len(wt.Templates) {
		return wt.Pos
	}
	t := wt.Templates[ti]
	if m[2] == "" {
		return t.Pos
	}
	ci, _ := strconv.Atoi(m[2])
	switch {
	case t.Kind == ir.KindDAG && ci < len(t.DAG):
		return t.DAG[ci].Pos
	case t.Kind == ir.KindSteps && ci < len(t.Steps):
		si, _ := strconv.Atoi(m[3])
		if m[3] != "" && si < len(t.Steps[ci]) {
			return t.Steps[ci][si].Pos
		}
		if len(t.Steps[ci]) > 0 {
			return t.Steps[ci][0].Pos
		}
	}
	return t.Pos
}

// Error is a problem in an emitted object, located both in the object (a
// JSON path) and in the DSL (the line that produced that part).
type Error struct {
	Pos    ir.Pos
	Object string
	Path   string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() {
		fmt.Fprintf(&b, "%s: ", e.Pos)
	}
	if e.Object != "" {
		fmt.Fprintf(&b, "%s: ", e.Object)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, "%s: ", e.Path)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in the emitted objects.
type ErrorList []*Error

// Sort orders the list by DSL position, object and path.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Path < b.Path
	})
}

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
