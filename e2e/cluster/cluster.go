// Package cluster starts what Argo's controller needs, and only that, on
// loopback: an embedded etcd, a real kube-apiserver and Argo's real
// workflow-controller, with Argo's CRDs and RBAC installed. There is no
// kubelet and no scheduler: package kubelet plays the pods' part.
package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Namespace is where the controller runs and the workflows go.
const Namespace = "e2e"

// controllerConfig is the controller's ConfigMap: no metrics or telemetry
// servers (they would listen on every interface, on fixed ports).
const controllerConfig = `
metricsConfig:
  enabled: false
telemetryConfig:
  enabled: false
`

// Cluster is a running etcd, kube-apiserver and workflow-controller.
type Cluster struct {
	Dir   string       // logs, keys and kubeconfigs
	Admin *rest.Config // system:masters
	// AdminKubeconfig is a kubeconfig file for Admin, in Namespace: what
	// the operator's commands use.
	AdminKubeconfig string
	Kube            kubernetes.Interface
	Argo            wfclientset.Interface
	Dynamic         dynamic.Interface
	Objects         *Applier // creates, replaces and finds objects of any kind
	Binaries        *Binaries
	Processes       []*Process

	etcd *Etcd // the API server's storage
}

// Start starts a cluster whose logs and state go to dir. On error, whatever
// was started is stopped.
func Start(ctx context.Context, dir string, bins *Binaries) (c *Cluster, err error) {
	c = &Cluster{Dir: dir, Binaries: bins}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	if c.etcd, err = StartEtcd(dir, "etcd"); err != nil {
		return nil, err
	}
	api, admin, err := startAPIServer(ctx, dir, bins.APIServer, c.etcd.URL)
	if err != nil {
		return nil, err
	}
	c.Processes = append(c.Processes, api)
	c.Admin = admin
	if c.Kube, err = kubernetes.NewForConfig(admin); err != nil {
		return nil, err
	}
	if c.Argo, err = wfclientset.NewForConfig(admin); err != nil {
		return nil, err
	}
	if c.Dynamic, err = dynamic.NewForConfig(admin); err != nil {
		return nil, err
	}
	if c.Objects, err = NewApplier(admin); err != nil {
		return nil, err
	}
	c.AdminKubeconfig = filepath.Join(dir, "admin.kubeconfig")
	if err := writeKubeconfig(c.AdminKubeconfig, admin, admin.BearerToken, Namespace); err != nil {
		return nil, err
	}
	if err := install(ctx, c.Objects, c.Dynamic, bins.ArgoDir, Namespace, controllerConfig); err != nil {
		return nil, fmt.Errorf("installing Argo: %w", err)
	}
	ctrl, err := c.startController(ctx)
	if err != nil {
		return nil, err
	}
	c.Processes = append(c.Processes, ctrl)
	return c, nil
}

// startController runs Argo's workflow-controller as its own service
// account (argo, with Argo's namespace-install role), managing Namespace.
func (c *Cluster) startController(ctx context.Context) (*Process, error) {
	token, err := ServiceAccountToken(ctx, c.Kube, Namespace, "argo")
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(c.Dir, "controller.kubeconfig")
	if err := writeKubeconfig(kubeconfig, c.Admin, token, Namespace); err != nil {
		return nil, err
	}
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--namespaced",
		"--managed-namespace=" + Namespace,
		"--executor-image=argoexec:e2e",
		"--workflow-workers=8",
		"--qps=100", "--burst=200",
	}
	env := []string{
		"LEADER_ELECTION_DISABLE=true",
		// The default 10 s between reconciliations of a workflow costs
		// about 20 s per step; 1 s is Argo's floor.
		"DEFAULT_REQUEUE_TIME=1s",
		// v4's default, and the setting Argo's maintainers recommend for
		// v3 (whose default writes its own updates back into the informer's
		// cache): a write-back can overwrite a newer copy the watch had
		// delivered, an operator's resume say, and the controller then
		// works on the stale copy, fails to re-apply its update ("must
		// never update completed node") and does not look at the workflow
		// again before its 20-minute resync. See e2e/README.md.
		"INFORMER_WRITE_BACK=false",
	}
	p, err := StartProcess(c.Dir, "workflow-controller", c.Binaries.Controller, args, env)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.Done():
		return nil, fmt.Errorf("workflow-controller exited with code %d; see %s", p.ExitCode(), p.Log)
	case <-time.After(500 * time.Millisecond):
	}
	return p, nil
}

// KubeconfigFor writes a kubeconfig that authenticates as a service account
// of Namespace, and returns its path.
func (c *Cluster) KubeconfigFor(ctx context.Context, serviceAccount string) (string, error) {
	token, err := ServiceAccountToken(ctx, c.Kube, Namespace, serviceAccount)
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "sa-"+serviceAccount+".kubeconfig")
	return path, writeKubeconfig(path, c.Admin, token, Namespace)
}

// Stop stops the processes, newest first, then etcd.
func (c *Cluster) Stop() {
	for i := len(c.Processes) - 1; i >= 0; i-- {
		c.Processes[i].Stop(10 * time.Second)
	}
	c.Processes = nil
	if c.etcd != nil {
		c.etcd.Stop()
		c.etcd = nil
	}
}
