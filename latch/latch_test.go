package latch_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
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
	_ "github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/latch"
	"github.com/migratekit/migrate/transpile"
)

type fanIn struct {
	ID      dsl.Expr[string]   `desc:"latch id"`
	Members dsl.Expr[[]string] `desc:"members"`
}

// compile builds a library using the latch templates against endpoint,
// checks it with transpile.Compile (Argo's validator and our checks) and
// returns its templates as Argo objects.
func compile(t testing.TB, endpoint string, cfg etcdgw.Config) []wfv1.Template {
	t.Helper()
	lib := dsl.NewLibrary("latch-test")
	wt := lib.WorkflowTemplate("latch-test")
	cfg.Endpoint = dsl.Lit(endpoint)
	g := etcdgw.New(wt, cfg)
	l := latch.New(g, latch.Options{WaitRetries: 12})
	main := dsl.DAG[fanIn, dsl.None](wt, "main")
	in := main.In()
	ini := dsl.Task(main, "init", l.Init(), latch.InitArgs{ID: in.ID, Members: in.Members})
	dsl.Task(main, "wait", l.Wait(), latch.WaitArgs{ID: in.ID}).After(ini)
	dsl.Task(main, "arrive", l.Arrive(), latch.ArriveArgs{ID: in.ID, Member: dsl.Lit("m0"), Members: in.Members}).After(ini)
	wt.Entrypoint(main)
	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := transpile.Compile(built); err != nil {
		t.Fatal(err)
	}
	return transpile.Objects(built)[0].Spec.Templates
}

// lossy loses the answer of a request with probability p after etcd
// executed it: the retried request must not count twice.
type lossy struct {
	p    float64
	lost atomic.Int64
}

func (l *lossy) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := etcdtest.Transport.RoundTrip(req)
	if err == nil && rand.Float64() < l.p {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		l.lost.Add(1)
		return nil, fmt.Errorf("connection reset (answer lost on purpose)")
	}
	return resp, err
}

func runner(tmpls []wfv1.Template, uid string, rt http.RoundTripper) *argorun.Runner {
	return &argorun.Runner{
		Templates: tmpls,
		Globals: map[string]string{
			"workflow.uid": uid, "workflow.name": "wf-" + uid, "workflow.creationTimestamp": "2026-01-01T00:00:00Z",
		},
		Transport: rt,
	}
}

func members(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("shard-%03d", i)
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// countKeys counts the keys under prefix with a plain gateway request. A
// count is only believed from a 200 answer that decodes: etcd under load
// may answer 503 or time out, and such an answer says nothing about the
// count. It retries those for up to 30 s, then reports the last failure;
// it never turns a failed request into a count of 0.
func countKeys(t testing.TB, endpoint, prefix string) int {
	t.Helper()
	n, err := countKeysErr(endpoint, prefix)
	if err != nil {
		t.Errorf("counting keys under %s: %v", prefix, err)
		return -1
	}
	return n
}

func countKeysErr(endpoint, prefix string) (int, error) {
	end := prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
	body := fmt.Sprintf(`{"key":%q,"range_end":%q,"count_only":true}`,
		base64.StdEncoding.EncodeToString([]byte(prefix)), base64.StdEncoding.EncodeToString([]byte(end)))
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		n, err := countOnce(client, endpoint, body)
		if err == nil || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(wait)
	}
}

func countOnce(client *http.Client, endpoint, body string) (int, error) {
	resp, err := client.Post(endpoint+"/v3/kv/range", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, data)
	}
	var r struct {
		Header *struct {
			Revision string `json:"revision"`
		} `json:"header"`
		Count int `json:"count,string"` // left out by etcd when 0
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return 0, fmt.Errorf("answer %q: %w", data, err)
	}
	if r.Header == nil {
		return 0, fmt.Errorf("answer without a header, not a range response: %s", data)
	}
	return r.Count, nil
}

