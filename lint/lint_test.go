package lint

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func container(name string) wfv1.Template {
	return wfv1.Template{Name: name, Container: &corev1.Container{Image: "alpine:3.20", Command: []string{"echo", "hi"}}}
}

func workflowTemplate(name string, templates ...wfv1.Template) *wfv1.WorkflowTemplate {
	return &wfv1.WorkflowTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       wfv1.WorkflowSpec{Templates: templates},
	}
}

// problemKey is what the in-memory tests compare: where and what.
type problemKey struct {
	object, path, msg string
	warning           bool
}

// checkProblems requires exactly one problem per want (same object, path
// and severity, message containing msg) and no other problem.
func checkProblems(t *testing.T, got Problems, wants ...problemKey) {
	t.Helper()
	used := make([]bool, len(wants))
	for _, p := range got {
		if p.File != "" || p.Line != 0 || p.Col != 0 {
			t.Errorf("in-memory problem has a file position: %+v", p)
		}
		ok := false
		for i, w := range wants {
			if !used[i] && w.object == p.Object && w.path == p.Path && w.warning == p.Warning && strings.Contains(p.Msg, w.msg) {
				used[i], ok = true, true
				break
			}
		}
		if !ok {
			t.Errorf("unexpected problem: %s", p)
		}
	}
	for i, w := range wants {
		if !used[i] {
			t.Errorf("missing problem: %+v", w)
		}
	}
}

func TestObjectsInMemory(t *testing.T) {
	wt := workflowTemplate("rolling-update",
		wfv1.Template{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: []wfv1.DAGTask{
			{Name: "check", Template: "echo"},
			{Name: "act", Template: "Echo", Depends: "check", When: "{{tasks.check.outputs.result}} === done"},
		}}},
		container("echo"),
		container("Echo"),
	)
	wt.Spec.Entrypoint = "main"
	checkProblems(t, Objects([]Object{wt}),
		problemKey{"WorkflowTemplate/rolling-update", "spec.templates[0].dag.tasks[1].when", "invalid when expression", false},
		problemKey{"WorkflowTemplate/rolling-update", "spec.templates[2].name", `template name "Echo" is not a lowercase RFC 1123 label`, false},
	)
}

func TestObjectsArgoErrorPath(t *testing.T) {
	wt := workflowTemplate("unknown-template",
		wfv1.Template{Name: "main", Steps: []wfv1.ParallelSteps{
			{Steps: []wfv1.WorkflowStep{{Name: "a", Template: "echo"}}},
			{Steps: []wfv1.WorkflowStep{{Name: "b", Template: "echo"}, {Name: "c", Template: "nope"}}},
		}},
		container("echo"),
	)
	checkProblems(t, Objects([]Object{wt}),
		problemKey{"WorkflowTemplate/unknown-template", "spec.templates[0].steps[1][1].template", "template name 'nope' undefined", false},
	)
}

// TestObjectsTemplateRef checks that templateRef resolves against the other
// objects of the set, and only against them.
func TestObjectsTemplateRef(t *testing.T) {
	lib := workflowTemplate("library", container("echo"))
	caller := workflowTemplate("caller", wfv1.Template{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: []wfv1.DAGTask{
		{Name: "call", TemplateRef: &wfv1.TemplateRef{Name: "library", Template: "echo"}},
	}}})
	wf := &wfv1.Workflow{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "caller-"},
		Spec:       wfv1.WorkflowSpec{WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{Name: "caller"}, Entrypoint: "main"},
	}
	checkProblems(t, Objects([]Object{lib, caller, wf}))
	checkProblems(t, Objects([]Object{caller, wf}),
		problemKey{"WorkflowTemplate/caller", "spec.templates[0].dag.tasks[0].templateRef.template", "template reference library.echo not found", false},
	)
	checkProblems(t, Objects([]Object{wf}),
		problemKey{"Workflow/caller-*", "spec.workflowTemplateRef", `workflowtemplates.argoproj.io "caller" not found`, false},
	)
}

func TestObjectsDoesNotModify(t *testing.T) {
	objs := []Object{dagTemplate(30, layered), dagTemplate(5, chain)}
	objs[1].(*wfv1.WorkflowTemplate).Name = "chain"
	objs[1].(*wfv1.WorkflowTemplate).Spec.Templates[0].DAG.Tasks[2].When = "(" // a problem, so Argo runs twice
	before := []Object{objs[0].DeepCopyObject(), objs[1].DeepCopyObject()}
	Objects(objs)
	for i := range objs {
		if !reflect.DeepEqual(before[i], objs[i]) {
			t.Errorf("Objects modified object %d", i)
		}
	}
}

