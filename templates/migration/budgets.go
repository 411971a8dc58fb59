package migration

import (
	"encoding/json"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/schema"
)

// MaxUnitBytes bounds one unit's JSON: a step receives it as the
// environment string MIGRATE_UNIT=..., and Linux refuses to start a
// process with an environment string over 128 KiB (MAX_ARG_STRLEN).
const MaxUnitBytes = 128<<10 - len("MIGRATE_UNIT=") - 1

const hintSplit = "split the migration into several configs, e.g. one per group of targets or snapshots, or name indices with patterns instead of one by one"

// budgets checks what the run's size does to the workflow: each unit
// must fit in an environment string, each argument in a parameter, the
// Workflow in an object. It places each problem at the part of the config
// that the oversized value comes from.
func budgets(filename string, data []byte, run *Run, wf *wfv1.Workflow, units *corev1.ConfigMap) schema.ErrorList {
	var errs schema.ErrorList
	unitTooBig := func(u any, id string, tokens ...string) {
		b, err := json.Marshal(u)
		if err == nil && len(b) > MaxUnitBytes {
			errs = append(errs, schema.ErrorAt(filename, data, tokens,
				fmt.Sprintf("work unit %s is %d bytes of JSON, over the %d a step's environment can carry (Linux limits one environment string to 128 KiB, so its pods could never start)", id, len(b), MaxUnitBytes),
				hintSplit))
		}
	}
	for _, u := range run.Captures {
		unitTooBig(u, u.ID, "sources", u.Source, "capture")
	}
	for _, u := range run.Snapshots {
		unitTooBig(u, u.ID, "sources", u.Source, "snapshots")
	}
	for _, u := range run.Migrations {
		unitTooBig(u, u.ID, "sources", u.Source, "snapshots")
	}
	for _, u := range run.Replays {
		unitTooBig(u, u.ID, "replayers", u.Target)
	}
	if out, err := json.Marshal(units); err == nil && len(out) > lint.MaxObjectBytes {
		errs = append(errs, schema.ErrorAt(filename, data, nil,
			fmt.Sprintf("the units of this run are %d bytes of JSON, over the %d bytes the Kubernetes API server stores in one ConfigMap", len(out), lint.MaxObjectBytes),
			hintSplit))
	}
	for _, p := range wf.Spec.Arguments.Parameters {
		if p.Value != nil && len(p.Value.String()) > lint.MaxParamBytes {
			errs = append(errs, schema.ErrorAt(filename, data, nil,
				fmt.Sprintf("the run's %q are %d bytes of JSON, over the %d bytes Argo allows a workflow parameter", p.Name, len(p.Value.String()), lint.MaxParamBytes),
				hintSplit))
		}
	}
	if out, err := json.Marshal(wf); err == nil && len(out) > lint.MaxObjectBytes { // as the API server stores it
		errs = append(errs, schema.ErrorAt(filename, data, nil,
			fmt.Sprintf("the Workflow of this run is %d bytes, over the %d bytes the Kubernetes API server stores in one object", len(out), lint.MaxObjectBytes),
			hintSplit))
	}
	errs.Sort()
	return errs
}
