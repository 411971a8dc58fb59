package migration

import (
	_ "embed"
	"fmt"
	"path"
	"regexp"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/internal/ir"
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

// Templates compiles the library: its WorkflowTemplate files, validated
// in full by Argo's validator and migrate's own checks.
func Templates() ([]transpile.File, error) {
	built, errs := Library().Build()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return transpile.Compile(built)
}

// verifiedSum holds the digests (lint.Digest) of the library's objects,
// one per line, as TestLibraryVerified wrote them after Argo's validator
// passed them in full: the library is the same for every config, so
// Compile does not validate it again (docs/performance.md).
//
//go:embed verified.sum
var verifiedSum string

// Verified is the set of digests in verified.sum.
func Verified() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(verifiedSum, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[line] = true
		}
	}
	return set
}

// Options change how CompileWith checks.
type Options struct {
	// Strict runs Argo's validator in full on every object: the library's
	// templates too, and the Workflow through their bodies, instead of
	// trusting verified.sum.
	Strict bool
}

// Compile checks the config in data (named filename in messages) and
// returns every file of its run: the library's WorkflowTemplates, the RBAC
// its steps need, the ConfigMap of its units and the Workflow that runs
// them with the config's plan. The Workflow is
// validated by Argo's validator against those templates. The error is a
// schema.ErrorList when the config is invalid.
func Compile(filename string, data []byte) ([]transpile.File, *Run, error) {
	return CompileWith(filename, data, Options{})
}

// CompileWith is Compile with options.
func CompileWith(filename string, data []byte, o Options) ([]transpile.File, *Run, error) {
	c, err := check(filename, data, o)
	if err != nil {
		return nil, nil, err
	}
	files, err := transpile.Render(c.built)
	if err != nil {
		return nil, nil, fmt.Errorf("the migration library does not compile: %w", err)
	}
	rbac, err := marshalAll(RBAC(c.run)...)
	if err != nil {
		return nil, nil, err
	}
	unitsData, err := transpile.Marshal(c.units)
	if err != nil {
		return nil, nil, err
	}
	wfData, err := transpile.Marshal(c.wf)
	if err != nil {
		return nil, nil, err
	}
	return append(files,
		transpile.File{Name: RBACFile, Data: rbac},
		transpile.File{Name: UnitsFile, Data: unitsData},
		transpile.File{Name: WorkflowFile, Data: wfData}), c.run, nil
}

// Check runs every check of Compile without writing the files: migrate
// validate.
func Check(filename string, data []byte, o Options) (*Run, error) {
	c, err := check(filename, data, o)
	if err != nil {
		return nil, err
	}
	return c.run, nil
}

// checked is a config's run, checked, before it is written.
type checked struct {
	run   *Run
	built *ir.Library
	units *corev1.ConfigMap
	wf    *wfv1.Workflow
}

func check(filename string, data []byte, o Options) (*checked, error) {
	cfg, errs := schema.Load(filename, data)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	run, err := Plan(cfg)
	if err != nil {
		return nil, err
	}
	built, errs2 := Library().Build()
	if err := errs2.Err(); err != nil {
		return nil, fmt.Errorf("the migration library does not build: %w", err)
	}
	// The library is checked once: in full when strict, else by the
	// digests its tests verified; the Workflow then against it.
	var verified map[string]bool
	if !o.Strict {
		verified = Verified()
	}
	if err := transpile.CheckWith(built, lint.Options{Verified: verified}); err != nil {
		return nil, fmt.Errorf("the migration library does not compile: %w", err)
	}
	prefix := workflowPrefix(filename)
	units, err := UnitsConfigMap(prefix, run)
	if err != nil {
		return nil, err
	}
	wf, err := Workflow(prefix, run, units)
	if err != nil {
		return nil, err
	}
	if errs := budgets(filename, data, run, wf, units); len(errs) > 0 {
		return nil, errs
	}
	var lib []lint.Object
	for _, o := range transpile.Objects(built) {
		lib = append(lib, o)
	}
	if err := lint.ObjectsWith([]lint.Object{wf}, lint.Options{Verified: verified, Context: lib}).Err(); err != nil {
		return nil, fmt.Errorf("the workflow for %s is invalid: %w", filename, err)
	}
	return &checked{run: run, built: built, units: units, wf: wf}, nil
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