// TestSubmittedArguments: a WorkflowTemplate argument declared without a
// value is given at submission, so the entrypoint input it feeds is not
// reported as missing when the template is validated as a Workflow.
func TestSubmittedArguments(t *testing.T) {
	tmpl := container("main")
	tmpl.Inputs.Parameters = []wfv1.Parameter{{Name: "cluster"}, {Name: "mode"}}
	tmpl.Container.Args = []string{"{{inputs.parameters.cluster}}", "{{inputs.parameters.mode}}"}
	wt := workflowTemplate("submitted", tmpl)
	wt.Spec.Entrypoint = "main"
	wt.Spec.Arguments.Parameters = []wfv1.Parameter{
		{Name: "cluster"},
		{Name: "mode", Enum: []wfv1.AnyString{"fast", "safe"}},
	}
	before := wt.DeepCopy()
	checkProblems(t, Objects([]Object{wt}))
	if !reflect.DeepEqual(before, wt) {
		t.Error("Objects modified the template's arguments")
	}
	wt.Spec.Arguments.Parameters = wt.Spec.Arguments.Parameters[1:]
	checkProblems(t, Objects([]Object{wt}),
		problemKey{"WorkflowTemplate/submitted", "spec.templates[0].inputs.parameters[0].name", "inputs.parameters.cluster was not supplied", false},
	)
}

func TestObjectsUnsupported(t *testing.T) {
	var nilWT *wfv1.WorkflowTemplate
	ps := Objects([]Object{&corev1.ConfigMap{}, nilWT})
	if len(ps) != 2 || !strings.Contains(ps[0].Msg, "cannot lint a *v1.ConfigMap") || !strings.Contains(ps[1].Msg, "nil *v1alpha1.WorkflowTemplate") {
		t.Errorf("got %v", ps.Error())
	}
}

func TestObjectsDuplicate(t *testing.T) {
	checkProblems(t, Objects([]Object{workflowTemplate("lib", container("a")), workflowTemplate("lib", container("b"))}),
		problemKey{"WorkflowTemplate/lib", "metadata.name", "WorkflowTemplate/lib is defined twice", false},
	)
}

func TestObjectsNames(t *testing.T) {
	wt := workflowTemplate("Rolling.Update", container("x"))
	wf := &wfv1.Workflow{Spec: wfv1.WorkflowSpec{Entrypoint: "x", Templates: []wfv1.Template{container("x")}}}
	gen := &wfv1.Workflow{ObjectMeta: metav1.ObjectMeta{GenerateName: "Upper-"}, Spec: wf.Spec}
	checkProblems(t, Objects([]Object{wt, wf, gen}),
		problemKey{"WorkflowTemplate/Rolling.Update", "metadata.name", `WorkflowTemplate name "Rolling.Update" is not a lowercase RFC 1123 name (upper-case letters)`, false},
		problemKey{"Workflow/", "metadata", "metadata.name or metadata.generateName is required", false},
		problemKey{"Workflow/Upper-*", "metadata.generateName", `Workflow name "Upper-" is not a lowercase RFC 1123 name`, false},
	)
}

func TestSizeBudgets(t *testing.T) {
	big := strings.Repeat("x", MaxParamBytes+1)
	wt := workflowTemplate("sizes", container("echo"))
	wt.Spec.Arguments.Parameters = []wfv1.Parameter{{Name: "plan", Value: wfv1.AnyStringPtr(big)}}
	wt.Spec.Templates[0].Inputs.Parameters = []wfv1.Parameter{{Name: "in", Default: wfv1.AnyStringPtr(big)}}
	checkProblems(t, Objects([]Object{wt}),
		problemKey{"WorkflowTemplate/sizes", "spec.arguments.parameters[0].value", `parameter "plan" value is 262145 bytes`, false},
		problemKey{"WorkflowTemplate/sizes", "spec.templates[0].inputs.parameters[0].default", `parameter "in" value is 262145 bytes`, false},
	)

	huge := workflowTemplate("huge", container("echo"))
	huge.Spec.Templates[0].Container.Args = []string{strings.Repeat("y", MaxObjectBytes)}
	checkProblems(t, Objects([]Object{huge}),
		problemKey{"WorkflowTemplate/huge", "metadata.name", "over the 1048576-byte budget", false},
	)
}

