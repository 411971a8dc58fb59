package cluster

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// startAPIServer starts kube-apiserver on a free loopback port, backed by
// the etcd at etcdURL, and returns it with an admin client configuration.
// Authentication is a static token (group system:masters) and service
// account tokens; authorization is RBAC, so the Argo roles are exercised.
// AuditLog is the API server's audit log in the cluster's directory: one
// JSON event per line, for each pods/exec request only. There is no real
// kubelet behind the API server to run what Argo's controller execs in a
// pod (`argoexec kill` when a workflow is stopped or terminated), so the
// fake kubelet reads the requests here and plays their effect.
const AuditLog = "audit.log"

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: Metadata
    resources: [{group: "", resources: [pods/exec]}]
  - level: None
`

func startAPIServer(ctx context.Context, dir, binary, etcdURL string) (*Process, *rest.Config, error) {
	pki := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return nil, nil, err
	}
	token, err := randomHex(16)
	if err != nil {
		return nil, nil, err
	}
	tokens := filepath.Join(pki, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",e2e-admin,e2e-admin,system:masters\n"), 0o600); err != nil {
		return nil, nil, err
	}
	saKey := filepath.Join(pki, "sa.key")
	if err := writeRSAKey(saKey); err != nil {
		return nil, nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o644); err != nil {
		return nil, nil, err
	}
	args := []string{
		"--audit-policy-file=" + policy,
		"--audit-log-path=" + filepath.Join(dir, AuditLog),
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + port,
		"--cert-dir=" + filepath.Join(pki, "serving"),
		"--token-auth-file=" + tokens,
		"--anonymous-auth=false",
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=1",
	}
	p, err := StartProcess(dir, "kube-apiserver", binary, args, nil)
	if err != nil {
		return nil, nil, err
	}
	cfg := &rest.Config{
		Host:            "https://" + addr,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS:             200,
		Burst:           400,
	}
	if err := waitReady(ctx, p, cfg); err != nil {
		p.Stop(5 * time.Second)
		return nil, nil, err
	}
	return p, cfg, nil
}

// waitReady polls /readyz until the API server answers ok.
func waitReady(ctx context.Context, p *Process, cfg *rest.Config) error {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var last error
	for {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && strings.TrimSpace(string(body)) == "ok" {
			return nil
		}
		last = err
		select {
		case <-p.Done():
			return fmt.Errorf("kube-apiserver exited with code %d; see %s", p.ExitCode(), p.Log)
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %v; see %s", last, p.Log)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// writeKubeconfig writes a kubeconfig for cfg's server, authenticating with
// token, defaulting to namespace.
func writeKubeconfig(path string, cfg *rest.Config, token, namespace string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["e2e"] = &clientcmdapi.Cluster{Server: cfg.Host, InsecureSkipTLSVerify: true}
	kc.AuthInfos["e2e"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "e2e", Namespace: namespace}
	kc.CurrentContext = "e2e"
	return clientcmd.WriteToFile(*kc, path)
}

func writeRSAKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return os.WriteFile(path, data, 0o600)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
