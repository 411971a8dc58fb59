package lint_test

import (
	"fmt"
	"testing/fstest"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/lint"
)

func ExampleFiles() {
	fsys := fstest.MapFS{"rolling-update.yaml": {Data: []byte(`apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: rolling-update
spec:
  templates:
    - name: wait
      suspend:
        duration: "ten minutes"
`)}}
	ps := lint.Files(fsys, []string{"rolling-update.yaml"})
	fmt.Println(ps.Error())
	// Output:
	// rolling-update.yaml:9:9: suspend.duration "ten minutes" is not a duration; write whole seconds ("30") or a Go duration ("90s", "10m", "1h30m")
}

func ExampleObjects() {
	wt := &wfv1.WorkflowTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "check-do"},
		Spec: wfv1.WorkflowSpec{Templates: []wfv1.Template{
			{Name: "main", Steps: []wfv1.ParallelSteps{
				{Steps: []wfv1.WorkflowStep{{Name: "check", Template: "check"}}},
				{Steps: []wfv1.WorkflowStep{{Name: "do", Template: "check", When: "{{steps.check.outputs.result}} = no"}}},
			}},
			{Name: "check", Container: &corev1.Container{Image: "alpine:3.20"}},
		}},
	}
	for _, p := range lint.Objects([]lint.Object{wt}) {
		fmt.Printf("%s %s\n", p.Object, p.Path)
	}
	// Output:
	// WorkflowTemplate/check-do spec.templates[0].steps[1][0].when
}