// trial runs one fan-in: init, then every member delivered once or twice
// (a duplicate delivery is another node arriving as the same member), all
// at once, through a transport that loses answers. It returns how many
// deliveries were told to finalize.
func trial(t testing.TB, tmpls []wfv1.Template, endpoint, id string, n int, loss *lossy, scale float64) (finalized int) {
	t.Helper()
	ctx := context.Background()
	ms := members(n)
	list := mustJSON(ms)
	r := runner(tmpls, "uid-"+id, loss)
	r.BackoffScale = scale
	if node := r.Run(ctx, "init", "latch-init", map[string]string{"id": id, "members": list}); node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("init: %s: %s", node.Phase, node.Message)
	}
	var deliveries []string
	for _, m := range ms {
		deliveries = append(deliveries, m)
		if rand.IntN(4) == 0 {
			deliveries = append(deliveries, m) // duplicate delivery
		}
	}
	rand.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, m := range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := r.Run(ctx, fmt.Sprintf("arrive-%d", i), "latch-arrive", map[string]string{"id": id, "member": m, "members": list})
			if node.Phase != wfv1.NodeSucceeded {
				t.Errorf("arrival %d of %s: %s: %s", i, m, node.Phase, node.Message)
				return
			}
			if v, _ := node.Output("finalize"); v == "true" {
				mu.Lock()
				finalized++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got := countKeys(t, endpoint, "/migrate/latch/"+id+"/members/"); got != n {
		t.Errorf("latch %s: %d members recorded, want %d", id, got, n)
	}
	return finalized
}

// TestFinalizeExactlyOnce is the fan-in scenario: 100 members, random
// duplicate deliveries and lost answers (each retried), 200 trials: every
// trial counts all members and finalizes exactly once.
func TestFinalizeExactlyOnce(t *testing.T) {
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{})
	trials := 200
	if testing.Short() || raceEnabled {
		trials = 20
	}
	loss := &lossy{p: 0.05}
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	start := time.Now()
	// Two trials at a time keep both cores busy; each trial is a latch of
	// its own, checked on its own.
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := 0; i < trials; i++ {
		id := fmt.Sprintf("trial-%03d", i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if got := trial(t, tmpls, srv.URL(), id, 100, loss, 0.001); got != 1 {
				t.Errorf("%s: %d arrivals finalized, want exactly 1", id, got)
			}
		}()
	}
	wg.Wait()
	if loss.lost.Load() == 0 {
		t.Fatal("no answer was lost: the retries were not exercised")
	}
	t.Logf("%d trials of 100 members in %v; %d answers lost and retried", trials, time.Since(start).Round(time.Millisecond), loss.lost.Load())
}

// TestRestart stops etcd in the middle of a fan-in and starts it again:
// arrivals that meet a stopped etcd are retried with backoff, and the run
// converges: every member counted, one finalize.
func TestRestart(t *testing.T) {
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{Retries: 10})
	id := "restart"
	ms := members(100)
	list := mustJSON(ms)
	r := runner(tmpls, "uid-restart", &lossy{})
	r.BackoffScale = 0.02 // 20ms, doubling: ten tries span about 20s
	ctx := context.Background()
	if node := r.Run(ctx, "init", "latch-init", map[string]string{"id": id, "members": list}); node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("init: %s", node.Message)
	}
	var finalized, retried atomic.Int64
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 5 * time.Millisecond) // arrivals spread over 0.5s
			node := r.Run(ctx, fmt.Sprintf("arrive-%d", i), "latch-arrive", map[string]string{"id": id, "member": m, "members": list})
			if node.Phase != wfv1.NodeSucceeded {
				t.Errorf("arrival of %s: %s: %s", m, node.Phase, node.Message)
				return
			}
			if put := node.Child("arrive"); put != nil && put.Attempts > 1 {
				retried.Add(1)
			}
			if v, _ := node.Output("finalize"); v == "true" {
				finalized.Add(1)
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	srv.Stop()
	time.Sleep(700 * time.Millisecond)
	srv.Restart()
	wg.Wait()
	if got := finalized.Load(); got != 1 {
		t.Errorf("%d arrivals finalized, want 1", got)
	}
	if retried.Load() == 0 {
		t.Error("no arrival met the stopped etcd: the restart was not exercised")
	}
	if got := countKeys(t, srv.URL(), "/migrate/latch/"+id+"/members/"); got != 100 {
		t.Errorf("%d members recorded, want 100", got)
	}
	t.Logf("%d arrivals retried across the restart", retried.Load())
}

