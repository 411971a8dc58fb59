package transpile_test

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/transpile"
)

type snapshotIn struct {
	Source dsl.Expr[string] `desc:"source cluster endpoint"`
	Repo   dsl.Expr[string] `desc:"snapshot repository" default:"migrations"`
}

type snapshotOut struct {
	Name dsl.Expr[string] `desc:"snapshot name"`
}

type approval struct {
	Decision dsl.Expr[string] `desc:"the approver's answer" enum:"approve,reject"`
}

type none = dsl.None

// features is a two-WorkflowTemplate library that uses every feature of
// the DSL once, so that the golden files show, and Argo's validator checks,
// how each one is emitted.
func features() *dsl.Library {
	lib := dsl.NewLibrary("features")

	// A library of callable templates without an entrypoint.
	tools := lib.WorkflowTemplate("tools").Label("app.kubernetes.io/part-of", "migrate")
	snap := dsl.Container[snapshotIn, snapshotOut](tools, "create-snapshot")
	snap.Image("ghcr.io/migratekit/console:0.1.0").
		Command("console", "snapshot", "create").
		Args("--source", snap.In().Source, "--repo", snap.In().Repo).
		EnvFromSecret("SOURCE_PASSWORD", "source-credentials", "password").
		Env("SNAPSHOT_PREFIX", dsl.Concat(dsl.WorkflowName, dsl.Lit("-"))).
		Resources(corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
		}).
		SecurityContext(&corev1.SecurityContext{RunAsNonRoot: ptr(true), AllowPrivilegeEscalation: ptr(false)}).
		Outputs(snapshotOut{Name: dsl.FromFile[string]("/tmp/outputs/snapshot")}).
		With(
			dsl.Retry{Limit: 3, Policy: dsl.RetryOnError, Backoff: &dsl.Backoff{Duration: "5s", Factor: 2, MaxDuration: "2m"},
				If: dsl.Not(dsl.Eq(dsl.LastRetryExitCode, dsl.Lit(2)))},
			dsl.Deadline(1800),
			dsl.Timeout("45m"),
			dsl.Synchronize(dsl.Semaphore("migrate-limits", "snapshots")),
			dsl.Memoize(dsl.Sha256(dsl.Concat(snap.In().Source, dsl.Lit("/"), snap.In().Repo)), "migrate-memo", "24h"),
			dsl.ServiceAccount("snapshotter"),
			dsl.Labels(map[string]string{"migrate/stage": "snapshot"}),
		)

	main := lib.WorkflowTemplate("pipeline").
		ServiceAccount("migrate").
		ActiveDeadline(86400).
		Parallelism(10).
		PodGC(dsl.PodGCOnPodSuccess).
		TTL(ptr(int32(86400)), nil, ptr(int32(604800))).
		PodSecurityContext(&corev1.PodSecurityContext{RunAsNonRoot: ptr(true)})

	approve := dsl.Suspend[none, approval](main, "approve").
		Outputs(approval{Decision: dsl.Supplied[string]()})
	wait := dsl.Suspend[none, none](main, "cool-down").Duration("2m")
	health := dsl.HTTP[snapshotIn, none](main, "health", "GET").
		URL(dsl.Global[string](main, "source"), "/_cluster/health").
		HeaderFromSecret("Authorization", "source-credentials", "authorization").
		Header("Accept", "application/json").
		SuccessWhen("response.statusCode == 200").
		TimeoutSeconds(20)
	report := dsl.Script[snapshotOut, none](main, "report")
	report.Image("python:3.12-slim").Command("python3").
		Env("SNAPSHOT", report.In().Name).
		Source("import os\nprint('snapshot', os.environ['SNAPSHOT'])\n")
	marker := dsl.Resource[snapshotOut, snapshotOut](main, "marker", "create").
		Manifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: marker-\ndata:\n  snapshot: %s\n", dsl.Lit("placeholder")).
		OwnedByWorkflow().
		SuccessWhen("metadata.name").
		Outputs(snapshotOut{Name: dsl.FromJSONPath[string]("{.metadata.name}")})
	cleanup := dsl.Container[none, none](main, "cleanup")
	cleanup.Image("busybox:1.36").Command("sh", "-c", "echo cleaning up after $STATUS").Env("STATUS", dsl.WorkflowStatus)
	notify := dsl.Container[snapshotOut, none](main, "notify")
	notify.Image("busybox:1.36").Command("echo", notify.In().Name)

	steps := dsl.Steps[snapshotOut, none](main, "finalize")
	fin := steps.In()
	dsl.Task(steps, "report", report, snapshotOut{Name: fin.Name})
	dsl.Parallel(steps, "notify", notify, snapshotOut{Name: fin.Name}).ContinueOnFailed()
	dsl.Task(steps, "cool-down", wait, none{})

	dag := dsl.DAG[snapshotIn, snapshotOut](main, "main").With(dsl.FailFast(false))
	in := dag.In()
	h := dsl.Task(dag, "health", health, in)
	ok := dsl.Task(dag, "approve", approve, none{}).After(h)
	s := dsl.Task(dag, "snapshot", snap, snapshotIn{Source: in.Source}).
		Depends(ok.Succeeded()).
		When(ok.Out().Decision.Equals("approve")).
		OnExit(dsl.Invoke(notify, snapshotOut{Name: dsl.Lit("snapshot-finished")}))
	s.Hook("started", s.Status().Equals("Running"), dsl.Invoke(notify, snapshotOut{Name: dsl.Lit("snapshot-started")}))
	m := dsl.Task(dag, "marker", marker, snapshotOut{Name: s.Out().Name}).Depends(s.Succeeded())
	dsl.Task(dag, "finalize", steps, snapshotOut{Name: dsl.Default(m.Out().Name, "none")}).
		Depends(dsl.AnyOf(m.Succeeded(), m.Failed()))
	dag.Outputs(snapshotOut{Name: s.Out().Name})

	main.Entrypoint(dag).OnExit(cleanup).Synchronize(dsl.Mutex("pipeline-", dsl.Global[string](main, "source")))
	return lib
}

func ptr[T any](v T) *T { return &v }

func TestFeaturesGolden(t *testing.T) {
	built, errs := features().Build()
	if len(errs) > 0 {
		t.Fatalf("Build:\n%v", errs)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatalf("Compile:\n%v", err)
	}
	dir := filepath.Join("testdata", "features")
	var names []string
	for _, f := range files {
		golden.Check(t, filepath.Join(dir, f.Name), f.Data)
		names = append(names, f.Name)
	}
	// The golden files on disk pass lint too (Argo's validator resolves
	// the templateRef from pipeline to tools across the two files).
	for _, p := range lint.Files(os.DirFS(dir), names) {
		t.Errorf("%s", p)
	}
}
