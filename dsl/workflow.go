package dsl

import (
	"reflect"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/internal/ir"
)

// Library is a set of WorkflowTemplates built together. Templates of one
// WorkflowTemplate may call templates of another; the call becomes a
// templateRef.
type Library struct {
	name string
	wts  []*WorkflowTemplate
	errs []*Error
}

// NewLibrary starts a library.
func NewLibrary(name string) *Library { return &Library{name: name} }

// WorkflowTemplate is one Argo WorkflowTemplate of a library: one file of
// output.
type WorkflowTemplate struct {
	lib         *Library
	name        string
	pos         Pos
	templates   []*tmplDef
	entry       *tmplDef
	onExit      *tmplDef
	labels      map[string]string
	annotations map[string]string
	opts        ir.WorkflowOptions
	locks       []Lock
	exported    []*tmplDef
	errs        []*Error

	// external: installed on the cluster by someone else; its templates
	// are declared (Declare), called by templateRef and never emitted.
	external bool
}

// WorkflowTemplate adds a WorkflowTemplate named name to the library.
func (l *Library) WorkflowTemplate(name string) *WorkflowTemplate {
	wt := &WorkflowTemplate{lib: l, name: name, pos: callerPos()}
	l.wts = append(l.wts, wt)
	return wt
}

// External declares a WorkflowTemplate named name that is installed on
// the cluster but not built by this library: another team's, or a shared
// catalogue's. Declare its templates with their inputs and outputs, then
// call them like any template: the calls become templateRefs, typed and
// checked at Build, and Argo's validator checks them against the declared
// signatures. Compile emits nothing for it.
func (l *Library) External(name string) *WorkflowTemplate {
	wt := &WorkflowTemplate{lib: l, name: name, pos: callerPos(), external: true}
	l.wts = append(l.wts, wt)
	return wt
}

func (wt *WorkflowTemplate) misuse(pos Pos, msg string) {
	wt.errs = append(wt.errs, &Error{Pos: pos, Msg: msg})
}

// Misuse records a mistake in the use of an extension package (see
// Helper): Build reports msg as an error at the user's call into the
// extension, once however often it is recorded there.
func (wt *WorkflowTemplate) Misuse(msg string) { wt.misuse(callerPos(), msg) }

// Name is the WorkflowTemplate's name.
func (wt *WorkflowTemplate) Name() string { return wt.name }

// Entrypoint makes t the template a submitted workflow starts with. Its
// inputs become the workflow's arguments: their descriptions and enums drive
// the Argo UI's submit form.
func (wt *WorkflowTemplate) Entrypoint(t Callable) *WorkflowTemplate {
	d := t.def()
	if wt.external {
		wt.misuse(callerPos(), msgExternalBody(wt.name, "an entrypoint"))
		return wt
	}
	if d.wt != wt {
		wt.misuse(callerPos(), msgEntrypointElsewhere(d.name, d.wt.name, wt.name))
		return wt
	}
	wt.entry = d
	return wt
}

// OnExit runs t when the workflow ends, whatever its outcome. t takes no
// inputs; use WorkflowStatus in it to tell success from failure.
func (wt *WorkflowTemplate) OnExit(t Callable) *WorkflowTemplate {
	d := t.def()
	if d.wt != wt {
		wt.misuse(callerPos(), msgOnExitElsewhere(d.name, wt.name))
		return wt
	}
	if len(d.inFields) > 0 {
		wt.misuse(callerPos(), msgOnExitInputs(d.name))
		return wt
	}
	wt.onExit = d
	return wt
}

// Export marks templates as entry points a user may submit instead of the
// default one (argo submit --entrypoint), or call from other
// WorkflowTemplates: they take the workflow's arguments like the
// entrypoint, and are not reported as unused.
func (wt *WorkflowTemplate) Export(ts ...Callable) *WorkflowTemplate {
	for _, t := range ts {
		wt.exported = append(wt.exported, t.def())
	}
	return wt
}

// Label sets a label on the WorkflowTemplate.
func (wt *WorkflowTemplate) Label(k, v string) *WorkflowTemplate {
	if wt.labels == nil {
		wt.labels = map[string]string{}
	}
	wt.labels[k] = v
	return wt
}

// Annotation sets an annotation on the WorkflowTemplate.
func (wt *WorkflowTemplate) Annotation(k, v string) *WorkflowTemplate {
	if wt.annotations == nil {
		wt.annotations = map[string]string{}
	}
	wt.annotations[k] = v
	return wt
}

// ServiceAccount sets the service account workflows run as.
func (wt *WorkflowTemplate) ServiceAccount(name string) *WorkflowTemplate {
	wt.opts.ServiceAccountName = name
	return wt
}

// ActiveDeadline bounds the whole workflow's run time, in seconds.
func (wt *WorkflowTemplate) ActiveDeadline(seconds int64) *WorkflowTemplate {
	wt.opts.ActiveDeadlineSeconds = &seconds
	return wt
}

// Parallelism bounds the number of pods running at once in a workflow.
func (wt *WorkflowTemplate) Parallelism(n int64) *WorkflowTemplate {
	wt.opts.Parallelism = &n
	return wt
}

// PodGC strategies.
const (
	PodGCOnPodCompletion      = wfv1.PodGCOnPodCompletion
	PodGCOnPodSuccess         = wfv1.PodGCOnPodSuccess
	PodGCOnWorkflowCompletion = wfv1.PodGCOnWorkflowCompletion
	PodGCOnWorkflowSuccess    = wfv1.PodGCOnWorkflowSuccess
)

// PodGC sets when the workflow's pods are deleted.
func (wt *WorkflowTemplate) PodGC(s wfv1.PodGCStrategy) *WorkflowTemplate {
	wt.opts.PodGC = &wfv1.PodGC{Strategy: s}
	return wt
}

// TTL sets how long finished workflows are kept, in seconds; a nil pointer
// leaves that case unset.
func (wt *WorkflowTemplate) TTL(afterCompletion, afterSuccess, afterFailure *int32) *WorkflowTemplate {
	wt.opts.TTLStrategy = &wfv1.TTLStrategy{SecondsAfterCompletion: afterCompletion, SecondsAfterSuccess: afterSuccess, SecondsAfterFailure: afterFailure}
	return wt
}

// PodSecurityContext sets the default pod security context of every pod.
func (wt *WorkflowTemplate) PodSecurityContext(sc *corev1.PodSecurityContext) *WorkflowTemplate {
	wt.opts.SecurityContext = sc
	return wt
}

// Synchronize holds the listed locks for the whole workflow.
func (wt *WorkflowTemplate) Synchronize(locks ...Lock) *WorkflowTemplate {
	wt.locks = locks
	return wt
}

// Global is a reference to the workflow parameter name, readable in every
// template. Build checks that the entrypoint declares an input of that name
// and type.
func Global[T any](wt *WorkflowTemplate, name string) Expr[T] {
	return Expr[T]{n: &refNode{kind: refWorkflowParam, name: name, typ: typeOf(reflect.TypeFor[T]()), wt: wt, pos: callerPos()}}
}
