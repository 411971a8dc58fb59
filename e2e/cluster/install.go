package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// kinds maps the kinds the e2e manifests hold to their resources; the
// boolean says whether the kind is namespaced.
var kinds = map[string]struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}{
	"CustomResourceDefinition": {schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}, false},
	"Namespace":                {schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, false},
	"ServiceAccount":           {schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, true},
	"ConfigMap":                {schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, true},
	"Secret":                   {schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, true},
	"Role":                     {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}, true},
	"RoleBinding":              {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}, true},
	"WorkflowTemplate":         {schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflowtemplates"}, true},
}

// argoManifests are the files of the Argo module installed into every
// cluster: the CRDs with their full schemas (with the minimal ones a
// malformed Workflow is admitted), the controller's own namespace-install
// RBAC, and the roles Argo recommends for executors, agents and memoization.
var argoManifests = []string{
	"manifests/base/crds/full/argoproj.io_clusterworkflowtemplates.yaml",
	"manifests/base/crds/full/argoproj.io_cronworkflows.yaml",
	"manifests/base/crds/full/argoproj.io_workflowartifactgctasks.yaml",
	"manifests/base/crds/full/argoproj.io_workfloweventbindings.yaml",
	"manifests/base/crds/full/argoproj.io_workflows.yaml",
	"manifests/base/crds/full/argoproj.io_workflowtaskresults.yaml",
	"manifests/base/crds/full/argoproj.io_workflowtasksets.yaml",
	"manifests/base/crds/full/argoproj.io_workflowtemplates.yaml",
	"manifests/base/workflow-controller/workflow-controller-sa.yaml",
	"manifests/namespace-install/workflow-controller-rbac/workflow-controller-role.yaml",
	"manifests/namespace-install/workflow-controller-rbac/workflow-controller-rolebinding.yaml",
	"manifests/quick-start/base/executor/emissary/executor-role.yaml",
	"manifests/quick-start/base/agent-role.yaml",
	"manifests/quick-start/base/memoizer-role.yaml",
}

// ownManifests binds the Argo roles to the service accounts: the workflows'
// (migrate, which the libraries name) and the controller's (argo, which
// writes the memoization ConfigMaps). It also grants the controller what
// Argo's own controller roles forget: it patches workflowtasksets/status to
// clear the results of HTTP steps it has read, and without that permission
// a workflow with HTTP steps can stop progressing (argo-workflows#13341).
const ownManifests = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: argo-taskset-status
rules:
  - apiGroups: [argoproj.io]
    resources: [workflowtasksets/status]
    verbs: [patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: argo-taskset-status
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: argo-taskset-status}
subjects: [{kind: ServiceAccount, name: argo}]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: migrate
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: migrate-executor
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: executor}
subjects: [{kind: ServiceAccount, name: migrate}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: migrate-agent
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: agent}
subjects: [{kind: ServiceAccount, name: migrate}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: argo-memoizer
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: memoizer}
subjects: [{kind: ServiceAccount, name: argo}]
`

// install creates the namespace, Argo's CRDs and RBAC, our service accounts
// and bindings, and the controller's ConfigMap, then waits for the CRDs.
func install(ctx context.Context, dyn dynamic.Interface, argoDir, namespace, controllerConfig string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": namespace},
	}}
	if err := Apply(ctx, dyn, namespace, ns); err != nil {
		return err
	}
	var crds []string
	for _, f := range argoManifests {
		data, err := os.ReadFile(filepath.Join(argoDir, f))
		if err != nil {
			return err
		}
		objs, err := DecodeYAML(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, o := range objs {
			if o.GetKind() == "CustomResourceDefinition" {
				crds = append(crds, o.GetName())
			}
			if err := Apply(ctx, dyn, namespace, o); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	own, err := DecodeYAML([]byte(ownManifests))
	if err != nil {
		return err
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "workflow-controller-configmap"},
		"data":     map[string]any{"config": controllerConfig},
	}}
	for _, o := range append(own, cm) {
		if err := Apply(ctx, dyn, namespace, o); err != nil {
			return err
		}
	}
	return waitEstablished(ctx, dyn, crds)
}

// DecodeYAML splits a multi-document YAML stream into objects.
func DecodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// Apply creates obj, or replaces it when it exists; namespaced kinds go to
// namespace.
func Apply(ctx context.Context, dyn dynamic.Interface, namespace string, obj *unstructured.Unstructured) error {
	k, ok := kinds[obj.GetKind()]
	if !ok {
		return fmt.Errorf("e2e cannot install a %s (%s): add it to cluster.kinds", obj.GetKind(), obj.GetName())
	}
	var ri dynamic.ResourceInterface = dyn.Resource(k.gvr)
	if k.namespaced {
		obj.SetNamespace(namespace)
		ri = dyn.Resource(k.gvr).Namespace(namespace)
	}
	_, err := ri.Create(ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		cur, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		obj.SetResourceVersion(cur.GetResourceVersion())
		_, err = ri.Update(ctx, obj, metav1.UpdateOptions{})
		return err
	}
	if err != nil {
		return fmt.Errorf("creating %s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	return nil
}

func waitEstablished(ctx context.Context, dyn dynamic.Interface, names []string) error {
	ri := dyn.Resource(kinds["CustomResourceDefinition"].gvr)
	deadline := time.Now().Add(time.Minute)
	for _, name := range names {
		for {
			crd, err := ri.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			established := false
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					established = true
				}
			}
			if established {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CRD %s not established after a minute", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// ServiceAccountToken returns a token for a service account, the way the
// kubelet projects one into a pod.
func ServiceAccountToken(ctx context.Context, kube kubernetes.Interface, namespace, name string) (string, error) {
	tr, err := kube.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authv1.TokenRequest{
		Spec: authv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](6 * 3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token for service account %s/%s: %w", namespace, name, err)
	}
	return tr.Status.Token, nil
}
