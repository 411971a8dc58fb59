package migration

import (
	"fmt"
	"sort"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/schema"
)

// Workflow is the Workflow that runs the library on a run: it references
// the migration WorkflowTemplate and carries the run's units as arguments.
// Its generateName is prefix plus "-"; submit it with `kubectl create -f`
// (or argo submit) after the templates are applied.
func Workflow(prefix string, run *Run) (*wfv1.Workflow, error) {
	args, err := run.Arguments()
	if err != nil {
		return nil, fmt.Errorf("encoding the run: %w", err)
	}
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names)
	wf := &wfv1.Workflow{
		TypeMeta: metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix + "-",
			Labels:       map[string]string{"app.kubernetes.io/part-of": "migrate"},
		},
		Spec: wfv1.WorkflowSpec{WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{Name: Name}},
	}
	for _, n := range names {
		wf.Spec.Arguments.Parameters = append(wf.Spec.Arguments.Parameters, wfv1.Parameter{Name: n, Value: wfv1.AnyStringPtr(args[n])})
	}
	return wf, nil
}

// Plan validates nothing: it turns a validated config into a run.
func Plan(c *schema.Config) (*Run, error) {
	p, err := schema.Normalize(c)
	if err != nil {
		return nil, err
	}
	return NewRun(p)
}
