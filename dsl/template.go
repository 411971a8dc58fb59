package dsl

import (
	"reflect"
	"strconv"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/lint"
)

// Callable is a template that tasks and steps can call: any kind of template
// of any WorkflowTemplate of the library.
type Callable interface {
	def() *tmplDef
}

// Template is a template with inputs I and outputs O (structs of Expr
// fields). Every template kind embeds it.
type Template[I, O any] struct {
	d *tmplDef
}

func (t Template[I, O]) def() *tmplDef { return t.d }

// In returns the template's inputs, for use in its own body.
func (t Template[I, O]) In() I { return t.d.in.Interface().(I) }

// Name is the template's name.
func (t Template[I, O]) Name() string { return t.d.name }

// tmplDef is what every template kind records.
type tmplDef struct {
	name      string
	pos       Pos
	wt        *WorkflowTemplate
	kind      ir.Kind
	inFields  []paramField
	outFields []paramField
	in        reflect.Value
	outputs   reflect.Value // the O given to Outputs; invalid until then
	outPos    Pos
	errs      []*Error

	// The body: words and texts may hold expressions, rendered at Build.
	image      any // string or Expr[string]
	command    []any
	args       []any
	env        []envVar
	source     string
	sourceArgs []any
	manifest   string
	manArgs    []any
	httpURL    []any
	httpBody   []any
	httpHdrs   []httpHeader
	calls      []*callDef // DAG tasks, or steps in groups
	groups     [][]*callDef

	at map[string]Pos // where each part of the body was set

	locks      []Lock
	suspendFor node
	declared   bool // Declare'd in an External WorkflowTemplate

	retryIf    node
	retryIfPos Pos
	memoKey    node
	memoPos    Pos

	// t holds the parts that need no rendering.
	t ir.Template
}

type envVar struct {
	name   string
	value  any
	secret *corev1.SecretKeySelector
	cmName any // with cmKey: the value comes from a ConfigMap's key
	cmKey  any
	pos    Pos
}

type httpHeader struct {
	name   string
	value  any
	secret *corev1.SecretKeySelector
}

// set records the DSL line that set a part of the body.
func (d *tmplDef) set(part string) {
	if d.at == nil {
		d.at = map[string]Pos{}
	}
	d.at[part] = callerPos()
}

func (d *tmplDef) misuse(pos Pos, msg string) {
	d.errs = append(d.errs, &Error{Pos: pos, Msg: msg})
}

// newTemplate registers a template of kind k in wt.
func newTemplate[I, O any](wt *WorkflowTemplate, name string, k ir.Kind) *tmplDef {
	d := addTemplate[I, O](wt, name, k)
	if wt.external {
		d.misuse(d.pos, msgExternalBody(wt.name, "the "+k.String()+" template "+strconv.Quote(name)))
	}
	return d
}

// addTemplate adds the template name of kind k, taking I and returning O,
// to wt: newTemplate's body, and Declare's.
func addTemplate[I, O any](wt *WorkflowTemplate, name string, k ir.Kind) *tmplDef {
	pos := callerPos()
	d := &tmplDef{name: name, pos: pos, wt: wt, kind: k}
	var probs []string
	d.inFields, probs = paramFields(reflect.TypeFor[I]())
	for _, p := range probs {
		d.misuse(pos, p)
	}
	d.outFields, probs = paramFields(reflect.TypeFor[O]())
	for _, p := range probs {
		d.misuse(pos, p)
	}
	d.in = fill(reflect.TypeFor[I](), d.inFields, func(f paramField) node {
		return &refNode{kind: refInput, name: f.name, typ: f.typ, tmpl: d, pos: pos}
	})
	wt.templates = append(wt.templates, d)
	return d
}

// setOutputs records the template's output definitions.
func setOutputs[O any](d *tmplDef, o O) {
	d.outputs = reflect.ValueOf(o)
	d.outPos = callerPos()
}

func (d *tmplDef) with(opts []TemplateOption) {
	pos := callerPos()
	for _, o := range opts {
		o.apply(d, pos)
	}
}

// Output sources: where an output parameter's value comes from.

func source[T any](from, value string) Expr[T] {
	return Expr[T]{n: &sourceNode{from: from, value: value, typ: typeOf(reflect.TypeFor[T]()), pos: callerPos()}}
}

// FromFile is an output read from a file the container writes.
func FromFile[T any](path string) Expr[T] { return source[T]("path", path) }

// FromJSONPath is an output of a resource template: a JSON path into the
// created or fetched object.
func FromJSONPath[T any](path string) Expr[T] { return source[T]("jsonPath", path) }