func TestWhen(t *testing.T) {
	tests := []struct {
		when, want string // want "" means valid
	}{
		{"", ""},
		{"{{tasks.a.outputs.result}} == done", ""},
		{"'{{inputs.parameters.mode}}' =~ '^fast'", ""},
		{"{{steps.a.outputs.result}} in ('heads', 'tails')", ""},
		{"{{inputs.parameters.n}} > 3 && !{{inputs.parameters.dry}}", ""},
		{"{{=asInt(inputs.parameters.n) > 3}}", ""},
		{"true", ""},
		{"foo != bar", ""}, // bare words are strings
		{"{{tasks.a.outputs.result}} === done", "Invalid token: '==='"},
		{"{{tasks.a.outputs.result}} ==", "invalid when expression"},
		{"({{tasks.a.outputs.result}} == x", "Unbalanced parenthesis"},
		{"{{tasks.a.outputs.result}} done", "Cannot transition token types"},
		{"1 + 2", "not a boolean"},
		{"'a' > 3", "fails to evaluate"},
		{"{{tasks.a.outputs.result == x", ""}, // unterminated: reported by the tag check, not twice
	}
	for _, tc := range tests {
		var got []string
		c := &checker{report: func(_, msg string, _ bool) { got = append(got, msg) }}
		c.checkWhen("when", tc.when)
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("when %q: unexpected %q", tc.when, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("when %q: got %q, want one message containing %q", tc.when, got, tc.want)
		}
	}
}

func TestExpr(t *testing.T) {
	tests := []struct {
		src   string
		scope exprScope
		want  string // "" means valid
	}{
		{"asInt(inputs.parameters.x) + 1", scopeTemplate, ""},
		{"asFloat(item.weight) * 2", scopeTemplate, ""},
		{"sprig.upper(inputs.parameters.x)", scopeTemplate, ""},
		{"jsonpath(tasks.a.outputs.result, '$.items')", scopeTemplate, ""},
		{"toJson(fromJSON(steps.a.outputs.result))", scopeTemplate, ""},
		{"toJSON(item)", scopeTemplate, ""},
		{"let n = asInt(retries); n > 2 ? 'many' : 'few'", scopeTemplate, ""},
		{"filter(fromJSON(inputs.parameters.xs), # > 1)", scopeTemplate, ""},
		{"map(fromJSON(inputs.parameters.xs), .name)", scopeTemplate, ""},
		{"inputs.parameters.x ?? 'default'", scopeTemplate, ""},
		{"workflow.status == 'Succeeded'", scopeTemplate, ""},
		{"fromJson(inputs.parameters.x)", scopeTemplate, "unknown function fromJson; did you mean fromJSON?"},
		{"sprig.env('HOME')", scopeTemplate, "sprig.env, which Argo does not provide"},
		{"input.parameters.x", scopeTemplate, "unknown name input; did you mean inputs?"},
		{"asInt(", scopeTemplate, "invalid {{= }} expression"},
		{"upper(1, 2)", scopeTemplate, "too many arguments"},
		{" ", scopeTemplate, "empty {{= }} expression"},
		{"asInt(lastRetry.exitCode) > 1 && retries < 3", scopeRetry, ""},
		{"inputs.parameters.x == '1'", scopeRetry, "unknown name inputs"},
		{"response.statusCode == 200 && request.method == 'POST'", scopeHTTP, ""},
		{"sprig.trim(response.body) == 'ok'", scopeHTTP, "unknown name sprig"},
		{"cronworkflow.failed >= 3", scopeCron, ""},
	}
	for _, tc := range tests {
		got := checkExpr(tc.src, tc.scope)
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%q: unexpected %q", tc.src, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%q: got %q, want one message containing %q", tc.src, got, tc.want)
		}
	}
}

func TestScanTags(t *testing.T) {
	tags, open := scanTags("a {{x}} b {{=y}}}} c {{z")
	if len(tags) != 2 || tags[0].body != "x" || tags[1].body != "=y" || !tags[1].isExpr() || open != 21 {
		t.Errorf("got %+v, open %d", tags, open)
	}
	if got := substituteTags("{{a}} == {{b}}", []tag{{0, 5, "a"}, {9, 14, "b"}}, "p"); got != "p == p" {
		t.Errorf("substituteTags = %q", got)
	}
}

