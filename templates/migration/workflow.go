package migration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/schema"
)

// UnitsConfigMap is the ConfigMap that carries a run's units, by id, to
// its steps (as MIGRATE_UNIT, through the kubelet). Its name is prefix,
// "-units-" and a hash of its content, so that a changed config never
// changes the units of a workflow already running; it is immutable.
func UnitsConfigMap(prefix string, run *Run) (*corev1.ConfigMap, error) {
	ids, units, err := run.Units()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	data := map[string]string{}
	for _, id := range ids {
		fmt.Fprintf(h, "%s\x00%s\x00", id, units[id])
		data[id] = string(units[id])
	}
	immutable := true
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   prefix + "-units-" + hex.EncodeToString(h.Sum(nil))[:10],
			Labels: map[string]string{"app.kubernetes.io/part-of": "migrate"},
		},
		Immutable: &immutable,
		Data:      data,
	}, nil
}

// Workflow is the Workflow that runs the library on a run: it references
// the migration WorkflowTemplate and carries what Argo reads of the run
// (the plan's decisions) and the name of the units ConfigMap. Its
// generateName is prefix plus "-"; submit it with `kubectl create -f`
// after the templates, the RBAC and the ConfigMap are applied.
func Workflow(prefix string, run *Run, units *corev1.ConfigMap) (*wfv1.Workflow, error) {
	plan, err := json.Marshal(run.Decisions())
	if err != nil {
		return nil, fmt.Errorf("encoding the run: %w", err)
	}
	wf := &wfv1.Workflow{
		TypeMeta: metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix + "-",
			Labels:       map[string]string{"app.kubernetes.io/part-of": "migrate"},
		},
		Spec: wfv1.WorkflowSpec{WorkflowTemplateRef: &wfv1.WorkflowTemplateRef{Name: Name}},
	}
	if run.Bookkeeping != "" {
		wf.Spec.Entrypoint = EntrypointRecorded
	}
	wf.Spec.Arguments.Parameters = []wfv1.Parameter{
		{Name: "plan", Value: wfv1.AnyStringPtr(string(plan))},
		{Name: "units", Value: wfv1.AnyStringPtr(units.Name)},
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