// TestWait: latch-wait blocks (polls) until every member arrived, and gives
// up when one never does.
func TestWait(t *testing.T) {
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{})
	ctx := context.Background()
	r := runner(tmpls, "uid-wait", nil)
	r.BackoffScale = 0.002 // 10ms, doubling
	list := mustJSON([]string{"a", "b", "c"})
	if node := r.Run(ctx, "init", "latch-init", map[string]string{"id": "w", "members": list}); node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("init: %s", node.Message)
	}
	waited := make(chan *argorun.Node)
	go func() { waited <- r.Run(ctx, "wait", "latch-wait", map[string]string{"id": "w"}) }()
	for _, m := range []string{"a", "b", "c"} {
		time.Sleep(100 * time.Millisecond)
		node := r.Run(ctx, "arrive-"+m, "latch-arrive", map[string]string{"id": "w", "member": m, "members": list})
		if node.Phase != wfv1.NodeSucceeded {
			t.Fatalf("arrive %s: %s", m, node.Message)
		}
	}
	node := <-waited
	if node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("wait: %s: %s", node.Phase, node.Message)
	}
	if node.Attempts < 2 {
		t.Errorf("wait succeeded at once (%d attempts): it did not wait for the last member", node.Attempts)
	}

	// One member short: the wait gives up after its retries.
	if node := r.Run(ctx, "init2", "latch-init", map[string]string{"id": "w2", "members": list}); node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("init: %s", node.Message)
	}
	r.Run(ctx, "a2", "latch-arrive", map[string]string{"id": "w2", "member": "a", "members": list})
	r.BackoffScale = 0.0001
	if node := r.Run(ctx, "wait2", "latch-wait", map[string]string{"id": "w2"}); node.Phase == wfv1.NodeSucceeded {
		t.Error("wait succeeded with members missing")
	}
}

// TestMisuse: init is idempotent for the same members and fails for
// others; a member not in the list, or a latch never initialized, makes
// the arrival fail without counting it.
func TestMisuse(t *testing.T) {
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{})
	ctx := context.Background()
	r := runner(tmpls, "uid-misuse", nil)
	list := mustJSON([]string{"a", "b"})
	for i, tc := range []struct {
		tmpl string
		args map[string]string
		ok   bool
	}{
		{"latch-init", map[string]string{"id": "m", "members": list}, true},
		{"latch-init", map[string]string{"id": "m", "members": list}, true},
		{"latch-init", map[string]string{"id": "m", "members": mustJSON([]string{"a"})}, false},
		{"latch-arrive", map[string]string{"id": "m", "member": "z", "members": list}, false},
		{"latch-arrive", map[string]string{"id": "m", "member": "a", "members": mustJSON([]string{"a"})}, false},
		{"latch-arrive", map[string]string{"id": "never", "member": "a", "members": list}, false},
		{"latch-arrive", map[string]string{"id": "m", "member": "a", "members": list}, true},
	} {
		node := r.Run(ctx, fmt.Sprint("n", i), tc.tmpl, tc.args)
		if (node.Phase == wfv1.NodeSucceeded) != tc.ok {
			t.Errorf("%d: %s %v: %s %s, want success %v", i, tc.tmpl, tc.args, node.Phase, node.Message, tc.ok)
		}
	}
	if got := countKeys(t, srv.URL(), "/migrate/latch/m/members/"); got != 1 {
		t.Errorf("%d members recorded, want 1 (only a)", got)
	}
}

