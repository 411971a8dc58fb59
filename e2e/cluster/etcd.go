package cluster

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Etcd is an embedded single-member etcd on loopback, with its v3 JSON
// gateway on. It keeps its ports and data across Stop and Start, so a
// scenario can restart it under a running workflow.
type Etcd struct {
	URL string // client URL; the JSON gateway is at URL/v3/...

	cfg *embed.Config
	mu  sync.Mutex
	e   *embed.Etcd
}

// StartEtcd starts an etcd named name on free loopback ports, storing its
// data under dir/name.
func StartEtcd(dir, name string) (*Etcd, error) {
	clientAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	peerAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	client := url.URL{Scheme: "http", Host: clientAddr}
	peer := url.URL{Scheme: "http", Host: peerAddr}
	cfg := embed.NewConfig()
	cfg.Name = name
	cfg.Dir = filepath.Join(dir, name)
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", cfg.Name, peer.String())
	cfg.EnableGRPCGateway = true
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	// The API server's watch-list streams rely on progress notifications;
	// a short interval keeps the controller's informers prompt.
	cfg.WatchProgressNotifyInterval = time.Second
	e := &Etcd{URL: client.String(), cfg: cfg}
	return e, e.Start()
}

// Start starts a stopped etcd again, with the data it had; it is a no-op
// on a running one.
func (e *Etcd) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.e != nil {
		return nil
	}
	srv, err := embed.StartEtcd(e.cfg)
	if err != nil {
		return fmt.Errorf("starting etcd %s: %w", e.cfg.Name, err)
	}
	select {
	case <-srv.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		srv.Close()
		return fmt.Errorf("etcd %s not ready after 60s", e.cfg.Name)
	}
	e.e = srv
	// A restarted member has joined its one-member cluster already.
	e.cfg.ClusterState = embed.ClusterStateFlagExisting
	return nil
}

// Stop stops a running etcd; its clients see connection errors until
// Start.
func (e *Etcd) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.e != nil {
		e.e.Close()
		e.e = nil
	}
}