// FromJQ is an output of a resource template: a jq filter over the object.
func FromJQ[T any](filter string) Expr[T] { return source[T]("jqFilter", filter) }

// Supplied is an output of a suspend template given by whoever resumes it
// (an approval's answer). An enum on the output field becomes the choices
// offered in the Argo UI.
func Supplied[T any]() Expr[T] { return source[T]("supplied", "") }

// ContainerTemplate runs one container.
type ContainerTemplate[I, O any] struct{ Template[I, O] }

// Container defines a container template named name in wt, with inputs I
// and outputs O.
func Container[I, O any](wt *WorkflowTemplate, name string) *ContainerTemplate[I, O] {
	return &ContainerTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindContainer)}}
}

// Image sets the container image: a string, or an Expr[string] such as a
// workflow parameter, so that a library's users choose their own image.
func (t *ContainerTemplate[I, O]) Image(image any) *ContainerTemplate[I, O] {
	t.d.set("image")
	t.d.image = image
	return t
}

// Command sets the entry point. Each word is a string or an Expr.
func (t *ContainerTemplate[I, O]) Command(words ...any) *ContainerTemplate[I, O] {
	t.d.set("command")
	t.d.command = words
	return t
}

// Args sets the arguments. Each word is a string or an Expr.
func (t *ContainerTemplate[I, O]) Args(words ...any) *ContainerTemplate[I, O] {
	t.d.set("args")
	t.d.args = words
	return t
}

// Env sets an environment variable to a string or an Expr.
func (t *ContainerTemplate[I, O]) Env(name string, value any) *ContainerTemplate[I, O] {
	t.d.env = append(t.d.env, envVar{name: name, value: value, pos: callerPos()})
	return t
}

// EnvFromSecret sets an environment variable from a key of a Kubernetes
// Secret, the only way credentials enter a pod.
func (t *ContainerTemplate[I, O]) EnvFromSecret(name, secret, key string) *ContainerTemplate[I, O] {
	t.d.env = append(t.d.env, envVar{name: name, secret: secretKey(secret, key), pos: callerPos()})
	return t
}

// EnvFromConfigMap sets an environment variable from a key of a
// ConfigMap; name and key are strings or Exprs. The kubelet reads the
// value, so Argo never sees it: the way to hand a pod text that Argo must
// not substitute or evaluate.
func (t *ContainerTemplate[I, O]) EnvFromConfigMap(name string, configMap, key any) *ContainerTemplate[I, O] {
	t.d.env = append(t.d.env, envVar{name: name, cmName: configMap, cmKey: key, pos: callerPos()})
	return t
}

// Resources sets the container's requests and limits.
func (t *ContainerTemplate[I, O]) Resources(r corev1.ResourceRequirements) *ContainerTemplate[I, O] {
	t.d.t.Container = ensureContainer(t.d.t.Container)
	t.d.t.Container.Resources = r
	return t
}

// SecurityContext sets the container's security context.
func (t *ContainerTemplate[I, O]) SecurityContext(sc *corev1.SecurityContext) *ContainerTemplate[I, O] {
	t.d.t.Container = ensureContainer(t.d.t.Container)
	t.d.t.Container.SecurityContext = sc
	return t
}

// Outputs defines the template's outputs, e.g. with FromFile.
func (t *ContainerTemplate[I, O]) Outputs(o O) *ContainerTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options (retries, deadlines, locks, memoization).
func (t *ContainerTemplate[I, O]) With(opts ...TemplateOption) *ContainerTemplate[I, O] {
	t.d.with(opts)
	return t
}

func ensureContainer(c *corev1.Container) *corev1.Container {
	if c == nil {
		return &corev1.Container{}
	}
	return c
}

func secretKey(secret, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}
}

// ScriptTemplate runs a script in a container; its standard output is the
// step's result.
type ScriptTemplate[I, O any] struct{ Template[I, O] }

// Script defines a script template named name in wt.
func Script[I, O any](wt *WorkflowTemplate, name string) *ScriptTemplate[I, O] {
	return &ScriptTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindScript)}}
}

// Image sets the image the script runs in: a string or an Expr[string].
func (t *ScriptTemplate[I, O]) Image(image any) *ScriptTemplate[I, O] {
	t.d.set("image")
	t.d.image = image
	return t
}

// Command sets the interpreter, e.g. "sh" or "python3".
func (t *ScriptTemplate[I, O]) Command(words ...any) *ScriptTemplate[I, O] {
	t.d.set("command")
	t.d.command = words
	return t
}

