package lint

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// argoMu serializes calls into Argo's validator: it draws placeholder values
// from a package-level counter that is not safe for concurrent use.
var argoMu sync.Mutex

// objectSet resolves templateRef and workflowTemplateRef against the
// objects being checked together.
type objectSet struct {
	wfts  map[string][]*wfv1.WorkflowTemplate
	cwfts map[string]*wfv1.ClusterWorkflowTemplate

	// verifiedUnits are the objects whose digest is in Options.Verified.
	verifiedUnits map[*unit]bool
	// wftIfaces and cwftIfaces hold, for each verified template, its
	// interface (see interfaceOf): what an object submitted from it is
	// validated against.
	wftIfaces  map[*wfv1.WorkflowTemplate]*wfv1.WorkflowTemplate
	cwftIfaces map[*wfv1.ClusterWorkflowTemplate]*wfv1.ClusterWorkflowTemplate
}

func newObjectSet(units []*unit, digests map[string]bool) *objectSet {
	s := &objectSet{wfts: map[string][]*wfv1.WorkflowTemplate{}, cwfts: map[string]*wfv1.ClusterWorkflowTemplate{},
		verifiedUnits: map[*unit]bool{},
		wftIfaces:     map[*wfv1.WorkflowTemplate]*wfv1.WorkflowTemplate{},
		cwftIfaces:    map[*wfv1.ClusterWorkflowTemplate]*wfv1.ClusterWorkflowTemplate{}}
	for _, u := range units {
		ok := len(digests) > 0 && digests[digestOf(u.serialized())]
		s.verifiedUnits[u] = ok
		switch v := u.obj.(type) {
		case *wfv1.WorkflowTemplate:
			s.wfts[v.Name] = append(s.wfts[v.Name], v)
			if ok && stubbable(&v.Spec) {
				s.wftIfaces[v] = &wfv1.WorkflowTemplate{TypeMeta: v.TypeMeta, ObjectMeta: v.ObjectMeta, Spec: interfaceOf(v.Spec)}
			}
		case *wfv1.ClusterWorkflowTemplate:
			if _, seen := s.cwfts[v.Name]; !seen {
				s.cwfts[v.Name] = v
				if ok && stubbable(&v.Spec) {
					s.cwftIfaces[v] = &wfv1.ClusterWorkflowTemplate{TypeMeta: v.TypeMeta, ObjectMeta: v.ObjectMeta, Spec: interfaceOf(v.Spec)}
				}
			}
		}
	}
	return s
}

// wftGetter is Argo's WorkflowTemplateNamespacedGetter over an objectSet,
// preferring a template in the namespace of the object being validated.
type wftGetter struct {
	set   *objectSet
	ns    string
	iface bool // resolve verified templates to their interface (interfaceOf)
}

func (g wftGetter) Get(name string) (*wfv1.WorkflowTemplate, error) {
	cands := g.set.wfts[name]
	for _, c := range cands {
		if c.Namespace == g.ns || c.Namespace == "" || g.ns == "" {
			return g.resolve(c), nil
		}
	}
	if len(cands) > 0 {
		return g.resolve(cands[0]), nil
	}
	return nil, apierr.NewNotFound(schema.GroupResource{Group: "argoproj.io", Resource: "workflowtemplates"}, name)
}

// resolve is what a reference to c is validated against: c, or its
// interface when c is verified and the getter resolves to interfaces.
func (g wftGetter) resolve(c *wfv1.WorkflowTemplate) *wfv1.WorkflowTemplate {
	if i, ok := g.set.wftIfaces[c]; ok && g.iface {
		return i
	}
	return c
}

// cwftGetter is Argo's ClusterWorkflowTemplateGetter over an objectSet.
type cwftGetter struct {
	set   *objectSet
	iface bool // as wftGetter's
}

func (g cwftGetter) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	if c, ok := g.set.cwfts[name]; ok {
		if i, ok := g.set.cwftIfaces[c]; ok && g.iface {
			return i, nil
		}
		return c, nil
	}
	return nil, apierr.NewNotFound(schema.GroupResource{Group: "argoproj.io", Resource: "clusterworkflowtemplates"}, name)
}

