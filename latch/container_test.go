package latch_test

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/internal/etcdtest"
)

// TestContainerBackEnd runs a fan-in with the container back-end: every
// operation is a script (curl and jq) run here as its pod would run it,
// sending the same requests as the HTTP templates.
func TestContainerBackEnd(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the container back-end needs %s", tool)
		}
	}
	srv := etcdtest.Start(t)
	tmpls := compile(t, srv.URL(), etcdgw.Config{Image: "ghcr.io/migratekit/curl-jq:1"})
	for _, tm := range tmpls {
		if tm.HTTP != nil {
			t.Fatalf("template %s is an HTTP template with the container back-end", tm.Name)
		}
	}
	r := runner(tmpls, "uid-container", nil)
	r.Scripts = true
	ctx := context.Background()
	const n = 10
	list := mustJSON(members(n))
	if node := r.Run(ctx, "init", "latch-init", map[string]string{"id": "c", "members": list}); node.Phase != wfv1.NodeSucceeded {
		t.Fatalf("init: %s", node.Message)
	}
	if node := r.Run(ctx, "init-again", "latch-init", map[string]string{"id": "c", "members": mustJSON(members(3))}); node.Phase == wfv1.NodeSucceeded {
		t.Error("a second init with other members succeeded")
	} else if expect := node.Child("expect"); expect == nil || expect.Attempts != 1 {
		t.Errorf("a failed check was not tried exactly once (it is final): %+v", expect)
	}
	var finalized atomic.Int64
	var wg sync.WaitGroup
	for i, m := range append(members(n), "shard-003") {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := r.Run(ctx, fmt.Sprint("arrive-", i), "latch-arrive", map[string]string{"id": "c", "member": m, "members": list})
			if node.Phase != wfv1.NodeSucceeded {
				t.Errorf("arrive %s: %s", m, node.Message)
			}
			if v, _ := node.Output("finalize"); v == "true" {
				finalized.Add(1)
			}
		}()
	}
	wg.Wait()
	if finalized.Load() != 1 {
		t.Errorf("%d arrivals finalized, want 1", finalized.Load())
	}
	if node := r.Run(ctx, "wait", "latch-wait", map[string]string{"id": "c"}); node.Phase != wfv1.NodeSucceeded {
		t.Errorf("wait: %s", node.Message)
	}
	if r.PodsRun.Load() == 0 {
		t.Error("no pod ran")
	}
	t.Logf("%d pods, one per operation", r.PodsRun.Load())
}
