package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/e2e/cluster"
	"github.com/migratekit/migrate/e2e/kubelet"
	"github.com/migratekit/migrate/e2e/scenario"
	"github.com/migratekit/migrate/examples"
	"github.com/migratekit/migrate/templates/migration"
	"github.com/migratekit/migrate/transpile"
)

// env is the cluster every scenario runs in, started by TestMain.
var env *scenario.Env

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	flag.Parse()
	ctx := context.Background()
	var bins *cluster.Binaries
	if os.Getenv(isolatedEnv) == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fail(err)
		}
		if bins, err = cluster.EnsureBinaries(ctx, wd, argoVersion(), os.Stderr); err != nil {
			return fail(err)
		}
		data, err := json.Marshal(bins)
		if err != nil {
			return fail(err)
		}
		if code, ok := runIsolated([]string{"MIGRATE_E2E_BINARIES=" + string(data)}); ok {
			return code
		}
		fmt.Fprintln(os.Stderr, "e2e: no network namespace available; servers run on the host's loopback")
	} else {
		if err := loopbackUp(); err != nil {
			return fail(fmt.Errorf("bringing up loopback in the test's network namespace: %w", err))
		}
		bins = &cluster.Binaries{}
		if err := json.Unmarshal([]byte(os.Getenv("MIGRATE_E2E_BINARIES")), bins); err != nil {
			return fail(err)
		}
	}

	dir, err := os.MkdirTemp("", "migrate-e2e-")
	if err != nil {
		return fail(err)
	}
	code := 1
	defer func() {
		switch {
		case code != 0:
			fmt.Fprintf(os.Stderr, "e2e: FAILED; logs kept in %s\n", dir)
		case os.Getenv("MIGRATE_E2E_KEEP") != "":
			fmt.Fprintf(os.Stderr, "e2e: logs kept in %s (MIGRATE_E2E_KEEP)\n", dir)
		default:
			os.RemoveAll(dir)
		}
	}()
	start := time.Now()
	c, err := cluster.Start(ctx, dir, bins)
	if err != nil {
		return fail(err)
	}
	defer c.Stop()
	fmt.Fprintf(os.Stderr, "e2e: etcd, kube-apiserver and workflow-controller up in %s (logs: %s)\n", time.Since(start).Round(100*time.Millisecond), dir)

	// A signal stops everything started, keeping the logs.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		c.Stop()
		fmt.Fprintf(os.Stderr, "e2e: interrupted; logs kept in %s\n", dir)
		os.Exit(1)
	}()

	harnessLog, err := os.Create(filepath.Join(dir, "harness.log"))
	if err != nil {
		return fail(err)
	}
	defer harnessLog.Close()
	// Argo's packages the harness calls (resume) log with logrus.
	logrus.SetOutput(harnessLog)
	k := kubelet.New(c, harnessLog)
	kctx, stopKubelet := context.WithCancel(ctx)
	kdone := make(chan struct{})
	go func() { k.Run(kctx); close(kdone) }()
	defer func() { stopKubelet(); <-kdone }()

	if err := installExamples(ctx, c); err != nil {
		return fail(err)
	}
	if env, err = scenario.NewEnv(ctx, c, k); err != nil {
		return fail(err)
	}
	code = m.Run()
	printSummary()
	if code == 0 {
		stopKubelet()
		<-kdone
		c.Stop()
		if err := permissionErrors(c); err != nil {
			code = fail(err)
		}
	}
	return code
}

// permissionErrors fails the run when Argo's controller or an agent was
// refused something by RBAC: a user's cluster with the same roles would
// misbehave, often by a workflow that silently stops progressing. Refusals
// of what a workflow's own steps do are the scenarios' business (their
// messages reach the controller's log too, as pod failures).
func permissionErrors(c *cluster.Cluster) error {
	logs, err := filepath.Glob(filepath.Join(c.Dir, "*.log"))
	if err != nil {
		return err
	}
	controller := "system:serviceaccount:" + cluster.Namespace + ":argo"
	var found []string
	for _, l := range logs {
		name := filepath.Base(l)
		agent := strings.Contains(name, "-agent-")
		if name != "workflow-controller.log" && !agent {
			continue
		}
		data, err := os.ReadFile(l)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "is forbidden") && (agent || strings.Contains(line, controller)) {
				found = append(found, name+": "+line)
			}
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("RBAC refused requests:\n%s", strings.Join(found, "\n"))
	}
	return nil
}