// Source sets the script. Each %s in format is replaced by the rendering of
// the matching argument (a string or an Expr); write %% for a percent sign.
// Prefer Env for values from inputs: the shell then cannot misread them.
func (t *ScriptTemplate[I, O]) Source(format string, args ...any) *ScriptTemplate[I, O] {
	t.d.set("source")
	t.d.source, t.d.sourceArgs = format, args
	return t
}

// Env sets an environment variable to a string or an Expr.
func (t *ScriptTemplate[I, O]) Env(name string, value any) *ScriptTemplate[I, O] {
	t.d.env = append(t.d.env, envVar{name: name, value: value, pos: callerPos()})
	return t
}

// EnvFromSecret sets an environment variable from a key of a Secret.
func (t *ScriptTemplate[I, O]) EnvFromSecret(name, secret, key string) *ScriptTemplate[I, O] {
	t.d.env = append(t.d.env, envVar{name: name, secret: secretKey(secret, key), pos: callerPos()})
	return t
}

// Resources sets the script container's requests and limits.
func (t *ScriptTemplate[I, O]) Resources(r corev1.ResourceRequirements) *ScriptTemplate[I, O] {
	t.d.t.Container = ensureContainer(t.d.t.Container)
	t.d.t.Container.Resources = r
	return t
}

// Outputs defines the template's outputs.
func (t *ScriptTemplate[I, O]) Outputs(o O) *ScriptTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *ScriptTemplate[I, O]) With(opts ...TemplateOption) *ScriptTemplate[I, O] {
	t.d.with(opts)
	return t
}

// ResourceTemplate creates, applies, patches or deletes a Kubernetes object.
type ResourceTemplate[I, O any] struct{ Template[I, O] }

// Resource defines a resource template named name in wt doing action
// ("create", "apply", "patch", "delete", "get", "replace").
func Resource[I, O any](wt *WorkflowTemplate, name, action string) *ResourceTemplate[I, O] {
	t := &ResourceTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindResource)}}
	switch action {
	case "create", "apply", "patch", "delete", "get", "replace":
	default:
		t.d.misuse(t.d.pos, msgBadResourceAction(action))
	}
	t.d.t.Resource = &wfv1.ResourceTemplate{Action: action}
	return t
}

// Manifest sets the object, as YAML. Each %s in format is replaced by the
// rendering of the matching argument (a string or an Expr).
func (t *ResourceTemplate[I, O]) Manifest(format string, args ...any) *ResourceTemplate[I, O] {
	t.d.set("manifest")
	t.d.manifest, t.d.manArgs = format, args
	return t
}

// SuccessWhen sets the condition on the object (label-selector syntax over
// its fields, e.g. "status.phase == Ready") that marks success.
func (t *ResourceTemplate[I, O]) SuccessWhen(cond string) *ResourceTemplate[I, O] {
	if err := lint.ResourceCondition(cond); err != nil {
		t.d.misuse(callerPos(), "SuccessWhen: "+err.Error())
	}
	t.d.t.Resource.SuccessCondition = cond
	return t
}

// FailureWhen sets the condition on the object that marks failure.
func (t *ResourceTemplate[I, O]) FailureWhen(cond string) *ResourceTemplate[I, O] {
	if err := lint.ResourceCondition(cond); err != nil {
		t.d.misuse(callerPos(), "FailureWhen: "+err.Error())
	}
	t.d.t.Resource.FailureCondition = cond
	return t
}

// MergeStrategy sets how a patch is applied: "strategic", "merge" or "json".
func (t *ResourceTemplate[I, O]) MergeStrategy(s string) *ResourceTemplate[I, O] {
	t.d.t.Resource.MergeStrategy = s
	return t
}

// OwnedByWorkflow makes the workflow own the object, so deleting the
// workflow deletes it.
func (t *ResourceTemplate[I, O]) OwnedByWorkflow() *ResourceTemplate[I, O] {
	t.d.t.Resource.SetOwnerReference = true
	return t
}

// Outputs defines the template's outputs, e.g. with FromJSONPath.
func (t *ResourceTemplate[I, O]) Outputs(o O) *ResourceTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *ResourceTemplate[I, O]) With(opts ...TemplateOption) *ResourceTemplate[I, O] {
	t.d.with(opts)
	return t
}

// HTTPTemplate sends one HTTP request from Argo's agent: no pod of its own.
type HTTPTemplate[I, O any] struct{ Template[I, O] }

// HTTP defines an HTTP template named name in wt.
func HTTP[I, O any](wt *WorkflowTemplate, name, method string) *HTTPTemplate[I, O] {
	t := &HTTPTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindHTTP)}}
	t.d.t.HTTP = &wfv1.HTTP{Method: method}
	return t
}

