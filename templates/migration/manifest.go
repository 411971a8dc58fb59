package migration

import (
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/migratekit/migrate/dsl"
)

// Backfill workers are a Deployment per migration unit, built here as a
// typed object. Its run-time values (the unit id, the console's image and
// command, the worker count) are holes that Argo fills with toJson of the
// value: each becomes one JSON string or number, so no value, whatever
// quotes, newlines or braces it holds, can add a field to the object.

// hole marks where a run-time value goes in a marshalled manifest.
type hole struct {
	mark  string // the marker string in the object
	value dsl.Expr[string]
}

// backfill is the resource template of a backfill step.
func (l *library) backfill(d StepDef) *dsl.ResourceTemplate[UnitID, dsl.None] {
	action := map[StepKind]string{StepDeployBackfill: "apply", StepScaleBackfill: "patch", StepRemoveBackfill: "delete"}[d.Kind]
	t := dsl.Resource[UnitID, dsl.None](l.wt, d.Name, action)
	id := t.In().ID
	name := hole{"@name@", dsl.ToJSON(dsl.Concat(dsl.Lit("backfill-"), id))}
	var obj any
	holes := []hole{name}
	switch d.Kind {
	case StepDeployBackfill:
		unit := hole{"@unit@", dsl.ToJSON(id)}
		image := hole{"@image@", dsl.ToJSON(l.image)}
		command := hole{"@command@", dsl.ToJSON(l.command)}
		units := hole{"@units@", dsl.ToJSON(l.units)}
		workers := hole{"@workers@", dsl.ToJSON(dsl.Lookup(dsl.Get[map[string]int](l.plan, "workers"), id))}
		holes = append(holes, unit, image, command, units, workers)
		obj = backfillDeployment(name.mark, unit.mark, image.mark, command.mark, units.mark, workers.mark)
		t.With(dsl.Retry{Limit: 3, Policy: dsl.RetryAlways, Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "5m"}})
	case StepScaleBackfill:
		obj = map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name.mark}, "spec": map[string]any{"replicas": 0}}
		t.MergeStrategy("merge").
			With(dsl.Retry{Limit: 3, Policy: dsl.RetryAlways, Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "5m"}})
	case StepRemoveBackfill:
		obj = map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name.mark}}
		t.With(dsl.Retry{Limit: 3, Policy: dsl.RetryAlways, Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "5m"}})
	}
	format, args, err := manifestWithHoles(obj, holes)
	if err != nil {
		panic(err) // the objects above are fixed: a failure here is a bug in this file
	}
	t.Manifest(format, args...)
	return t
}

// backfillDeployment is the Deployment of a unit's backfill workers, with
// markers where the holes go.
func backfillDeployment(name, unit, image, command, units, workers string) map[string]any {
	labels := map[string]string{"app.kubernetes.io/part-of": "migrate", "migrate/backfill": unit}
	d := appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"migrate/backfill": unit}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: ServiceAccount,
					Containers: []corev1.Container{{
						Name:    "worker",
						Image:   image,
						Command: []string{command, "backfill", "work"},
						Env: []corev1.EnvVar{{Name: "MIGRATE_UNIT", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
							LocalObjectReference: corev1.LocalObjectReference{Name: units}, Key: unit,
						}}}},
					}},
				},
			},
		},
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&d)
	if err != nil {
		panic(err)
	}
	delete(u, "status")
	unstructuredDelete(u, "metadata", "creationTimestamp")
	unstructuredDelete(u, "spec", "template", "metadata", "creationTimestamp")
	unstructuredDelete(u, "spec", "strategy")
	c := u["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	delete(c, "resources")
	u["spec"].(map[string]any)["replicas"] = workers
	return u
}

func unstructuredDelete(m map[string]any, path ...string) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, path[len(path)-1])
}

// manifestWithHoles marshals obj to JSON and turns each hole's quoted
// marker into a %s whose argument is the hole's value, for
// ResourceTemplate.Manifest.
func manifestWithHoles(obj any, holes []hole) (string, []any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return "", nil, err
	}
	text := strings.ReplaceAll(string(b), "%", "%%")
	var args []any
	for {
		at, which := -1, -1
		for i, h := range holes {
			if k := strings.Index(text, `"`+h.mark+`"`); k >= 0 && (at < 0 || k < at) {
				at, which = k, i
			}
		}
		if at < 0 {
			break
		}
		h := holes[which]
		text = text[:at] + "%s" + text[at+len(h.mark)+2:]
		args = append(args, h.value)
	}
	if strings.Contains(text, "@") {
		return "", nil, fmt.Errorf("a marker is left in the manifest %s", text)
	}
	return text, args, nil
}