// argoFinding is one error from Argo's validator, placed in the object.
type argoFinding struct {
	raw  string // Argo's message
	path string // where it points, "" for the object itself
	msg  string // the message we show
}

// validateWithArgo runs Argo's validator the way the API server and
// `argo lint` do. WorkflowTemplates (and ClusterWorkflowTemplates) are
// validated wrapped as a Workflow, which resolves {{workflow.parameters.*}}
// strictly, and as templates. In Argo v3.7.18 the template mode only relaxes
// checks (ValidateOpts.WorkflowTemplateValidation gates leniencies alone),
// so it runs only when the wrapped run fails: Argo stops at its first
// error, and the template mode may stop at a different one. This halves the
// cost for valid objects; TestWrappedIsStricter guards the assumption.
// The result has at most two findings per object.
func validateWithArgo(u *unit, set *objectSet) []argoFinding {
	m := metaOf(u.obj)
	// An object submitted from a template has no templates of its own
	// (Argo refuses them): it is validated against the interface of a
	// verified template.
	iface := u.spec.WorkflowTemplateRef != nil
	wg := wftGetter{set: set, ns: m.Namespace, iface: iface}
	cg := cwftGetter{set: set, iface: iface}
	var runs []func() error
	switch v := u.obj.(type) {
	case *wfv1.WorkflowTemplate:
		runs = append(runs,
			func() error {
				return validate.ValidateWorkflow(wg, cg, wrapAsWorkflow(v.ObjectMeta, v.Spec), nil,
					validate.ValidateOpts{Lint: true, IgnoreEntrypoint: v.Spec.Entrypoint == ""})
			},
			func() error {
				return validate.ValidateWorkflowTemplate(wg, cg, v, nil, validate.ValidateOpts{Lint: true})
			})
	case *wfv1.ClusterWorkflowTemplate:
		runs = append(runs,
			func() error {
				return validate.ValidateWorkflow(wg, cg, wrapAsWorkflow(v.ObjectMeta, v.Spec), nil,
					validate.ValidateOpts{Lint: true, IgnoreEntrypoint: v.Spec.Entrypoint == ""})
			},
			func() error {
				return validate.ValidateClusterWorkflowTemplate(wg, cg, v, nil, validate.ValidateOpts{Lint: true})
			})
	case *wfv1.Workflow:
		runs = append(runs, func() error {
			return validate.ValidateWorkflow(wg, cg, v, nil, validate.ValidateOpts{Lint: true})
		})
	case *wfv1.CronWorkflow:
		runs = append(runs, func() error {
			return validate.ValidateCronWorkflow(context.Background(), wg, cg, v, nil)
		})
	}
	var out []argoFinding
	seen := map[string]bool{}
	for _, run := range runs {
		err := runGuarded(run)
		if err == nil {
			break // later runs are more lenient
		}
		if seen[err.Error()] {
			continue
		}
		seen[err.Error()] = true
		raw := err.Error()
		f := argoFinding{raw: raw, path: argoPath(u, raw), msg: msgArgo(raw)}
		refineArgo(u, &f)
		out = append(out, f)
	}
	return out
}

// wrapAsWorkflow is the Workflow a user gets when submitting spec. A
// declared argument without a value must be given at submission, so it gets
// one (the first enum value, if any). Only the parameter list is copied:
// the validator does not modify the rest.
func wrapAsWorkflow(m metav1.ObjectMeta, spec wfv1.WorkflowSpec) *wfv1.Workflow {
	params, cloned := spec.Arguments.Parameters, false
	for i, p := range params {
		if p.Value != nil || p.ValueFrom != nil {
			continue
		}
		if !cloned {
			params, cloned = slices.Clone(params), true
		}
		v := "submitted-" + p.Name
		if len(p.Enum) > 0 {
			v = p.Enum[0].String()
		}
		params[i].Value = wfv1.AnyStringPtr(v)
	}
	spec.Arguments.Parameters = params
	return &wfv1.Workflow{
		ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations},
		Spec:       spec,
	}
}

