package migration

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/transpile"
)

// Files of a compiled run besides the library's templates, in the order
// they are applied: `kubectl apply -f rbac.yaml -f units.yaml -f
// migration.yaml`, then `kubectl create -f workflow.yaml`.
const (
	RBACFile     = "rbac.yaml"     // the ServiceAccount, Role and RoleBinding the steps run with
	UnitsFile    = "units.yaml"    // the ConfigMap of the run's units
	WorkflowFile = "workflow.yaml" // the Workflow
)

// Templates compiles the library: its WorkflowTemplate files, validated.
func Templates() ([]transpile.File, error) {
	built, errs := Library().Build()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return transpile.Compile(built)
}

// Compile checks the config in data (named filename in messages) and
// returns every file of its run: the library's WorkflowTemplates, the RBAC
// its steps need, the ConfigMap of its units and the Workflow that runs
// them with the config's plan. The Workflow is
// validated by Argo's validator against those templates. The error is a
// schema.ErrorList when the config is invalid.
func Compile(filename string, data []byte) ([]transpile.File, *Run, error) {
	cfg, errs := schema.Load(filename, data)
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	run, err := Plan(cfg)
	if err != nil {
		return nil, nil, err
	}
	built, errs2 := Library().Build()
	if err := errs2.Err(); err != nil {
		return nil, nil, fmt.Errorf("the migration library does not build: %w", err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		return nil, nil, fmt.Errorf("the migration library does not compile: %w", err)
	}
	prefix := workflowPrefix(filename)
	units, err := UnitsConfigMap(prefix, run)
	if err != nil {
		return nil, nil, err
	}
	wf, err := Workflow(prefix, run, units)
	if err != nil {
		return nil, nil, err
	}
	if errs := budgets(filename, data, run, wf, units); len(errs) > 0 {
		return nil, nil, errs
	}
	objs := []runtime.Object{wf}
	for _, o := range transpile.Objects(built) {
		objs = append(objs, o)
	}
	if err := lint.Objects(objs).Err(); err != nil {
		return nil, nil, fmt.Errorf("the workflow for %s is invalid: %w", filename, err)
	}
	rbac, err := marshalAll(RBAC(run)...)
	if err != nil {
		return nil, nil, err
	}
	unitsData, err := transpile.Marshal(units)
	if err != nil {
		return nil, nil, err
	}
	wfData, err := transpile.Marshal(wf)
	if err != nil {
		return nil, nil, err
	}
	return append(files,
		transpile.File{Name: RBACFile, Data: rbac},
		transpile.File{Name: UnitsFile, Data: unitsData},
		transpile.File{Name: WorkflowFile, Data: wfData}), run, nil
}

// marshalAll writes objects as one YAML stream.
func marshalAll(objs ...any) ([]byte, error) {
	var out []byte
	for i, o := range objs {
		b, err := transpile.Marshal(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, b...)
	}
	return out, nil
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// workflowPrefix names the workflow after the config file.
func workflowPrefix(filename string) string {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(filename, `\`, "/")), path.Ext(filename))
	name := strings.Trim(nonName.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if name == "" {
		name = "run"
	}
	if len(name) > 40 {
		name = strings.TrimRight(name[:40], "-")
	}
	return "migration-" + name
}