func TestProblemsFormat(t *testing.T) {
	ps := Problems{
		{File: "b.yaml", Line: 3, Col: 5, Msg: "second"},
		{Object: "WorkflowTemplate/x", Path: "spec.templates[0].name", Msg: "in memory", Warning: true},
		{File: "a.yaml", Line: 7, Msg: "no column"},
		{File: "a.yaml", Object: "Workflow/w", Path: "spec", Msg: "no line"},
	}
	if ps.Err() == nil {
		t.Fatal("Err() is nil with errors present")
	}
	ps.Sort()
	want := strings.Join([]string{
		"WorkflowTemplate/x: spec.templates[0].name: warning: in memory",
		"a.yaml: Workflow/w: spec: no line",
		"a.yaml:7: no column",
		"b.yaml:3:5: second",
	}, "\n")
	if got := ps.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	ps = Problems{{Path: "spec.templates[10].name"}, {Path: "spec.templates[2].name"}, {Path: "spec"}}
	ps.Sort()
	if ps[0].Path != "spec" || ps[1].Path != "spec.templates[2].name" {
		t.Errorf("paths sorted as %v", ps)
	}
	if err := (Problems{{Msg: "w", Warning: true}}).Err(); err != nil {
		t.Errorf("Err() = %v with warnings only", err)
	}
	if err := Problems(nil).Err(); err != nil {
		t.Errorf("Err() = %v for no problems", err)
	}
}

func TestFilesReadError(t *testing.T) {
	ps := Files(os.DirFS(corpusDir), []string{"does-not-exist.yaml"})
	if len(ps) != 1 || ps[0].File != "does-not-exist.yaml" || !strings.Contains(ps[0].Msg, "cannot read file") {
		t.Errorf("got %v", ps.Error())
	}
}

// TestConcurrent runs Objects from several goroutines: Argo's validator
// keeps global state, which lint serializes (run with -race to check).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ps := Objects([]Object{dagTemplate(20, layered)}); len(ps) > 0 {
				t.Errorf("unexpected problems: %v", ps.Error())
			}
		}()
	}
	wg.Wait()
}

// TestWrappedIsStricter checks the assumption validateWithArgo relies on to
// skip the template-mode run: whenever ValidateWorkflowTemplate rejects a
// WorkflowTemplate of the corpus, the wrapped ValidateWorkflow does too.
func TestWrappedIsStricter(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "valid", "*.yaml"))
	l := &linter{}
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l.addFile(f, data)
	}
	set := newObjectSet(l.units, nil)
	checked := 0
	for _, u := range l.units {
		wt, ok := u.obj.(*wfv1.WorkflowTemplate)
		if !ok {
			continue
		}
		wg, cg := wftGetter{set: set, ns: wt.Namespace}, cwftGetter{set: set}
		tmplErr := runGuarded(func() error {
			return validate.ValidateWorkflowTemplate(wg, cg, wt, nil, validate.ValidateOpts{Lint: true})
		})
		wrappedErr := runGuarded(func() error {
			return validate.ValidateWorkflow(wg, cg, wrapAsWorkflow(wt.ObjectMeta, wt.Spec), nil,
				validate.ValidateOpts{Lint: true, IgnoreEntrypoint: wt.Spec.Entrypoint == ""})
		})
		if tmplErr != nil && wrappedErr == nil {
			t.Errorf("%s: template mode rejects (%v), wrapped mode accepts", u.file, tmplErr)
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("checked %d WorkflowTemplates, want at least 30", checked)
	}
}

// A Workflow that references a WorkflowTemplate comes back unchanged:
// Argo's validator writes resolved templates into the status it is given.
func TestObjectsLeavesWorkflowStatusAlone(t *testing.T) {
	wt := &wfv1.WorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: "lib"}, Spec: wfv1.WorkflowSpec{
		Entrypoint: "main",
		Templates:  []wfv1.Template{{Name: "main", Container: &corev1.Container{Image: "busybox"}}},
	}}
	wf := &wfv1.Workflow{ObjectMeta: metav1.ObjectMeta{GenerateName: "run-"}, Spec: wfv1.WorkflowSpec{
		WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{Name: "lib"},
	}}
	if p := Objects([]Object{wt, wf}); p.Err() != nil {
		t.Fatal(p)
	}
	if len(wf.Status.StoredTemplates) != 0 {
		t.Errorf("Objects changed the Workflow's status: %d stored templates", len(wf.Status.StoredTemplates))
	}
}

// TestArgoVersion: the version digests are recorded with is the one the
// module requires, so a digest recorded with one Argo validator never
// vouches for another.
func TestArgoVersion(t *testing.T) {
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := "github.com/argoproj/argo-workflows/v3 " + argoVersion + "\n"
	if !strings.Contains(string(data), want) {
		t.Errorf("go.mod does not require %q: set argoVersion in verified.go to the version it requires", strings.TrimSpace(want))
	}
}
