package lint

import (
	"encoding/json"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/checksum"
)

// Options change how ObjectsWith checks.
type Options struct {
	// Verified holds the digests (see Digest) of objects known to pass
	// every check of Objects: a constant library, whose package's tests
	// run Objects on it in full and keep its digests (see
	// docs/performance.md). Such an object is not checked again. A
	// Workflow or CronWorkflow submitted from a verified template is still
	// checked in full, and validated by Argo's validator against that
	// template's interface (see interfaceOf): what depends on the
	// referencing object (its name, arguments, entrypoint, exit handler,
	// hooks, podGC) is checked by Argo; the template bodies, which do not
	// depend on it, are not walked again.
	Verified map[string]bool
	// Context holds objects the checked ones may reference (templateRef,
	// workflowTemplateRef) that are not checked themselves: they were
	// checked before, in another call. A checked object of the same kind
	// and name is preferred.
	Context []Object
}

// Digest identifies o together with the Argo validator it is judged by: the
// checksum of the pinned Argo module version and o as JSON. A digest
// recorded when o passed Objects stays true for exactly that object and
// that validator (and for lint's own checks as long as the test that
// records it passes).
func Digest(o Object) string {
	b, err := json.Marshal(o)
	if err != nil {
		return "" // never in Verified
	}
	return digestOf(b)
}

func digestOf(objJSON []byte) string {
	return checksum.Of("argo-workflows "+argoVersion, string(objJSON))
}

// argoVersion is the version of Argo's module this package is built with
// (go.mod; TestArgoVersion keeps them equal). Test binaries record no
// module versions, so it cannot be read from the build.
const argoVersion = "v3.7.18"

// verified reports whether u's object passed every check before.
func (s *objectSet) verified(u *unit) bool { return s.verifiedUnits[u] }

// interfaceOf is what an object submitted from spec (workflowTemplateRef)
// needs of it to be validated by Argo: every template with its name,
// inputs and output parameters, and a body that asks nothing (a suspend,
// whose outputs are supplied); the spec's arguments, entrypoint, exit
// handler, hooks, metadata and podGC as they are. Such an object has no
// templates of its own, so nothing of it looks into a body: Argo's checks
// of it are the same against the interface as against spec
// (TestInterfaceVerdicts), and spec's templates were validated in full
// when it was verified. A templateRef from another template is resolved
// against spec itself.
func interfaceOf(spec wfv1.WorkflowSpec) wfv1.WorkflowSpec {
	out := spec
	out.TemplateDefaults = nil
	out.Templates = make([]wfv1.Template, len(spec.Templates))
	for i, t := range spec.Templates {
		var outs []wfv1.Parameter
		for _, p := range t.Outputs.Parameters {
			outs = append(outs, wfv1.Parameter{Name: p.Name, GlobalName: p.GlobalName,
				ValueFrom: &wfv1.ValueFrom{Supplied: &wfv1.SuppliedValueFrom{}}})
		}
		out.Templates[i] = wfv1.Template{Name: t.Name, Inputs: t.Inputs, Outputs: wfv1.Outputs{Parameters: outs},
			Suspend: &wfv1.SuspendTemplate{}}
	}
	return out
}

// stubbable reports whether interfaceOf keeps all a reference to spec can
// use: not when a template takes or gives artifacts, which a suspend does
// not stand in for.
func stubbable(spec *wfv1.WorkflowSpec) bool {
	for _, t := range spec.Templates {
		if len(t.Inputs.Artifacts) > 0 || len(t.Outputs.Artifacts) > 0 {
			return false
		}
	}
	return true
}
