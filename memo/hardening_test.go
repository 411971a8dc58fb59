package memo_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/internal/etcdtest"
)

// TestErrored: a step that errors (here: its pod cannot be made) leaves a
// failed record saying so, like a failure, and the next run claims it.
func TestErrored(t *testing.T) {
	w := newWorld(t, 60)
	ctx := context.Background()
	r := w.runner("uid-1")
	delete(r.Pods, "create-snapshot")
	n := r.Run(ctx, "wf1", "snapshot", snapArgs("db1", 10))
	if n.Phase == wfv1.NodeSucceeded {
		t.Fatalf("wrapper %s, want it to fail with the step", n.Phase)
	}
	rec := w.record("snapshot/db1")
	if rec["state"] != "failed" || !strings.Contains(fmt.Sprint(rec["reason"]), "create-snapshot errored") {
		t.Fatalf("record after an error: %v, want failed with the reason", rec)
	}
	mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
	if rec := w.record("snapshot/db1"); rec["state"] != "complete" || rec["attempt"] != 2.0 || w.count("create-snapshot") != 1 {
		t.Fatalf("record after the rerun: %v (%d runs)", rec, w.count("create-snapshot"))
	}
}

// loseFirstAnswer executes every etcd transaction and loses its answer
// the first time each distinct request is sent: every write is retried
// after it took effect, which only idempotent writes survive.
type loseFirstAnswer struct {
	mu   sync.Mutex
	seen map[string]bool
	lost int
}

func (l *loseFirstAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := etcdtest.Transport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/v3/kv/txn") {
		return resp, err
	}
	l.mu.Lock()
	first := !l.seen[string(body)]
	l.seen[string(body)] = true
	if first {
		l.lost++
	}
	l.mu.Unlock()
	if !first {
		return resp, nil
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, fmt.Errorf("connection reset after etcd executed the transaction (on purpose)")
}

// TestWritesIdempotentAfterLostAnswer: the claim and the completion are
// each executed by etcd, their answers lost, and sent again; the retries
// must be accepted (the key holds what they put), so the run succeeds,
// runs the step once and records it complete.
func TestWritesIdempotentAfterLostAnswer(t *testing.T) {
	w := newWorld(t, 60)
	lose := &loseFirstAnswer{seen: map[string]bool{}}
	w.rt = lose
	w.scale = 0.005
	n := w.runner("uid-1").Run(context.Background(), "wf1", "snapshot", snapArgs("db1", 10))
	mustSucceed(t, n)
	if lose.lost < 2 {
		t.Fatalf("%d answers lost, want the claim's and the completion's", lose.lost)
	}
	if rec := w.record("snapshot/db1"); rec["state"] != "complete" || w.count("create-snapshot") != 1 {
		t.Fatalf("record %v after %d runs, want complete after 1", rec, w.count("create-snapshot"))
	}
}

// TestEtcdRestartMidStep: etcd stops and starts again while the step runs;
// the completion, retried until etcd answers, records the outcome, and a
// later workflow adopts it.
func TestEtcdRestartMidStep(t *testing.T) {
	w := newWorld(t, 60)
	w.scale = 0.05
	r := w.runner("uid-1")
	step := r.Pods["create-snapshot"]
	r.Pods["create-snapshot"] = func(ctx context.Context, tmpl *wfv1.Template) (*wfv1.Outputs, error) {
		w.srv.Stop()
		go func() { time.Sleep(500 * time.Millisecond); w.srv.Restart() }()
		return step(ctx, tmpl)
	}
	first := mustSucceed(t, r.Run(context.Background(), "wf1", "snapshot", snapArgs("db1", 10)))
	if rec := w.record("snapshot/db1"); rec["state"] != "complete" {
		t.Fatalf("record after the restart: %v", rec)
	}
	n := mustSucceed(t, w.runner("uid-2").Run(context.Background(), "wf2", "snapshot", snapArgs("db1", 10)))
	if w.count("create-snapshot") != 1 || fmt.Sprint(outputs(n)) != fmt.Sprint(outputs(first)) {
		t.Fatalf("not adopted after the restart: %d runs, outputs %v", w.count("create-snapshot"), outputs(n))
	}
}

// TestLeaseExpiresDuringLongStep: a step that outlives its claim's lease
// loses the record to the next workflow, which runs the step itself; the
// first one's completion then fails its compare-and-swap and never
// overwrites the second's record.
func TestLeaseExpiresDuringLongStep(t *testing.T) {
	w := newWorld(t, 2)
	ctx := context.Background()
	r1 := w.runner("uid-1")
	step := r1.Pods["create-snapshot"]
	started := make(chan struct{})
	r1.Pods["create-snapshot"] = func(ctx context.Context, tmpl *wfv1.Template) (*wfv1.Outputs, error) {
		close(started)
		time.Sleep(6 * time.Second) // three times the lease
		return step(ctx, tmpl)
	}
	done := make(chan *wfv1.NodePhase, 1)
	go func() {
		n := r1.Run(ctx, "wf1", "snapshot", snapArgs("db1", 10))
		done <- &n.Phase
	}()
	<-started
	second := mustSucceed(t, w.runner("uid-2").Run(ctx, "wf2", "snapshot", snapArgs("db1", 10)))
	if phase := <-done; *phase == wfv1.NodeSucceeded {
		t.Errorf("the workflow whose lease expired succeeded: its completion must fail")
	}
	rec := w.record("snapshot/db1")
	if rec["state"] != "complete" || rec["owner"].(map[string]any)["uid"] != "uid-2" {
		t.Fatalf("record %v, want the second workflow's complete record", rec)
	}
	if got := rec["outputs"].(map[string]any)["snapshot"]; got != outputs(second)["snapshot"] {
		t.Fatalf("recorded snapshot %v, want the second run's %q", got, outputs(second)["snapshot"])
	}
	if w.count("create-snapshot") != 2 {
		t.Errorf("step ran %d times, want 2 (the second workflow could not adopt an unrecorded run)", w.count("create-snapshot"))
	}
}