// URL sets the URL, the concatenation of parts (strings or Exprs).
func (t *HTTPTemplate[I, O]) URL(parts ...any) *HTTPTemplate[I, O] {
	t.d.set("url")
	t.d.httpURL = parts
	return t
}

// Body sets the request body, the concatenation of parts.
func (t *HTTPTemplate[I, O]) Body(parts ...any) *HTTPTemplate[I, O] {
	t.d.set("body")
	t.d.httpBody = parts
	return t
}

// Header sets a request header to a string or an Expr.
func (t *HTTPTemplate[I, O]) Header(name string, value any) *HTTPTemplate[I, O] {
	t.d.httpHdrs = append(t.d.httpHdrs, httpHeader{name: name, value: value})
	return t
}

// HeaderFromSecret sets a request header from a key of a Secret.
func (t *HTTPTemplate[I, O]) HeaderFromSecret(name, secret, key string) *HTTPTemplate[I, O] {
	t.d.httpHdrs = append(t.d.httpHdrs, httpHeader{name: name, secret: secretKey(secret, key)})
	return t
}

// SuccessWhen sets the expression over the response that marks success,
// e.g. "response.statusCode == 200".
func (t *HTTPTemplate[I, O]) SuccessWhen(cond string) *HTTPTemplate[I, O] {
	t.d.t.HTTP.SuccessCondition = cond
	return t
}

// TimeoutSeconds bounds the request.
func (t *HTTPTemplate[I, O]) TimeoutSeconds(s int64) *HTTPTemplate[I, O] {
	t.d.t.HTTP.TimeoutSeconds = &s
	return t
}

// Outputs defines the template's outputs.
func (t *HTTPTemplate[I, O]) Outputs(o O) *HTTPTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *HTTPTemplate[I, O]) With(opts ...TemplateOption) *HTTPTemplate[I, O] {
	t.d.with(opts)
	return t
}

// Declare declares the template name of the External WorkflowTemplate wt,
// taking I and returning O. Calls of it are templateRefs to wt; what it
// does is wt's owner's business. (For Argo's validator it stands as a
// suspend template whose outputs are supplied; that stand-in is never
// emitted.)
func Declare[I, O any](wt *WorkflowTemplate, name string) Template[I, O] {
	d := addTemplate[I, O](wt, name, ir.KindSuspend)
	if !wt.external {
		d.misuse(d.pos, msgDeclareNotExternal(name, wt.name))
	}
	d.t.Suspend = &wfv1.SuspendTemplate{}
	if len(d.outFields) > 0 {
		d.outputs = fill(reflect.TypeFor[O](), d.outFields, func(f paramField) node {
			return &sourceNode{from: "supplied", typ: f.typ, pos: d.pos}
		})
		d.outPos = d.pos
	}
	d.declared = true
	return Template[I, O]{d}
}

// SuspendTemplate pauses the workflow until it is resumed or a duration
// passes: approvals and waits.
type SuspendTemplate[I, O any] struct{ Template[I, O] }

// Suspend defines a suspend template named name in wt.
func Suspend[I, O any](wt *WorkflowTemplate, name string) *SuspendTemplate[I, O] {
	t := &SuspendTemplate[I, O]{Template[I, O]{newTemplate[I, O](wt, name, ir.KindSuspend)}}
	t.d.t.Suspend = &wfv1.SuspendTemplate{}
	return t
}

// Duration resumes the workflow by itself after d (a Go duration or seconds).
func (t *SuspendTemplate[I, O]) Duration(d string) *SuspendTemplate[I, O] {
	if !validDuration(d) {
		t.d.misuse(callerPos(), msgBadDuration("suspend duration", d))
	}
	t.d.t.Suspend.Duration = d
	return t
}

// DurationFrom resumes the workflow by itself after a duration known at
// run time (a Go duration or seconds, e.g. from the user's config).
func (t *SuspendTemplate[I, O]) DurationFrom(d Expr[string]) *SuspendTemplate[I, O] {
	t.d.set("duration")
	t.d.suspendFor = d.n
	return t
}

// Outputs defines the values supplied on resume (see Supplied).
func (t *SuspendTemplate[I, O]) Outputs(o O) *SuspendTemplate[I, O] {
	setOutputs(t.d, o)
	return t
}

// With sets template options.
func (t *SuspendTemplate[I, O]) With(opts ...TemplateOption) *SuspendTemplate[I, O] {
	t.d.with(opts)
	return t
}
