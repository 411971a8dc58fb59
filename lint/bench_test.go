package lint

import (
	"fmt"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// dagTemplate builds a WorkflowTemplate with one DAG of n tasks. Task i
// depends on deps(i) (none for the roots), passes a {{= }} argument and has
// a `when` on the output of its first dependency.
func dagTemplate(n int, deps func(i int) []int) *wfv1.WorkflowTemplate {
	tasks := make([]wfv1.DAGTask, n)
	for i := range tasks {
		t := wfv1.DAGTask{
			Name:     fmt.Sprintf("task-%05d", i),
			Template: "work",
			Arguments: wfv1.Arguments{Parameters: []wfv1.Parameter{
				{Name: "n", Value: wfv1.AnyStringPtr(fmt.Sprintf("{{=asInt(workflow.parameters.base) + %d}}", i))},
			}},
		}
		for k, d := range deps(i) {
			if k > 0 {
				t.Depends += " && "
			}
			t.Depends += fmt.Sprintf("task-%05d", d)
			if k == 0 {
				t.When = fmt.Sprintf("{{tasks.task-%05d.outputs.result}} != skip", d)
			}
		}
		tasks[i] = t
	}
	return &wfv1.WorkflowTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "WorkflowTemplate"},
		ObjectMeta: metav1.ObjectMeta{Name: "bench"},
		Spec: wfv1.WorkflowSpec{
			Entrypoint: "main",
			Arguments:  wfv1.Arguments{Parameters: []wfv1.Parameter{{Name: "base", Value: wfv1.AnyStringPtr("1")}}},
			Templates: []wfv1.Template{
				{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: tasks}},
				{
					Name:   "work",
					Inputs: wfv1.Inputs{Parameters: []wfv1.Parameter{{Name: "n"}}},
					Script: &wfv1.ScriptTemplate{
						Container: corev1.Container{Image: "alpine:3.20", Command: []string{"sh"}},
						Source:    "echo {{inputs.parameters.n}}",
					},
				},
			},
		},
	}
}

// wide: every task after the first depends on the first one.
func wide(i int) []int {
	if i == 0 {
		return nil
	}
	return []int{0}
}

// layered: 50 layers of 10 tasks, each task depends on two tasks of the
// layer before (a realistic fan-out/fan-in migration plan).
func layered(i int) []int {
	if i < 10 {
		return nil
	}
	prev := (i/10 - 1) * 10
	return []int{prev + i%10, prev + (i+1)%10}
}

// chain: each task depends on the one before (the worst case for Argo's
// validator, whose per-task work grows with the number of ancestors).
func chain(i int) []int {
	if i == 0 {
		return nil
	}
	return []int{i - 1}
}

func benchmarkObjects(b *testing.B, deps func(int) []int) {
	wt := dagTemplate(500, deps)
	if ps := Objects([]Object{wt}); len(ps) > 0 {
		b.Fatalf("benchmark template has problems:\n%v", ps.Error())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Objects([]Object{wt})
	}
}

func BenchmarkObjects500Wide(b *testing.B)    { benchmarkObjects(b, wide) }
func BenchmarkObjects500Layered(b *testing.B) { benchmarkObjects(b, layered) }
func BenchmarkObjects500Chain(b *testing.B)   { benchmarkObjects(b, chain) }

func benchmarkObjectsN(b *testing.B, n int, deps func(int) []int) {
	wt := dagTemplate(n, deps)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Objects([]Object{wt})
	}
}

func BenchmarkObjects2000Chain(b *testing.B) { benchmarkObjectsN(b, 2000, chain) }