// BenchmarkArrive measures latch arrivals per second against the embedded
// etcd, every request through the compiled templates, and reports the
// HTTP requests per arrival and the pods per arrival.
func BenchmarkArrive(b *testing.B) {
	srv := etcdtest.Start(b)
	tmpls := compile(b, srv.URL(), etcdgw.Config{})
	r := runner(tmpls, "uid-bench", &lossy{})
	ctx := context.Background()
	const n = 100
	list := mustJSON(members(n))
	var seq atomic.Int64
	b.SetParallelism(16) // 32 members arriving at once on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := seq.Add(1)
		var id string
		for i := 0; pb.Next(); i++ {
			if i%n == 0 { // a new latch every 100 arrivals
				id = fmt.Sprintf("bench-%d-%d", g, i/n)
				r.Run(ctx, "init", "latch-init", map[string]string{"id": id, "members": list})
			}
			node := r.Run(ctx, "arrive", "latch-arrive", map[string]string{"id": id, "member": fmt.Sprintf("shard-%03d", i%n), "members": list})
			if node.Phase != wfv1.NodeSucceeded {
				b.Errorf("arrival: %s", node.Message)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "arrivals/s")
	b.ReportMetric(float64(r.Requests.Load())/float64(b.N), "requests/arrival")
	b.ReportMetric(float64(r.PodsRun.Load())/float64(b.N), "pods/arrival")
}

// TestCountKeysHonoursStatus: an error answer is never a count.
func TestCountKeysHonoursStatus(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
	}{
		{http.StatusServiceUnavailable, `{"error":"etcdserver: too many requests","code":14}`},
		{http.StatusOK, `{"error":"no header"}`},
		{http.StatusOK, `not json`},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
		}))
		if n, err := countOnce(srv.Client(), srv.URL, "{}"); err == nil {
			t.Errorf("HTTP %d %s: counted %d, want an error", c.status, c.body, n)
		}
		srv.Close()
	}
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"header":{"revision":"7"}}`)
	}))
	defer ok.Close()
	if n, err := countOnce(ok.Client(), ok.URL, "{}"); err != nil || n != 0 {
		t.Errorf("empty range: %d, %v; want 0 (etcd leaves a zero count out)", n, err)
	}
}

// TestEmptyLatch: a latch with no members is complete at its init: of
// many deliveries of the init (retried, duplicated, answers lost), exactly
// one returns Finalize, and a wait succeeds at once. An init with members
// never finalizes.
func TestEmptyLatch(t *testing.T) {
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{})
	ctx := context.Background()
	for trial := range 20 {
		id := fmt.Sprintf("empty-%d", trial)
		r := runner(tmpls, "uid-"+id, &lossy{p: 0.2})
		r.BackoffScale = 0.002
		var finalized atomic.Int64
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				node := r.Run(ctx, fmt.Sprintf("init-%d", i), "latch-init", map[string]string{"id": id, "members": "[]"})
				if node.Phase != wfv1.NodeSucceeded {
					t.Errorf("init %d of %s: %s: %s", i, id, node.Phase, node.Message)
					return
				}
				if v, _ := node.Output("finalize"); v == "true" {
					finalized.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := finalized.Load(); n != 1 {
			t.Errorf("latch %s: %d inits finalized, want exactly 1", id, n)
		}
		if node := runner(tmpls, "uid-"+id, nil).Run(ctx, "wait", "latch-wait", map[string]string{"id": id}); node.Phase != wfv1.NodeSucceeded || node.Attempts > 1 {
			t.Errorf("wait on empty latch %s: %s after %d attempts: %s", id, node.Phase, node.Attempts, node.Message)
		}
	}
	r := runner(tmpls, "uid-full", nil)
	node := r.Run(ctx, "init", "latch-init", map[string]string{"id": "full", "members": mustJSON([]string{"a"})})
	if v, _ := node.Output("finalize"); node.Phase != wfv1.NodeSucceeded || v != "false" {
		t.Errorf("init with members: %s, finalize %q, want Succeeded and false", node.Phase, v)
	}
}