// runGuarded calls Argo's validator, turning a panic inside it into an error
// so one malformed object cannot stop the whole run.
func runGuarded(run func() error) (err error) {
	argoMu.Lock()
	defer argoMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s", msgArgoPanic(r))
		}
	}()
	return run()
}

var (
	// argoTemplateRef matches "templates.NAME" followed by a field path in
	// Argo's messages, e.g. "templates.main.tasks.a" or "templates.s.steps[0].b".
	argoTemplateRef = regexp.MustCompile(`(?:^|[\s'"(])templates\.([A-Za-z0-9][-A-Za-z0-9_]*)((?:\.[^\s.:\[\]'"()]+|\[\d+\])*)`)
	// argoSpecRef matches a "spec.field..." path at the start of a message.
	argoSpecRef = regexp.MustCompile(`^(?:cannot validate Workflow: )?spec\.((?:[^\s.:\[\]'"]+\.?|\[\d+\]\.?)+)`)
	// argoNotSupplied matches a missing input parameter.
	argoNotSupplied = regexp.MustCompile(`inputs\.parameters\.(\S+) was not supplied`)
	// argoQuotedName matches the name Argo quotes when rejecting one.
	argoQuotedName = regexp.MustCompile(`'([^']*)' is (?:invalid|not unique)`)
)

// argoPath finds where in u an Argo validator message points. Argo names
// templates, tasks and steps rather than JSON paths; the innermost template
// of this object named in the message wins.
func argoPath(u *unit, msg string) string {
	matches := argoTemplateRef.FindAllStringSubmatch(msg, -1)
	notSupplied := strings.Contains(msg, "was not supplied")
	for k := len(matches) - 1; k >= 0; k-- {
		name, rest := matches[k][1], matches[k][2]
		i := templateIndex(u.spec, name)
		if i < 0 {
			continue
		}
		tmplPath := joinIndex(joinKey(u.specPath, "templates"), i)
		p, inCaller := pathInTemplate(u, &u.spec.Templates[i], tmplPath, rest, msg)
		// A missing input is fixed in the caller's arguments: prefer the
		// task or step that calls the template, when the message names one.
		if notSupplied && !inCaller && k > 0 {
			continue
		}
		return p
	}
	if m := argoSpecRef.FindStringSubmatch(msg); m != nil {
		p := u.specPath + "." + strings.TrimSuffix(m[1], ".")
		if q := longestPrefix(p, u.exists); q != "" {
			return q
		}
	}
	if strings.Contains(msg, "spec.entrypoint") {
		return joinKey(u.specPath, "entrypoint")
	}
	if u.spec.WorkflowTemplateRef != nil {
		return joinKey(u.specPath, "workflowTemplateRef")
	}
	if len(matches) > 0 && notSupplied {
		// The caller is in another object; point at the arguments here.
		if q := longestPrefix(joinKey(joinKey(u.specPath, "arguments"), "parameters"), u.exists); q != "" {
			return q
		}
	}
	return ""
}

func templateIndex(spec *wfv1.WorkflowSpec, name string) int {
	for i := range spec.Templates {
		if spec.Templates[i].Name == name {
			return i
		}
	}
	return -1
}

