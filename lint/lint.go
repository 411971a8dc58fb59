// Package lint validates Argo Workflows objects before they reach a cluster.
//
// It runs Argo's own validator (workflow/validate at the pinned version) and
// adds the checks that validator skips but that fail at run time: the syntax
// of every `when`, `depends` and `{{= }}` expression, durations, memoization
// keys, names, and size budgets. Objects checks in-memory objects (the
// transpiler's output); Files checks YAML files and maps every problem to
// file:line:col.
package lint

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is an Argo object lint can check: *wfv1.WorkflowTemplate,
// *wfv1.ClusterWorkflowTemplate, *wfv1.Workflow or *wfv1.CronWorkflow. Any
// other type is reported as a problem.
type Object = runtime.Object

// Objects validates a set of objects that may reference each other through
// templateRef and workflowTemplateRef. It does not modify the objects. The
// result is sorted.
func Objects(objs []Object) Problems {
	return ObjectsWith(objs, Options{})
}

// ObjectsWith is Objects with options.
func ObjectsWith(objs []Object, opts Options) Problems {
	l := &linter{verified: opts.Verified}
	for _, o := range opts.Context {
		if o != nil && !reflect.ValueOf(o).IsNil() {
			o = o.DeepCopyObject()
		}
		if u, err := newUnit(o); err == nil {
			l.context = append(l.context, u)
		}
	}
	for i, o := range objs {
		// Argo's validator stores resolved templates into a Workflow's
		// status: validate a copy so the caller's object stays as it was.
		if o != nil && !reflect.ValueOf(o).IsNil() {
			o = o.DeepCopyObject()
		}
		u, err := newUnit(o)
		if err != nil {
			l.probs = append(l.probs, Problem{Object: fmt.Sprintf("objects[%d]", i), Msg: err.Error()})
			continue
		}
		l.units = append(l.units, u)
	}
	l.run()
	l.probs.Sort()
	return l.probs
}

// unit is one object being checked, with where it came from.
type unit struct {
	obj      Object
	kind     string
	name     string             // metadata.name, or metadata.generateName when name is empty
	spec     *wfv1.WorkflowSpec // the workflow spec inside obj
	specPath string             // JSON path of spec: "spec" or "spec.workflowSpec"
	file     string             // "" for in-memory objects
	idx      *docIndex          // positions of the YAML document; nil for in-memory objects

	jsonBytes []byte // obj serialized, as the API server would store it
	jsonTree  any    // jsonBytes decoded, on demand
}

func newUnit(o Object) (*unit, error) {
	if v := reflect.ValueOf(o); o == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("%s", msgNilObject(reflect.TypeOf(o)))
	}
	u := &unit{obj: o, specPath: "spec"}
	var meta *wfv1.WorkflowSpec
	switch v := o.(type) {
	case *wfv1.WorkflowTemplate:
		u.kind, meta = "WorkflowTemplate", &v.Spec
		u.name = objectName(v.Name, v.GenerateName)
	case *wfv1.ClusterWorkflowTemplate:
		u.kind, meta = "ClusterWorkflowTemplate", &v.Spec
		u.name = objectName(v.Name, v.GenerateName)
	case *wfv1.Workflow:
		u.kind, meta = "Workflow", &v.Spec
		u.name = objectName(v.Name, v.GenerateName)
	case *wfv1.CronWorkflow:
		u.kind, meta = "CronWorkflow", &v.Spec.WorkflowSpec
		u.name = objectName(v.Name, v.GenerateName)
		u.specPath = "spec.workflowSpec"
	default:
		return nil, fmt.Errorf("%s", msgUnsupportedType(reflect.TypeOf(o)))
	}
	u.spec = meta
	return u, nil
}

func objectName(name, generateName string) string {
	if name == "" && generateName != "" {
		return generateName + "*"
	}
	return name
}

func (u *unit) id() string { return u.kind + "/" + u.name }

// serialized returns the object as JSON, computing it once.
func (u *unit) serialized() []byte {
	if u.jsonBytes == nil {
		b, err := json.Marshal(u.obj)
		if err != nil {
			// wfv1 types always marshal; keep going with an empty tree.
			b = []byte("{}")
		}
		u.jsonBytes = b
	}
	return u.jsonBytes
}

// tree returns the object decoded into maps and slices, computing it once.
func (u *unit) tree() any {
	if u.jsonTree == nil {
		var t any
		if err := json.Unmarshal(u.serialized(), &t); err != nil || t == nil {
			t = map[string]any{}
		}
		u.jsonTree = t
	}
	return u.jsonTree
}

// exists reports whether path p is present in the object as written: in the
// YAML document for files, in the serialized object otherwise.
func (u *unit) exists(p string) bool {
	if u.idx != nil {
		_, ok := u.idx.paths[p]
		return ok
	}
	return lookupTree(u.tree(), p)
}

