package memo_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/internal/argorun"
	"github.com/migratekit/migrate/internal/etcdtest"
	"github.com/migratekit/migrate/memo"
	"github.com/migratekit/migrate/transpile"
)

// The pipeline of the tests: snapshot a source, restore the snapshot
// (downstream: its checksum chains the snapshot's), and index the source
// (a sibling that does not depend on the snapshot's size).
type (
	SnapIn struct {
		Source dsl.Expr[string] `desc:"source to snapshot"`
		Size   dsl.Expr[int]    `desc:"size of the snapshot"`
	}
	SnapOut struct {
		Snapshot dsl.Expr[string]   `desc:"snapshot id"`
		Shards   dsl.Expr[[]string] `desc:"shards of the snapshot"`
		Count    dsl.Expr[int]      `desc:"number of shards"`
		Ready    dsl.Expr[bool]     `desc:"snapshot ready"`
	}
	RestoreIn struct {
		Snapshot dsl.Expr[string] `desc:"snapshot to restore"`
		Upstream dsl.Expr[string] `desc:"checksum of the snapshot step"`
	}
	RestoreOut struct {
		Restored dsl.Expr[string] `desc:"restored target"`
	}
	IndexIn struct {
		Source dsl.Expr[string] `desc:"source to index"`
	}
	IndexOut struct {
		Index dsl.Expr[string] `desc:"index name"`
	}
)

func snapshotSum(in SnapIn) dsl.Expr[string] { return memo.Checksum(in.Source, memo.Text(in.Size)) }

// library builds the pipeline, with every step memoized, against endpoint.
func library(endpoint string, lease int, cfg etcdgw.Config) *dsl.Library {
	lib := dsl.NewLibrary("memo-example")
	wt := lib.WorkflowTemplate("memo-example").ServiceAccount("migrate")
	cfg.Endpoint = dsl.Lit(endpoint)
	g := etcdgw.New(wt, cfg)

	create := dsl.Container[SnapIn, SnapOut](wt, "create-snapshot")
	create.Image("ghcr.io/migratekit/console:0.1.0").
		Command("console", "snapshot", "create").
		Args("--source", create.In().Source, "--size", create.In().Size).
		Outputs(SnapOut{
			Snapshot: dsl.FromFile[string]("/tmp/outputs/snapshot"),
			Shards:   dsl.FromFile[[]string]("/tmp/outputs/shards.json"),
			Count:    dsl.FromFile[int]("/tmp/outputs/count"),
			Ready:    dsl.FromFile[bool]("/tmp/outputs/ready"),
		})
	restore := dsl.Container[RestoreIn, RestoreOut](wt, "restore-snapshot")
	restore.Image("ghcr.io/migratekit/console:0.1.0").
		Command("console", "snapshot", "restore").
		Args("--snapshot", restore.In().Snapshot).
		Outputs(RestoreOut{Restored: dsl.FromFile[string]("/tmp/outputs/restored")})
	index := dsl.Container[IndexIn, IndexOut](wt, "create-index")
	index.Image("ghcr.io/migratekit/console:0.1.0").
		Command("console", "index", "create").
		Args("--source", index.In().Source).
		Outputs(IndexOut{Index: dsl.FromFile[string]("/tmp/outputs/index")})

	snap := memo.Wrap(g, "snapshot", create.Template, memo.Spec[SnapIn]{
		Key:          func(in SnapIn) dsl.Expr[string] { return dsl.Concat(dsl.Lit("snapshot/"), in.Source) },
		Checksum:     snapshotSum,
		LeaseSeconds: lease,
	})
	rest := memo.Wrap(g, "restore", restore.Template, memo.Spec[RestoreIn]{
		Key: func(in RestoreIn) dsl.Expr[string] { return dsl.Lit("restore") },
		// Chained: the snapshot step's checksum is part of this one.
		Checksum:     func(in RestoreIn) dsl.Expr[string] { return memo.Checksum(in.Upstream, in.Snapshot) },
		LeaseSeconds: lease,
	})
	idx := memo.Wrap(g, "index", index.Template, memo.Spec[IndexIn]{
		Key:          func(in IndexIn) dsl.Expr[string] { return dsl.Concat(dsl.Lit("index/"), in.Source) },
		Checksum:     func(in IndexIn) dsl.Expr[string] { return memo.Checksum(in.Source) },
		LeaseSeconds: lease,
	})

	main := dsl.DAG[SnapIn, RestoreOut](wt, "main")
	in := main.In()
	s := dsl.Task(main, "snapshot", snap, in)
	r := dsl.Task(main, "restore", rest, RestoreIn{Snapshot: s.Out().Snapshot, Upstream: snap.Checksum(in)}).After(s)
	dsl.Task(main, "index", idx, IndexIn{Source: in.Source})
	main.Outputs(RestoreOut{Restored: r.Out().Restored})
	wt.Entrypoint(main)
	return lib
}

