package lint

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
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
}

func newObjectSet(units []*unit) *objectSet {
	s := &objectSet{wfts: map[string][]*wfv1.WorkflowTemplate{}, cwfts: map[string]*wfv1.ClusterWorkflowTemplate{}}
	for _, u := range units {
		switch v := u.obj.(type) {
		case *wfv1.WorkflowTemplate:
			s.wfts[v.Name] = append(s.wfts[v.Name], v)
		case *wfv1.ClusterWorkflowTemplate:
			if _, ok := s.cwfts[v.Name]; !ok {
				s.cwfts[v.Name] = v
			}
		}
	}
	return s
}

// wftGetter is Argo's WorkflowTemplateNamespacedGetter over an objectSet,
// preferring a template in the namespace of the object being validated.
type wftGetter struct {
	set *objectSet
	ns  string
}

func (g wftGetter) Get(name string) (*wfv1.WorkflowTemplate, error) {
	cands := g.set.wfts[name]
	for _, c := range cands {
		if c.Namespace == g.ns || c.Namespace == "" || g.ns == "" {
			return c, nil
		}
	}
	if len(cands) > 0 {
		return cands[0], nil
	}
	return nil, apierr.NewNotFound(schema.GroupResource{Group: "argoproj.io", Resource: "workflowtemplates"}, name)
}

// cwftGetter is Argo's ClusterWorkflowTemplateGetter over an objectSet.
type cwftGetter struct{ set *objectSet }

func (g cwftGetter) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	if c, ok := g.set.cwfts[name]; ok {
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
// validated twice: as templates, and wrapped as a Workflow, which resolves
// {{workflow.parameters.*}} strictly. Argo stops at the first error of each
// run, so this yields at most two findings per object.
func validateWithArgo(u *unit, set *objectSet) []argoFinding {
	m := metaOf(u.obj)
	wg := wftGetter{set: set, ns: m.Namespace}
	cg := cwftGetter{set: set}
	var runs []func() error
	switch v := u.obj.(type) {
	case *wfv1.WorkflowTemplate:
		runs = append(runs,
			func() error {
				return validate.ValidateWorkflowTemplate(wg, cg, v, nil, validate.ValidateOpts{Lint: true})
			},
			func() error {
				return validate.ValidateWorkflow(wg, cg, wrapAsWorkflow(v.ObjectMeta, v.Spec), nil,
					validate.ValidateOpts{Lint: true, IgnoreEntrypoint: v.Spec.Entrypoint == ""})
			})
	case *wfv1.ClusterWorkflowTemplate:
		runs = append(runs,
			func() error {
				return validate.ValidateClusterWorkflowTemplate(wg, cg, v, nil, validate.ValidateOpts{Lint: true})
			},
			func() error {
				return validate.ValidateWorkflow(wg, cg, wrapAsWorkflow(v.ObjectMeta, v.Spec), nil,
					validate.ValidateOpts{Lint: true, IgnoreEntrypoint: v.Spec.Entrypoint == ""})
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
		if err == nil || seen[err.Error()] {
			continue
		}
		seen[err.Error()] = true
		raw := err.Error()
		out = append(out, argoFinding{raw: raw, path: argoPath(u, raw), msg: msgArgo(raw)})
	}
	return out
}

// wrapAsWorkflow is the Workflow a user gets when submitting spec: every
// argument has a value by then (Argo refuses a submission without one), so
// an argument declared without a value gets a placeholder, as the UI's
// submit form or `argo submit -p` would supply. The entrypoint's inputs are
// then checked against those arguments the way the controller binds them.
func wrapAsWorkflow(m metav1.ObjectMeta, spec wfv1.WorkflowSpec) *wfv1.Workflow {
	spec = *spec.DeepCopy()
	for i, p := range spec.Arguments.Parameters {
		if p.Value == nil && p.ValueFrom == nil {
			v := "submitted-" + p.Name
			if len(p.Enum) > 0 {
				v = p.Enum[0].String()
			}
			spec.Arguments.Parameters[i].Value = wfv1.AnyStringPtr(v)
		}
	}
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
			if p := joinKey(base, f); u.exists(p) {
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

// callerFields lists the fields of a task or step an Argo message is about,
// most specific first.
func callerFields(msg string) []string {
	switch {
	case strings.Contains(msg, "dependency"):
		return []string{"depends", "dependencies"}
	case strings.Contains(msg, "was not supplied"), strings.Contains(msg, "arguments"), strings.Contains(msg, "missing dependency"):
		return []string{"arguments"}
	case strings.Contains(msg, "template name"), strings.Contains(msg, "template reference"), strings.Contains(msg, "not found"):
		return []string{"templateRef", "template"}
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
// problems at the same place, so it is not shown twice.
func coveredByOurs(f argoFinding, p Problem, ours []Problem) bool {
	for _, o := range ours {
		if o.Warning || o.Path != p.Path {
			continue
		}
		if argoQuotedName.MatchString(f.raw) && strings.Contains(f.raw, "is invalid") {
			return true
		}
		if strings.Contains(f.raw, "cannot find end tag") || strings.Contains(f.raw, "Cannot find end tag") {
			return true
		}
	}
	return false
}
