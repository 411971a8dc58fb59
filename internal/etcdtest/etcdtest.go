// Package etcdtest starts a real etcd server (go.etcd.io/etcd/server/v3/embed)
// inside a test process, on free loopback ports, with its v3 JSON gateway
// enabled: the server the memo and latch tests send their requests to.
package etcdtest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"

	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Transport is the HTTP transport tests should send their requests with:
// it keeps many connections open (http.DefaultTransport keeps two per
// host), and Stop closes them, which etcd's Close waits for.
var Transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}

// Server is an embedded etcd that can be stopped and started again on the
// same ports and data directory, to test convergence across restarts.
type Server struct {
	t         testing.TB
	dir       string
	clientURL url.URL
	peerURL   url.URL

	mu sync.Mutex
	e  *embed.Etcd
}

// Start starts a single-member etcd on free loopback ports with its data in
// a temporary directory; it is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir()}
	s.clientURL = url.URL{Scheme: "http", Host: freeAddr(t)}
	s.peerURL = url.URL{Scheme: "http", Host: freeAddr(t)}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the client URL, where the JSON gateway (/v3/...) answers.
func (s *Server) URL() string { return s.clientURL.String() }

func (s *Server) start() {
	s.t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = "test"
	cfg.Dir = filepath.Join(s.dir, "data")
	cfg.ListenClientUrls = []url.URL{s.clientURL}
	cfg.AdvertiseClientUrls = []url.URL{s.clientURL}
	cfg.ListenPeerUrls = []url.URL{s.peerURL}
	cfg.AdvertisePeerUrls = []url.URL{s.peerURL}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", cfg.Name, s.peerURL.String())
	cfg.EnableGRPCGateway = true
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.Logger = "zap"
	// Fast elections keep start and restart short, and allow short lease TTLs.
	cfg.TickMs = 20
	cfg.ElectionMs = 200
	// Tests need etcd's semantics, not its durability against power loss;
	// a clean Stop still persists everything for Restart.
	cfg.UnsafeNoFsync = true
	var e *embed.Etcd
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		e, err = embed.StartEtcd(cfg)
		if err == nil {
			break
		}
		// The ports of a stopped server may take a moment to be free again.
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("starting etcd: %v", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Close()
		s.t.Fatal("etcd did not become ready within 30s")
	}
	s.mu.Lock()
	s.e = e
	s.mu.Unlock()
}

// Stop stops the server; its data stays for Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	e := s.e
	s.e = nil
	s.mu.Unlock()
	if e == nil {
		return
	}
	// Kept-alive client connections would hold Close up.
	Transport.CloseIdleConnections()
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	done := make(chan struct{})
	go func() { e.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.t.Log("etcd did not stop within 20s; left running")
	}
}

// Restart starts a stopped server again with the same data and ports.
func (s *Server) Restart() { s.start() }

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