func compile(t testing.TB, endpoint string, lease int, cfg etcdgw.Config) []wfv1.Template {
	t.Helper()
	built, errs := library(endpoint, lease, cfg).Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := transpile.Compile(built); err != nil {
		t.Fatal(err)
	}
	return transpile.Objects(built)[0].Spec.Templates
}

// world runs the compiled pipeline against a real etcd; its "pods" count
// their runs and make outputs that say which run made them.
type world struct {
	t      testing.TB
	srv    *etcdtest.Server
	tmpls  []wfv1.Template
	runs   sync.Map // template -> *atomic.Int64
	failNx atomic.Int64
	rt     http.RoundTripper
	scale  float64
	delay  time.Duration // how long each step takes
}

func newWorld(t testing.TB, lease int) *world {
	srv := etcdtest.Start(t)
	return &world{t: t, srv: srv, tmpls: compile(t, srv.URL(), lease, etcdgw.Config{}), scale: 0.02}
}

func (w *world) count(tmpl string) int64 {
	v, _ := w.runs.LoadOrStore(tmpl, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

func param(t *wfv1.Template, name string) string {
	for _, p := range t.Inputs.Parameters {
		if p.Name == name && p.Value != nil {
			return p.Value.String()
		}
	}
	return ""
}

func out(kv ...string) *wfv1.Outputs {
	o := &wfv1.Outputs{}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Parameters = append(o.Parameters, wfv1.Parameter{Name: kv[i], Value: wfv1.AnyStringPtr(kv[i+1])})
	}
	return o
}

func (w *world) pod(name string, f func(t *wfv1.Template, run int64) *wfv1.Outputs) argorun.Pod {
	return func(_ context.Context, t *wfv1.Template) (*wfv1.Outputs, error) {
		v, _ := w.runs.LoadOrStore(name, new(atomic.Int64))
		run := v.(*atomic.Int64).Add(1)
		time.Sleep(w.delay)
		if w.failNx.Load() > 0 && w.failNx.Add(-1) >= 0 {
			return nil, fmt.Errorf("exit code 1")
		}
		return f(t, run), nil
	}
}

func (w *world) runner(uid string) *argorun.Runner {
	return &argorun.Runner{
		Templates: w.tmpls,
		Globals: map[string]string{
			"workflow.uid": uid, "workflow.name": "wf-" + uid, "workflow.creationTimestamp": "2026-01-01T00:00:00Z",
			"workflow.namespace": "migrate",
		},
		Transport:    w.rt,
		BackoffScale: w.scale,
		Pods: map[string]argorun.Pod{
			"create-snapshot": w.pod("create-snapshot", func(t *wfv1.Template, run int64) *wfv1.Outputs {
				src, size := param(t, "source"), param(t, "size")
				return out("snapshot", fmt.Sprintf("snap-%s-%s-run%d", src, size, run),
					"shards", fmt.Sprintf(`["%s-0", "%s-1"]`, src, src), "count", "2", "ready", "true")
			}),
			"restore-snapshot": w.pod("restore-snapshot", func(t *wfv1.Template, run int64) *wfv1.Outputs {
				return out("restored", fmt.Sprintf("restored-%s-run%d", param(t, "snapshot"), run))
			}),
			"create-index": w.pod("create-index", func(t *wfv1.Template, run int64) *wfv1.Outputs {
				return out("index", fmt.Sprintf("index-%s-run%d", param(t, "source"), run))
			}),
		},
	}
}

// record reads a record straight from etcd.
func (w *world) record(key string) map[string]any {
	w.t.Helper()
	body := fmt.Sprintf(`{"key":%q}`, base64.StdEncoding.EncodeToString([]byte("/migrate/memo/"+key)))
	resp, err := http.Post(w.srv.URL()+"/v3/kv/range", "application/json", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		KVs []struct{ Value []byte } `json:"kvs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		w.t.Fatal(err)
	}
	if len(r.KVs) == 0 {
		return nil
	}
	var rec map[string]any
	if err := json.Unmarshal(r.KVs[0].Value, &rec); err != nil {
		w.t.Fatalf("record %s is not JSON: %v: %s", key, err, r.KVs[0].Value)
	}
	return rec
}

func snapArgs(source string, size int) map[string]string {
	return map[string]string{"source": source, "size": fmt.Sprint(size)}
}

func mustSucceed(t testing.TB, n *argorun.Node) *argorun.Node {
	t.Helper()
	if n.Phase != wfv1.NodeSucceeded {
		t.Fatalf("%s: %s: %s%s", n.Name, n.Phase, n.Message, failures(n, "\n  "))
	}
	return n
}

func failures(n *argorun.Node, indent string) string {
	var b strings.Builder
	for _, c := range n.Children {
		if c.Phase == wfv1.NodeFailed || c.Phase == wfv1.NodeError {
			fmt.Fprintf(&b, "%s%s: %s", indent, c.Name, c.Message)
			b.WriteString(failures(c, indent+"  "))
		}
	}
	return b.String()
}

func outputs(n *argorun.Node) map[string]string {
	m := map[string]string{}
	if n.Outputs != nil {
		for _, p := range n.Outputs.Parameters {
			m[p.Name] = p.Value.String()
		}
	}
	return m
}

// TestAdopt: a fresh run runs the step and records it complete; a later
// workflow with the same inputs adopts the outputs, in the same text, and
// runs nothing; a changed input runs the step again.
func TestAdopt(t *testing.T) {
	w := newWorld(t, 60)
	ctx := context.Background()
	r1 := w.runner("uid-1")
	first := mustSucceed(t, r1.Run(ctx, "wf1", "snapshot", snapArgs("db1", 10)))
	if got := w.count("create-snapshot"); got != 1 {
		t.Fatalf("step ran %d times, want 1", got)
	}
	got := outputs(first)
	var shards []string
	if err := json.Unmarshal([]byte(got["shards"]), &shards); err != nil || fmt.Sprint(shards) != "[db1-0 db1-1]" {
		t.Errorf("fresh output shards %q (%v), want the JSON list [db1-0 db1-1]", got["shards"], err)
	}
	delete(got, "shards")
	want := map[string]string{"snapshot": "snap-db1-10-run1", "count": "2", "ready": "true"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fresh outputs %v, want %v", got, want)
	}
	rec := w.record("snapshot/db1")
	if rec["state"] != "complete" || rec["owner"].(map[string]any)["uid"] != "uid-1" || rec["attempt"] != 1.0 {
		t.Errorf("record after the first run: %v", rec)
	}

	r2 := w.runner("uid-2")
	second := mustSucceed(t, r2.Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
	if got := w.count("create-snapshot"); got != 1 {
		t.Errorf("step ran again (%d runs) although a complete record with the same checksum exists", got)
	}
	if fmt.Sprint(outputs(second)) != fmt.Sprint(outputs(first)) {
		t.Errorf("adopted outputs %v differ from the fresh ones %v", outputs(second), outputs(first))
	}
	if got := r2.Requests.Load(); got != 1 {
		t.Errorf("adopting took %d requests, want 1", got)
	}
	if got := r1.Requests.Load(); got != 4 {
		t.Errorf("a fresh run took %d requests, want 4 (read, lease, claim, complete)", got)
	}

	third := mustSucceed(t, w.runner("uid-3").Run(ctx, "wf3", "snapshot", snapArgs("db1", 11)))
	if got := w.count("create-snapshot"); got != 2 {
		t.Errorf("step ran %d times after the checksum changed, want 2", got)
	}
	if o := outputs(third)["snapshot"]; o != "snap-db1-11-run2" {
		t.Errorf("after a checksum change the wrapper returned %q, want the new run's snap-db1-11-run2", o)
	}
	if rec := w.record("snapshot/db1"); rec["attempt"] != 2.0 {
		t.Errorf("attempt %v after two claims, want 2", rec["attempt"])
	}
}

// TestFailure: a failing step leaves a failed record with the reason and
// fails the wrapper; the next run claims the failed record and runs.
func TestFailure(t *testing.T) {
	w := newWorld(t, 60)
	ctx := context.Background()
	w.failNx.Store(1)
	n := w.runner("uid-1").Run(ctx, "wf1", "snapshot", snapArgs("db1", 10))
	if n.Phase != wfv1.NodeFailed {
		t.Fatalf("wrapper %s, want Failed", n.Phase)
	}
	if rec := w.record("snapshot/db1"); rec["state"] != "failed" || !strings.Contains(fmt.Sprint(rec["reason"]), "create-snapshot failed") {
		t.Fatalf("record after a failure: %v", rec)
	}
	mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
	if rec := w.record("snapshot/db1"); rec["state"] != "complete" || rec["attempt"] != 2.0 {
		t.Fatalf("record after the rerun: %v", rec)
	}
}

// TestChain: a changed input upstream re-runs the step and its downstream
// (whose checksum chains the upstream one); the sibling adopts.
func TestChain(t *testing.T) {
	w := newWorld(t, 60)
	ctx := context.Background()
	mustSucceed(t, w.runner("uid-1").Run(ctx, "wf1", "main", snapArgs("db1", 10)))
	mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "main", snapArgs("db1", 10)))
	for _, s := range []string{"create-snapshot", "restore-snapshot", "create-index"} {
		if got := w.count(s); got != 1 {
			t.Errorf("%s ran %d times over two identical runs, want 1", s, got)
		}
	}
	n := mustSucceed(t, w.runner("uid-3").Run(ctx, "wf3", "main", snapArgs("db1", 20)))
	for s, want := range map[string]int64{"create-snapshot": 2, "restore-snapshot": 2, "create-index": 1} {
		if got := w.count(s); got != want {
			t.Errorf("%s ran %d times after the size changed, want %d", s, got, want)
		}
	}
	if got := outputs(n)["restored"]; got != "restored-snap-db1-20-run2-run2" {
		t.Errorf("restored %q, want the new restore of the new snapshot", got)
	}
}

// TestAbandon stops a workflow at each point of the protocol and runs the
// step again from another workflow (and from the same one, as argo retry
// does): never a stale adoption, and the step runs again exactly when its
// outcome was not recorded.
func TestAbandon(t *testing.T) {
	ctx := context.Background()
	acquire := func(w *world, uid string, size int) *argorun.Node {
		// The first part of the wrapper alone: a workflow that claims and
		// then vanishes.
		return w.runner(uid).Run(ctx, "acq", "memo-acquire", map[string]string{
			"key": "/migrate/memo/snapshot/db1", "checksum": checksum(w, size), "step": "create-snapshot", "ttl": "2",
		})
	}
	t.Run("after-claim", func(t *testing.T) {
		w := newWorld(t, 2)
		mustSucceed(t, acquire(w, "uid-dead", 10))
		if rec := w.record("snapshot/db1"); rec["state"] != "pending" {
			t.Fatalf("after the claim: %v", rec)
		}
		start := time.Now()
		n := mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
		if w.count("create-snapshot") != 1 {
			t.Errorf("step ran %d times, want 1", w.count("create-snapshot"))
		}
		if read := n.Child("acquire"); read == nil || time.Since(start) < time.Second {
			t.Errorf("the rerun did not wait for the dead owner's lease (%v)", time.Since(start))
		}
		if rec := w.record("snapshot/db1"); rec["state"] != "complete" || rec["owner"].(map[string]any)["uid"] != "uid-2" {
			t.Errorf("record: %v", rec)
		}
	})
	t.Run("after-claim-same-workflow", func(t *testing.T) {
		w := newWorld(t, 60)
		mustSucceed(t, acquire(w, "uid-1", 10))
		start := time.Now()
		mustSucceed(t, w.runner("uid-1").Run(ctx, "wf1", "snapshot", snapArgs("db1", 10)))
		if time.Since(start) > time.Second {
			t.Errorf("the same workflow waited %v for its own claim", time.Since(start))
		}
		if w.count("create-snapshot") != 1 {
			t.Errorf("step ran %d times, want 1", w.count("create-snapshot"))
		}
	})
	t.Run("after-work-before-complete", func(t *testing.T) {
		w := newWorld(t, 2)
		mustSucceed(t, acquire(w, "uid-dead", 10))
		w.runner("uid-dead").Pods["create-snapshot"](ctx, &wfv1.Template{}) // the work, unrecorded
		n := mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
		if w.count("create-snapshot") != 2 {
			t.Errorf("step ran %d times, want 2: the dead run's work was never recorded", w.count("create-snapshot"))
		}
		if got := outputs(n)["snapshot"]; got != "snap-db1-10-run2" {
			t.Errorf("outputs %q, want the rerun's", got)
		}
	})
	t.Run("after-complete", func(t *testing.T) {
		w := newWorld(t, 2)
		first := mustSucceed(t, w.runner("uid-1").Run(ctx, "wf1", "snapshot", snapArgs("db1", 10)))
		n := mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
		if w.count("create-snapshot") != 1 || fmt.Sprint(outputs(n)) != fmt.Sprint(outputs(first)) {
			t.Errorf("not adopted: %d runs, outputs %v", w.count("create-snapshot"), outputs(n))
		}
		// A stale record is never adopted: another checksum runs again.
		n = mustSucceed(t, w.runner("uid-3").Run(ctx, "wf3", "snapshot", snapArgs("db1", 12)))
		if w.count("create-snapshot") != 2 || outputs(n)["snapshot"] != "snap-db1-12-run2" {
			t.Errorf("stale record adopted: %d runs, outputs %v", w.count("create-snapshot"), outputs(n))
		}
	})
}

// checksum is what memo.Checksum(source, Text(size)) computes in Argo:
// the SHA-256 of the JSON-quoted parts joined by newlines.
func checksum(w *world, size int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%q\n%q", "db1", fmt.Sprint(size))))
	return hex.EncodeToString(sum[:])
}

// TestConcurrent: workflows racing on the same record run the step once;
// the others wait and adopt, through answers lost and retried. The step
// takes a while, so the others really meet a pending claim.
func TestConcurrent(t *testing.T) {
	w := newWorld(t, 60)
	w.rt = &lossy{p: 0.1}
	w.scale = 0.005
	w.delay = 300 * time.Millisecond
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]*argorun.Node, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.runner(fmt.Sprintf("uid-%d", i)).Run(ctx, fmt.Sprintf("wf%d", i), "snapshot", snapArgs("db1", 10))
		}()
	}
	wg.Wait()
	for _, n := range results {
		mustSucceed(t, n)
		if fmt.Sprint(outputs(n)) != fmt.Sprint(outputs(results[0])) {
			t.Errorf("outputs differ: %v and %v", outputs(n), outputs(results[0]))
		}
	}
	if got := w.count("create-snapshot"); got != 1 {
		t.Errorf("step ran %d times, want 1", got)
	}
}

type lossy struct{ p float64 }

func (l *lossy) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := etcdtest.Transport.RoundTrip(req)
	if err == nil && rand.Float64() < l.p {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("connection reset (answer lost on purpose)")
	}
	return resp, err
}

// TestContainerBackEnd: the same protocol with each bookkeeping operation
// run by curl and jq in a script pod (run here), then adopted.
func TestContainerBackEnd(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "jq", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the container back-end needs %s", tool)
		}
	}
	srv := etcdtest.Start(t)
	w := &world{t: t, srv: srv, tmpls: compile(t, srv.URL(), 60, etcdgw.Config{Image: "ghcr.io/migratekit/curl-jq:1"}), scale: 0.02}
	ctx := context.Background()
	r1 := w.runner("uid-1")
	r1.Scripts = true
	first := mustSucceed(t, r1.Run(ctx, "wf1", "snapshot", snapArgs("db1", 10)))
	r2 := w.runner("uid-2")
	r2.Scripts = true
	second := mustSucceed(t, r2.Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
	if w.count("create-snapshot") != 1 || fmt.Sprint(outputs(first)) != fmt.Sprint(outputs(second)) {
		t.Errorf("not adopted: %d runs, %v then %v", w.count("create-snapshot"), outputs(first), outputs(second))
	}
	if got := r2.PodsRun.Load(); got != 1 {
		t.Errorf("adopting took %d pods, want 1 (the read)", got)
	}
	if got := r1.PodsRun.Load(); got != 5 {
		t.Errorf("a fresh run took %d pods, want 5 (read, lease, claim, the step, complete)", got)
	}
	if r1.Requests.Load() != 0 {
		t.Errorf("%d HTTP templates ran with the container back-end", r1.Requests.Load())
	}
}

// TestRecords lists records, picks the garbage against a keep list and
// deletes it, keeping what a current plan adopts and what is in flight.
func TestRecords(t *testing.T) {
	w := newWorld(t, 60)
	ctx := context.Background()
	mustSucceed(t, w.runner("uid-1").Run(ctx, "wf1", "main", snapArgs("db1", 10)))
	mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db2", 10)))
	w.failNx.Store(1)
	w.runner("uid-3").Run(ctx, "wf3", "index", map[string]string{"source": "db3"})
	// In flight: claimed by a workflow still running.
	mustSucceed(t, w.runner("uid-4").Run(ctx, "acq", "memo-acquire", map[string]string{
		"key": "/migrate/memo/index/db4", "checksum": memo.ChecksumOf("db4"), "step": "create-index", "ttl": "60"}))

	c := &memo.Client{Endpoint: w.srv.URL()}
	recs, bad, err := c.List(ctx, "")
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	var keys []string
	for _, r := range recs {
		keys = append(keys, r.Key[len(c.MemoPrefix()):]+"="+r.State)
	}
	if got, want := strings.Join(keys, " "), "index/db1=complete index/db3=failed index/db4=pending restore=complete snapshot/db1=complete snapshot/db2=complete"; got != want {
		t.Fatalf("records %s, want %s", got, want)
	}
	// The Go checksum is the one the workflow computed.
	if got := recs[4].Checksum; got != memo.ChecksumOf("db1", "10") {
		t.Errorf("snapshot/db1 checksum %s, ChecksumOf gives %s", got, memo.ChecksumOf("db1", "10"))
	}
	keep, err := memo.ReadKeep("keep.txt", strings.NewReader("# the current plan\nsnapshot/db1 "+memo.ChecksumOf("db1", "10")+"\nindex/db1 "+memo.ChecksumOf("db1", "11")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	var garbage []string
	for _, r := range memo.Garbage(recs, c.MemoPrefix(), keep) {
		garbage = append(garbage, r.Key[len(c.MemoPrefix()):])
		ok, err := c.Delete(ctx, r)
		if err != nil || !ok {
			t.Errorf("delete %s: %v %v", r.Key, ok, err)
		}
	}
	// index/db1 has another checksum in the plan: stale, deleted.
	if got, want := strings.Join(garbage, " "), "index/db1 index/db3 restore snapshot/db2"; got != want {
		t.Errorf("garbage %s, want %s", got, want)
	}
	recs, _, _ = c.List(ctx, "")
	if len(recs) != 2 {
		t.Errorf("%d records left, want 2 (snapshot/db1 kept, index/db4 in flight)", len(recs))
	}
	// A record changed since it was listed is not deleted.
	stale := recs[0]
	stale.ModRevision--
	if ok, err := c.Delete(ctx, stale); ok || err != nil {
		t.Errorf("deleted a record that changed since listing: %v %v", ok, err)
	}
	for _, in := range []string{"a b c\n", "a nothex\n", "a " + memo.ChecksumOf("x") + "\na " + memo.ChecksumOf("y") + "\n"} {
		if _, err := memo.ReadKeep("k", strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "k:") {
			t.Errorf("ReadKeep(%q) = %v, want an error at k:LINE", in, err)
		}
	}
}

// BenchmarkMemoized measures memoized steps: a fresh run (read, lease,
// claim, the step, complete) and an adoption (read), with the HTTP
// requests and pods each costs.
func BenchmarkMemoized(b *testing.B) {
	w := newWorld(b, 60)
	ctx := context.Background()
	for _, path := range []string{"fresh", "adopted"} {
		b.Run(path, func(b *testing.B) {
			var requests, pods int64
			for i := 0; i < b.N; i++ {
				r := w.runner(fmt.Sprintf("uid-%s-%d", path, i))
				source := "db-adopted"
				if path == "fresh" {
					source = fmt.Sprintf("db-%d-%d", b.N, i)
				}
				mustSucceed(b, r.Run(ctx, "wf", "snapshot", snapArgs(source, 10)))
				requests += r.Requests.Load()
				pods += r.PodsRun.Load()
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/step")
			b.ReportMetric(float64(pods)/float64(b.N), "pods/step")
		})
	}
}