// pathInTemplate resolves the rest of an Argo reference ("" or
// ".tasks.NAME..." or ".steps[N].NAME..." or ".field...") inside template t
// at tmplPath. It reports whether the result is a task or step.
func pathInTemplate(u *unit, t *wfv1.Template, tmplPath, rest, msg string) (string, bool) {
	base, remaining, isCaller := tmplPath, rest, false
	switch {
	case strings.HasPrefix(rest, ".tasks.") && t.DAG != nil:
		name, after := splitFirst(strings.TrimPrefix(rest, ".tasks."))
		for j := range t.DAG.Tasks {
			if t.DAG.Tasks[j].Name == name {
				base, remaining, isCaller = joinIndex(joinKey(joinKey(tmplPath, "dag"), "tasks"), j), after, true
				break
			}
		}
	case strings.HasPrefix(rest, ".steps[") && t.Steps != nil:
		end := strings.IndexByte(rest, ']')
		g, err := strconv.Atoi(rest[len(".steps["):max(end, len(".steps["))])
		if err == nil && g >= 0 && g < len(t.Steps) {
			base, remaining = joinIndex(joinKey(tmplPath, "steps"), g), rest[end+1:]
			if strings.HasPrefix(remaining, ".") {
				name, after := splitFirst(remaining[1:])
				for k := range t.Steps[g].Steps {
					if t.Steps[g].Steps[k].Name == name {
						base, remaining, isCaller = joinIndex(base, k), after, true
						break
					}
				}
			}
		}
	}
	if m := argoNotSupplied.FindStringSubmatch(msg); m != nil && !isCaller {
		for k := range t.Inputs.Parameters {
			if t.Inputs.Parameters[k].Name == m[1] {
				return joinKey(joinIndex(joinKey(joinKey(tmplPath, "inputs"), "parameters"), k), "name"), false
			}
		}
	}
	if q := argoQuotedName.FindStringSubmatch(msg); q != nil {
		if p := namedElement(t, tmplPath, q[1]); p != "" {
			return joinKey(p, "name"), isCaller
		}
	}
	if remaining != "" {
		remaining = strings.Replace(remaining, ".tasks", ".dag.tasks", 1)
		remaining = strings.Replace(remaining, ".targets", ".dag.target", 1)
		if q := longestPrefix(base+remaining, u.exists); len(q) >= len(base) {
			if q != base {
				return q, isCaller
			}
		}
	}
	if isCaller {
		for _, f := range callerFields(msg) {
			p := base
			for _, k := range strings.Split(f, ".") {
				p = joinKey(p, k)
			}
			if u.exists(p) {
				return p, true
			}
		}
	}
	if p := joinKey(base, "name"); u.exists(p) {
		return p, isCaller
	}
	return base, isCaller
}

// namedElement finds a task, step or parameter of t called name.
func namedElement(t *wfv1.Template, tmplPath, name string) string {
	if t.DAG != nil {
		for j := range t.DAG.Tasks {
			if t.DAG.Tasks[j].Name == name {
				return joinIndex(joinKey(joinKey(tmplPath, "dag"), "tasks"), j)
			}
		}
	}
	for g := range t.Steps {
		for k := range t.Steps[g].Steps {
			if t.Steps[g].Steps[k].Name == name {
				return joinIndex(joinIndex(joinKey(tmplPath, "steps"), g), k)
			}
		}
	}
	for k := range t.Inputs.Parameters {
		if t.Inputs.Parameters[k].Name == name {
			return joinIndex(joinKey(joinKey(tmplPath, "inputs"), "parameters"), k)
		}
	}
	for k := range t.Outputs.Parameters {
		if t.Outputs.Parameters[k].Name == name {
			return joinIndex(joinKey(joinKey(tmplPath, "outputs"), "parameters"), k)
		}
	}
	if t.Name == name {
		return tmplPath
	}
	return ""
}

// callerFields lists the fields (dotted paths) of a task or step an Argo
// message is about, most specific first.
func callerFields(msg string) []string {
	switch {
	case strings.Contains(msg, "was not supplied"), strings.Contains(msg, "arguments"), strings.Contains(msg, "missing dependency"):
		return []string{"arguments"}
	case strings.Contains(msg, "dependency"):
		return []string{"depends", "dependencies"}
	case strings.Contains(msg, "template reference"):
		return []string{"templateRef.template", "templateRef.name", "templateRef"}
	case strings.Contains(msg, "template name"), strings.Contains(msg, "not found"):
		return []string{"template", "templateRef"}
	case strings.Contains(msg, "withItems"), strings.Contains(msg, "withParam"), strings.Contains(msg, "withSequence"):
		return []string{"withItems", "withParam", "withSequence"}
	case strings.Contains(msg, "continueOn"):
		return []string{"continueOn"}
	case strings.Contains(msg, "hooks"), strings.Contains(msg, "Expression required"):
		return []string{"hooks"}
	case strings.Contains(msg, "failed to resolve"):
		return []string{"when", "arguments"}
	}
	return nil
}