// installExamples compiles the example libraries with the transpiler under
// test and installs their WorkflowTemplates, and the migration library's,
// as on a cluster where it was installed before: the scenarios apply it
// again as a user does, but none creates it in the instant before its
// Workflow (the controller's informer may not have it yet, and Argo then
// errors the workflow: "workflowtemplates.argoproj.io "migration" not
// found", seen with v4.0.5).
func installExamples(ctx context.Context, c *cluster.Cluster) error {
	libs := map[string]*dsl.Library{"migration": migration.Library(), "loop-items": loopItems()}
	for _, ex := range examples.All() {
		libs[ex.Name] = ex.Build()
	}
	for _, name := range slices.Sorted(maps.Keys(libs)) {
		built, problems := libs[name].Build()
		if err := problems.Err(); err != nil {
			return fmt.Errorf("library %s: %w", name, err)
		}
		files, err := transpile.Compile(built)
		if err != nil {
			return fmt.Errorf("library %s: %w", name, err)
		}
		for _, f := range files {
			objs, err := cluster.DecodeYAML(f.Data)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
			for _, o := range objs {
				if err := c.Objects.Apply(ctx, cluster.Namespace, o); err != nil {
					return fmt.Errorf("%s: %w", f.Name, err)
				}
			}
		}
	}
	return nil
}

// argoVersion is the Argo version the run uses: MIGRATE_E2E_ARGO, v3 by
// default (`make e2e` runs each of cluster.Versions in turn).
func argoVersion() string {
	if v := os.Getenv("MIGRATE_E2E_ARGO"); v != "" {
		return v
	}
	return "v3"
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
	return 1
}

// TestScenarios runs every testdata/*.txtar scenario on the cluster, in
// parallel, and checks what it wants; extraChecks adds Go assertions.
func TestScenarios(t *testing.T) {
	scenarios, err := scenario.LoadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	generated, checks, err := migrationScenarios()
	if err != nil {
		t.Fatal(err)
	}
	scenarios = append(scenarios, generated...)
	version := argoVersion()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), s.Timeout.Duration+time.Minute)
			defer cancel()
			out, err := env.Run(ctx, s)
			dump := func() {
				for _, r := range out.Results {
					t.Log(scenario.Dump(r))
				}
			}
			known := s.Bug
			if d := s.Differs[version]; d != "" {
				known = "Argo " + version + ": " + d
			}
			if err != nil {
				if known != "" {
					out.Problems = append(out.Problems, err.Error())
				} else {
					dump()
					t.Fatal(err)
				}
			}
			for _, m := range out.Touched {
				t.Logf("Argo lost an operator's write: %s", m)
			}
			record(s.Name, out)
			if known != "" {
				if len(out.Problems) == 0 {
					t.Fatalf("the run is as wanted although the scenario names a known difference (%s): remove it from %s.txtar", known, s.Name)
				}
				t.Logf("differences from want:\n%s", strings.Join(out.Problems, "\n"))
				dump()
				t.Skipf("KNOWN: %s", known)
			}
			for _, p := range out.Problems {
				t.Error(p)
			}
			if check := extraChecks[s.Name]; check != nil {
				check(t, out)
			}
			if check := checks[s.Name]; check != nil {
				check(t, out)
			}
			if t.Failed() {
				dump()
			}
		})
	}
}

// summary collects each scenario's cost for the table printed at the end.
var summary struct {
	sync.Mutex
	rows    []string
	sizes   []string // workflow sizes of the migration runs
	touched []string // workflows touched after the controller lost an operator's write
}

func record(name string, out *scenario.Outcome) {
	summary.Lock()
	defer summary.Unlock()
	for _, m := range out.Touched {
		summary.touched = append(summary.touched, name+": "+m)
	}
	for i, r := range out.Results {
		agents := 0
		for _, run := range r.Runs {
			if run.Agent {
				agents++
			}
		}
		row := name
		if len(out.Results) > 1 {
			row = fmt.Sprintf("%s #%d", name, i+1)
		}
		summary.rows = append(summary.rows, fmt.Sprintf("%-34s %-10s %6.1fs %5d %6d %6d",
			row, r.Workflow.Status.Phase, r.Elapsed.Seconds(), len(r.Pods), len(r.Pods)-agents, agents))
	}
}

func printSummary() {
	summary.Lock()
	defer summary.Unlock()
	if len(summary.rows) == 0 {
		return
	}
	sort.Strings(summary.rows)
	fmt.Printf("\n%-34s %-10s %7s %5s %6s %6s\n", "scenario", "phase", "wall", "pods", "steps", "agent")
	for _, row := range summary.rows {
		fmt.Println(row)
	}
	sort.Strings(summary.sizes)
	for _, row := range summary.sizes {
		fmt.Println(row)
	}
	fmt.Printf("operator writes the controller lost (workflow touched, see e2e/README.md): %d\n", len(summary.touched))
	sort.Strings(summary.touched)
	for _, row := range summary.touched {
		fmt.Println("  " + row)
	}
}
