package kubelet

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/migratekit/migrate/e2e/cluster"
)

// auditEvent is what the kubelet reads of an API server audit event.
type auditEvent struct {
	Verb       string `json:"verb"`
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	ObjectRef  struct {
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
}

// watchExec plays the effect of the commands Argo's controller execs in
// pods, which a real kubelet would run: `argoexec kill SIGNAL 1` in a
// container, sent to stop or terminate a workflow, makes the pod's process
// receive the signal. The requests are read from the API server's audit
// log (the API server itself cannot reach the fake kubelet).
func (k *Kubelet) watchExec(ctx context.Context) {
	path := filepath.Join(k.c.Dir, cluster.AuditLog)
	var f *os.File
	for f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			select {
			case <-time.After(200 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		partial = append(partial, line...)
		if err == io.EOF {
			select {
			case <-time.After(100 * time.Millisecond):
				continue
			case <-ctx.Done():
				return
			}
		}
		if err != nil {
			k.logf("reading the audit log: %v", err)
			return
		}
		var ev auditEvent
		if json.Unmarshal(partial, &ev) == nil && ev.ObjectRef.Subresource == "exec" && ev.ObjectRef.Namespace == cluster.Namespace {
			if sig, ok := killSignal(ev.RequestURI); ok {
				k.signal(ev.ObjectRef.Name, sig)
			}
		}
		partial = partial[:0]
	}
}

// killSignal reads `argoexec kill SIGNAL PID` from an exec request URI.
func killSignal(uri string) (syscall.Signal, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return 0, false
	}
	cmd := u.Query()["command"]
	if len(cmd) != 4 || filepath.Base(cmd[0]) != "argoexec" || cmd[1] != "kill" {
		return 0, false
	}
	n, err := strconv.Atoi(cmd[2])
	if err != nil {
		return 0, false
	}
	return syscall.Signal(n), true
}

// signal delivers a signal to a running pod's process, once.
func (k *Kubelet) signal(pod string, sig syscall.Signal) {
	k.mu.Lock()
	ch := k.kills[pod]
	k.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- sig:
		k.logf("pod %s: signal %d from the controller's exec", pod, sig)
	default: // already signalled
	}
}

// killable registers a running pod for signals until done is called; the
// channel holds the first.
func (k *Kubelet) killable(pod string) (kill <-chan syscall.Signal, done func()) {
	ch := make(chan syscall.Signal, 1)
	k.mu.Lock()
	k.kills[pod] = ch
	k.mu.Unlock()
	return ch, func() {
		k.mu.Lock()
		delete(k.kills, pod)
		k.mu.Unlock()
	}
}