// splitFirst splits "name.rest" or "name rest" into name and ".rest".
func splitFirst(s string) (string, string) {
	end := strings.IndexAny(s, ".[ :")
	if end < 0 {
		return s, ""
	}
	if s[end] == ' ' || s[end] == ':' {
		return s[:end], ""
	}
	return s[:end], s[end:]
}

// coveredByOurs reports whether an Argo finding repeats one of our own
// problems, so it is not shown twice: a name we already reject at the same
// place, or Argo's confused reaction to a "{{" we report as unterminated
// (in the JSON it substitutes, a later "}}" closes the tag).
func coveredByOurs(f argoFinding, p Problem, ours []Problem) bool {
	for _, o := range ours {
		if o.Warning {
			continue
		}
		if o.Path == p.Path && argoQuotedName.MatchString(f.raw) && strings.Contains(f.raw, "is invalid") {
			return true
		}
		if strings.HasPrefix(o.Msg, "unterminated {{") && argoTagConfusion.MatchString(f.raw) {
			return true
		}
		if o.Path == p.Path && strings.Contains(f.raw, "invalid duration format in timeout") {
			return true
		}
	}
	return false
}

// argoTagConfusion matches what Argo says when a tag's end is not where
// the author meant.
var argoTagConfusion = regexp.MustCompile(`(?i)cannot find end tag|failed to unmarshall JSON expression|failed to evaluate expression|cannot (?:do|finish) template replacement`)

var (
	argoSorting       = regexp.MustCompile(`templates\.(\S+) sorting failed: (graph with cycle|invalid dependency (\S+)|duplicated nodeName (\S+))`)
	argoUnknownType   = regexp.MustCompile(`template '([^']+)' type is unknown`)
	argoRetryPolicy   = regexp.MustCompile(`^(\S*) is not a valid RetryPolicy`)
	argoUnresolved    = regexp.MustCompile(`failed to resolve (\{\{[^}]*\}\})`)
	argoCronField     = regexp.MustCompile(`^(?:cron schedule|invalid timezone|'[^']*' is not a valid concurrencyPolicy|startingDeadlineSeconds)`)
	argoCronFieldName = map[string][]string{
		"cron schedule":           {"spec.schedules", "spec.schedule"},
		"invalid timezone":        {"spec.timezone"},
		"startingDeadlineSeconds": {"spec.startingDeadlineSeconds"},
	}
)

// refineArgo places Argo messages that name no template, or name a DAG as
// a whole, more precisely, and explains the ones whose text is terse.
func refineArgo(u *unit, f *argoFinding) {
	if m := argoSorting.FindStringSubmatch(f.raw); m != nil {
		i := templateIndex(u.spec, m[1])
		if i < 0 || u.spec.Templates[i].DAG == nil {
			return
		}
		dag := u.spec.Templates[i].DAG
		tasksPath := joinKey(joinKey(joinIndex(joinKey(u.specPath, "templates"), i), "dag"), "tasks")
		switch {
		case m[2] == "graph with cycle":
			cycle := findCycle(dag)
			if len(cycle) == 0 {
				return
			}
			if j := taskIndex(dag, cycle[0]); j >= 0 {
				f.path = firstExisting(u, joinIndex(tasksPath, j), "depends", "dependencies", "name")
			}
			f.msg = msgArgoWith(f.raw, msgCycleHint(cycle))
		case m[3] != "":
			for j := range dag.Tasks {
				if slices.Contains(dependencyNames(dag, &dag.Tasks[j]), m[3]) {
					f.path = firstExisting(u, joinIndex(tasksPath, j), "depends", "dependencies", "name")
					break
				}
			}
			f.msg = msgArgoWith(f.raw, msgUndefinedTaskHint(m[3]))
		case m[4] != "":
			seen := false
			for j := range dag.Tasks {
				if dag.Tasks[j].Name == m[4] {
					if seen {
						f.path = joinKey(joinIndex(tasksPath, j), "name")
						break
					}
					seen = true
				}
			}
			f.msg = msgArgoWith(f.raw, msgDuplicateTaskHint(m[4]))
		}
		return
	}
	if m := argoUnknownType.FindStringSubmatch(f.raw); m != nil {
		if i := templateIndex(u.spec, m[1]); i >= 0 {
			f.path = joinKey(joinIndex(joinKey(u.specPath, "templates"), i), "name")
		}
		return
	}
	if m := argoRetryPolicy.FindStringSubmatch(f.raw); m != nil {
		for i := range u.spec.Templates {
			rs := u.spec.Templates[i].RetryStrategy
			if rs != nil && string(rs.RetryPolicy) == m[1] {
				f.path = joinKey(joinKey(joinIndex(joinKey(u.specPath, "templates"), i), "retryStrategy"), "retryPolicy")
				return
			}
		}
		return
	}
	if m := argoUnresolved.FindStringSubmatch(f.raw); m != nil {
		base := strings.TrimSuffix(f.path, ".name")
		if base == "" {
			base = u.specPath
		}
		if p := findString(u.tree(), base, m[1]); p != "" {
			f.path = p
		}
		return
	}
	if m := argoCronField.FindString(f.raw); m != "" {
		for prefix, fields := range argoCronFieldName {
			if strings.HasPrefix(m, prefix) {
				for _, p := range fields {
					if u.exists(p) {
						f.path = p
						return
					}
				}
			}
		}
		if strings.HasSuffix(m, "concurrencyPolicy") {
			f.path = "spec.concurrencyPolicy"
		}
	}
}

