// Package transpile turns a built library (see dsl.Build) into Argo
// WorkflowTemplate objects and renders them as deterministic YAML.
package transpile

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/migratekit/migrate/internal/ir"
)

// Objects converts every WorkflowTemplate of lib to its Argo object, in the
// library's order.
func Objects(lib *ir.Library) []*wfv1.WorkflowTemplate {
	out := make([]*wfv1.WorkflowTemplate, 0, len(lib.WorkflowTemplates))
	for _, wt := range lib.WorkflowTemplates {
		out = append(out, workflowTemplate(wt))
	}
	return out
}

func workflowTemplate(wt *ir.WorkflowTemplate) *wfv1.WorkflowTemplate {
	o := &wfv1.WorkflowTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "WorkflowTemplate"},
		ObjectMeta: metav1.ObjectMeta{Name: wt.Name, Labels: wt.Labels, Annotations: wt.Annotations},
	}
	s := &o.Spec
	s.Entrypoint = wt.Entrypoint
	for _, p := range wt.Arguments {
		s.Arguments.Parameters = append(s.Arguments.Parameters, parameter(p))
	}
	s.ServiceAccountName = wt.Spec.ServiceAccountName
	s.OnExit = wt.Spec.OnExit
	s.ActiveDeadlineSeconds = wt.Spec.ActiveDeadlineSeconds
	s.Parallelism = wt.Spec.Parallelism
	s.PodGC = wt.Spec.PodGC
	s.TTLStrategy = wt.Spec.TTLStrategy
	s.Synchronization = wt.Spec.Synchronization
	s.SecurityContext = wt.Spec.SecurityContext
	s.Hooks = wt.Spec.Hooks
	s.RetryStrategy = wt.Spec.RetryStrategy
	for _, t := range wt.Templates {
		s.Templates = append(s.Templates, template(t))
	}
	return o
}

func parameter(p ir.Param) wfv1.Parameter {
	out := wfv1.Parameter{Name: p.Name, Description: anyString(p.Description)}
	if p.Default != nil {
		out.Value = wfv1.AnyStringPtr(*p.Default)
	}
	for _, e := range p.Enum {
		out.Enum = append(out.Enum, wfv1.AnyString(e))
	}
	return out
}

func anyString(s string) *wfv1.AnyString {
	if s == "" {
		return nil
	}
	return wfv1.AnyStringPtr(s)
}

func template(t *ir.Template) wfv1.Template {
	o := wfv1.Template{
		Name:               t.Name,
		Metadata:           t.Metadata,
		Container:          t.Container,
		Script:             t.Script,
		Resource:           t.Resource,
		HTTP:               t.HTTP,
		Suspend:            t.Suspend,
		FailFast:           t.FailFast,
		RetryStrategy:      t.RetryStrategy,
		Parallelism:        t.Parallelism,
		Synchronization:    t.Synchronization,
		Memoize:            t.Memoize,
		ServiceAccountName: t.ServiceAccountName,
		SecurityContext:    t.SecurityContext,
		NodeSelector:       t.NodeSelector,
		Tolerations:        t.Tolerations,
		PodSpecPatch:       t.PodSpecPatch,
		Timeout:            t.Timeout,
	}
	if t.ActiveDeadlineSeconds != nil {
		v := intstr.FromInt(int(*t.ActiveDeadlineSeconds))
		o.ActiveDeadlineSeconds = &v
	}
	for _, p := range t.Inputs {
		in := parameter(p)
		in.Default, in.Value = in.Value, nil
		o.Inputs.Parameters = append(o.Inputs.Parameters, in)
	}
	for _, p := range t.Outputs {
		vf := p.ValueFrom
		op := wfv1.Parameter{Name: p.Name, Description: anyString(p.Description), ValueFrom: &vf}
		for _, e := range p.Enum {
			op.Enum = append(op.Enum, wfv1.AnyString(e))
		}
		o.Outputs.Parameters = append(o.Outputs.Parameters, op)
	}
	switch t.Kind {
	case ir.KindDAG:
		o.DAG = &wfv1.DAGTemplate{FailFast: t.FailFast}
		o.FailFast = nil
		for _, c := range t.DAG {
			o.DAG.Tasks = append(o.DAG.Tasks, dagTask(c))
		}
	case ir.KindSteps:
		for _, g := range t.Steps {
			var ps wfv1.ParallelSteps
			for _, c := range g {
				ps.Steps = append(ps.Steps, step(c))
			}
			o.Steps = append(o.Steps, ps)
		}
	}
	return o
}

func arguments(args []ir.Arg) wfv1.Arguments {
	var a wfv1.Arguments
	for _, x := range args {
		a.Parameters = append(a.Parameters, wfv1.Parameter{Name: x.Name, Value: wfv1.AnyStringPtr(x.Value)})
	}
	return a
}

func dagTask(c *ir.Call) wfv1.DAGTask {
	return wfv1.DAGTask{
		Name:        c.Name,
		Template:    c.Template,
		TemplateRef: c.TemplateRef,
		Arguments:   arguments(c.Arguments),
		Depends:     c.Depends,
		When:        c.When,
		WithItems:   c.WithItems,
		WithParam:   c.WithParam,
		ContinueOn:  c.ContinueOn,
		OnExit:      c.OnExit,
		Hooks:       c.Hooks,
	}
}

func step(c *ir.Call) wfv1.WorkflowStep {
	return wfv1.WorkflowStep{
		Name:        c.Name,
		Template:    c.Template,
		TemplateRef: c.TemplateRef,
		Arguments:   arguments(c.Arguments),
		When:        c.When,
		WithItems:   c.WithItems,
		WithParam:   c.WithParam,
		ContinueOn:  c.ContinueOn,
		OnExit:      c.OnExit,
		Hooks:       c.Hooks,
	}
}
