// Package ir is the checked description of a workflow library that dsl.Build
// produces and transpile turns into Argo objects. It holds plain values only:
// every expression is already rendered to Argo's syntax, and every element
// remembers the DSL source line that created it.
package ir

import (
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// Pos is a place in the DSL source (a Go file and line).
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.File == "" {
		return "-"
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.File != "" }

// Type is the type of a parameter or expression as the DSL knows it. Argo
// carries every parameter as a string; Type says how to read it.
type Type int

const (
	String Type = iota
	Int
	Float
	Bool
	JSON // any compound value (list, object), carried as JSON text
)

func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case JSON:
		return "json"
	}
	return "string"
}

// Library is a set of WorkflowTemplates that may call each other.
type Library struct {
	Name              string
	WorkflowTemplates []*WorkflowTemplate
}

// WorkflowTemplate is one Argo WorkflowTemplate: one output file.
type WorkflowTemplate struct {
	Name        string
	Pos         Pos
	Labels      map[string]string
	Annotations map[string]string
	Entrypoint  string  // template name; empty for a library of callable templates
	Arguments   []Param // workflow arguments: the entrypoint's inputs
	Templates   []*Template
	Spec        WorkflowOptions
	Exprs       []ExprSite // every expression emitted, for checkers
	// External: installed by someone else (dsl's Library.External); its
	// templates stand for the declared signatures, for checking calls,
	// and it is never rendered.
	External bool
}

// WorkflowOptions are the spec-level settings passed through to Argo.
type WorkflowOptions struct {
	ServiceAccountName    string
	OnExit                string // template name
	ActiveDeadlineSeconds *int64
	Parallelism           *int64
	PodGC                 *wfv1.PodGC
	TTLStrategy           *wfv1.TTLStrategy
	Synchronization       *wfv1.Synchronization
	SecurityContext       *corev1.PodSecurityContext
	Hooks                 wfv1.LifecycleHooks
	RetryStrategy         *wfv1.RetryStrategy
}

// Param is an input or workflow parameter.
type Param struct {
	Name        string
	Type        Type
	Description string
	Default     *string
	Enum        []string
	Pos         Pos
}

// Output is an output parameter of a template.
type Output struct {
	Name        string
	Type        Type
	Description string
	ValueFrom   wfv1.ValueFrom
	Enum        []string // choices offered for a supplied value
}

// Kind is the body kind of a template.
type Kind int

const (
	KindContainer Kind = iota
	KindScript
	KindResource
	KindHTTP
	KindSuspend
	KindSteps
	KindDAG
)

func (k Kind) String() string {
	return [...]string{"container", "script", "resource", "http", "suspend", "steps", "dag"}[k]
}

// Template is one Argo template.
type Template struct {
	Name    string
	Pos     Pos
	Kind    Kind
	Inputs  []Param
	Outputs []Output

	Container *corev1.Container
	Script    *wfv1.ScriptTemplate
	Resource  *wfv1.ResourceTemplate
	HTTP      *wfv1.HTTP
	Suspend   *wfv1.SuspendTemplate
	Steps     [][]*Call
	DAG       []*Call
	FailFast  *bool

	Metadata              wfv1.Metadata
	RetryStrategy         *wfv1.RetryStrategy
	ActiveDeadlineSeconds *int64
	Timeout               string
	Parallelism           *int64
	Synchronization       *wfv1.Synchronization
	Memoize               *wfv1.Memoize
	ServiceAccountName    string
	SecurityContext       *corev1.PodSecurityContext
	NodeSelector          map[string]string
	Tolerations           []corev1.Toleration
	PodSpecPatch          string
}

// Call is a DAG task or a step: the call of a template with arguments.
type Call struct {
	Name string
	Pos  Pos
	// Template is the callee's name; TemplateRef is set instead when the callee
	// lives in another WorkflowTemplate of the library.
	Template    string
	TemplateRef *wfv1.TemplateRef
	Arguments   []Arg
	Depends     string
	When        string
	WithItems   []wfv1.Item
	WithParam   string
	ContinueOn  *wfv1.ContinueOn
	OnExit      string
	Hooks       wfv1.LifecycleHooks
}

// Arg is one argument value, rendered.
type Arg struct {
	Name  string
	Value string
}

// ExprSite is one expression in the output with its static type and the
// place in the DSL that produced it.
type ExprSite struct {
	Template string // template that holds it
	Field    string // where in the template: "dag.tasks[check].when"
	Text     string // rendered as emitted
	Type     Type
	Pos      Pos
}