// linter runs every check over a set of units and collects the problems.
type linter struct {
	units    []*unit
	context  []*unit // Options.Context
	probs    Problems
	verified map[string]bool // Options.Verified
}

// Bounds on the work of one run: Argo's validator takes time that grows
// faster than the number of tasks of a DAG (about 1 s for a chain of 500
// on one core, 25 s for 2,000), so larger templates are refused unchecked.
const (
	MaxTasks      = 500    // tasks of one DAG, or steps of one steps template
	MaxTotalTasks = 20_000 // tasks and steps of all objects of one run
)

// tooBig reports the templates of u over MaxTasks and returns true when u
// is not to be checked; it adds u's tasks and steps to total.
func (l *linter) tooBig(u *unit, total *int) bool {
	big := false
	n := 0
	for i, t := range u.spec.Templates {
		k, path := 0, ""
		switch {
		case t.DAG != nil:
			k, path = len(t.DAG.Tasks), fmt.Sprintf("%s.templates[%d].dag.tasks", u.specPath, i)
		case t.Steps != nil:
			for _, s := range t.Steps {
				k += len(s.Steps)
			}
			path = fmt.Sprintf("%s.templates[%d].steps", u.specPath, i)
		}
		n += k
		if k > MaxTasks {
			l.probs = append(l.probs, l.problem(u, path, msgTooManyTasks(k, MaxTasks), false))
			big = true
		}
	}
	*total += n
	return big
}

func (l *linter) run() {
	total := 0
	units := l.units[:0:0]
	for _, u := range l.units {
		before := total
		if !l.tooBig(u, &total) {
			units = append(units, u)
		}
		if before <= MaxTotalTasks && total > MaxTotalTasks {
			// Checking some and not others would hide problems: check none.
			l.probs = append(l.probs, l.problem(u, u.specPath, msgTotalTooManyTasks(MaxTotalTasks), false))
			return
		}
	}
	l.units = units
	set := newObjectSet(slices.Concat(l.units, l.context), l.verified)
	// Templates first: a Workflow or CronWorkflow submitted from one
	// (workflowTemplateRef) is validated with its templates, and repeats
	// their errors, which are reported once, on the template.
	reported := map[string]map[string]bool{} // object id -> Argo messages reported
	for _, templates := range []bool{true, false} {
		for _, u := range l.units {
			if isTemplateKind(u.kind) == templates {
				l.checkUnit(u, set, reported)
			}
		}
	}
	l.checkDuplicates()
}

func isTemplateKind(kind string) bool {
	return kind == "WorkflowTemplate" || kind == "ClusterWorkflowTemplate"
}

func (l *linter) checkUnit(u *unit, set *objectSet, reported map[string]map[string]bool) {
	if set.verified(u) {
		return // passed every check before (Options.Verified)
	}
	var ours []Problem
	c := &checker{u: u, report: func(path, msg string, warning bool) {
		ours = append(ours, l.problem(u, path, msg, warning))
	}}
	c.checkAll()
	l.probs = append(l.probs, ours...)
	seen := map[string]bool{}
	reported[u.id()] = seen
	// A Workflow submitted from a template (workflowTemplateRef) has no
	// templates of its own: when the template already has Argo errors, the
	// ones about its templates are not repeated here.
	var fromRef map[string]bool
	if ref := u.spec.WorkflowTemplateRef; ref != nil {
		kind := "WorkflowTemplate"
		if ref.ClusterScope {
			kind = "ClusterWorkflowTemplate"
		}
		fromRef = reported[kind+"/"+ref.Name]
	}
	for _, f := range validateWithArgo(u, set) {
		raw := strings.TrimPrefix(f.raw, "cannot validate Workflow: ")
		seen[raw] = true
		if fromRef[raw] || len(fromRef) > 0 && argoTemplateRef.MatchString(raw) {
			continue
		}
		p := l.problem(u, f.path, f.msg, false)
		if coveredByOurs(f, p, ours) {
			continue
		}
		l.probs = append(l.probs, p)
	}
}

// problem builds a Problem at path p of u, with its file position when known.
func (l *linter) problem(u *unit, p, msg string, warning bool) Problem {
	pr := Problem{File: u.file, Object: u.id(), Path: p, Msg: msg, Warning: warning}
	if u.idx != nil {
		pr.Line, pr.Col = u.idx.position(p)
	}
	return pr
}

// checkDuplicates reports objects of the same kind, namespace and name.
func (l *linter) checkDuplicates() {
	type key struct{ kind, ns, name string }
	seen := map[key]*unit{}
	for _, u := range l.units {
		m := metaOf(u.obj)
		if m.Name == "" {
			continue
		}
		k := key{u.kind, m.Namespace, m.Name}
		if first, ok := seen[k]; ok {
			l.probs = append(l.probs, l.problem(u, "metadata.name", msgDuplicateObject(u.id(), first.file), false))
			continue
		}
		seen[k] = u
	}
}