func firstExisting(u *unit, base string, fields ...string) string {
	for _, f := range fields {
		if p := joinKey(base, f); u.exists(p) {
			return p
		}
	}
	return base
}

func taskIndex(dag *wfv1.DAGTemplate, name string) int {
	for j := range dag.Tasks {
		if dag.Tasks[j].Name == name {
			return j
		}
	}
	return -1
}

// dependencyNames lists the tasks task waits for, as Argo reads them.
func dependencyNames(dag *wfv1.DAGTemplate, task *wfv1.DAGTask) []string {
	ctx := &dagContext{tasks: map[string]*wfv1.DAGTask{}, deps: map[string][]string{}}
	for i := range dag.Tasks {
		ctx.tasks[dag.Tasks[i].Name] = &dag.Tasks[i]
	}
	m, _ := common.GetTaskDependencies(task, ctx)
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// findCycle returns the tasks of one dependency cycle of dag, starting with
// the first task (in DAG order) that is on a cycle, or nil.
func findCycle(dag *wfv1.DAGTemplate) []string {
	deps := map[string][]string{}
	for j := range dag.Tasks {
		deps[dag.Tasks[j].Name] = dependencyNames(dag, &dag.Tasks[j])
	}
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var stack, cycle []string
	var visit func(n string) bool
	visit = func(n string) bool {
		state[n] = active
		stack = append(stack, n)
		for _, d := range deps[n] {
			switch state[d] {
			case active:
				k := slices.Index(stack, d)
				cycle = append(slices.Clone(stack[k:]), d)
				return true
			case unvisited:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return false
	}
	for j := range dag.Tasks {
		if state[dag.Tasks[j].Name] == unvisited && visit(dag.Tasks[j].Name) {
			return cycle
		}
	}
	return nil
}

// findString returns the path of the first string (in key order) under
// path base of tree that contains needle, or "".
func findString(tree any, base, needle string) string {
	node := tree
	for _, s := range splitPath(base) {
		switch v := node.(type) {
		case map[string]any:
			node = v[s.key]
		case []any:
			if !s.isIndex || s.index >= len(v) {
				return ""
			}
			node = v[s.index]
		default:
			return ""
		}
	}
	var find func(v any, p string) string
	find = func(v any, p string) string {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if q := find(x[k], joinKey(p, k)); q != "" {
					return q
				}
			}
		case []any:
			for i, item := range x {
				if q := find(item, joinIndex(p, i)); q != "" {
					return q
				}
			}
		case string:
			if strings.Contains(x, needle) {
				return p
			}
		}
		return ""
	}
	return find(node, base)
}
