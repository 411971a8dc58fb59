package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

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
func install(ctx context.Context, a *Applier, dyn dynamic.Interface, argoDir, namespace, controllerConfig string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": namespace},
	}}
	if err := a.Apply(ctx, namespace, ns); err != nil {
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
			if err := a.Apply(ctx, namespace, o); err != nil {
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
		if err := a.Apply(ctx, namespace, o); err != nil {
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

// Applier creates or replaces objects of any kind the API server serves,
// finding their resources by discovery, as kubectl does.
type Applier struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

// NewApplier returns an Applier using the admin configuration cfg.
func NewApplier(cfg *rest.Config) (*Applier, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))}, nil
}

// Resource returns the client of a kind's resource; namespaced kinds go to
// namespace. A kind discovery does not know yet (a CRD just installed)
// refreshes the discovery cache once.
func (a *Applier) Resource(gvk schema.GroupVersionKind, namespace string) (ri dynamic.ResourceInterface, namespaced bool, err error) {
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		a.mapper.Reset()
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, false, fmt.Errorf("no resource for %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(namespace), true, nil
	}
	return a.dyn.Resource(m.Resource), false, nil
}

// Apply creates obj, or replaces it when it exists, retrying when another
// writer (a parallel scenario installing the same WorkflowTemplate) wins
// the race; namespaced kinds go to namespace.
func (a *Applier) Apply(ctx context.Context, namespace string, obj *unstructured.Unstructured) error {
	ri, namespaced, err := a.Resource(obj.GroupVersionKind(), namespace)
	if err != nil {
		return fmt.Errorf("%s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	if namespaced {
		obj.SetNamespace(namespace)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		_, err := ri.Create(ctx, obj.DeepCopy(), metav1.CreateOptions{})
		if !apierrors.IsAlreadyExists(err) {
			return err
		}
		cur, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		upd := obj.DeepCopy()
		upd.SetResourceVersion(cur.GetResourceVersion())
		_, err = ri.Update(ctx, upd, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("applying %s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	return nil
}

func waitEstablished(ctx context.Context, dyn dynamic.Interface, names []string) error {
	ri := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
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

// Create creates obj (a generateName is honoured) and returns it as the
// API server stored it, as `kubectl create -f` does.
func (a *Applier) Create(ctx context.Context, namespace string, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, namespaced, err := a.Resource(obj.GroupVersionKind(), namespace)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	if namespaced {
		obj.SetNamespace(namespace)
	}
	created, err := ri.Create(ctx, obj.DeepCopy(), metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("creating %s %s%s: %w", obj.GetKind(), obj.GetName(), obj.GetGenerateName(), err)
	}
	return created, nil
}

// Delete deletes one object named as kubectl names it: resource/name, the
// resource being a kind or a resource name, singular or plural
// (configmap/x, deployments/y, workflow/z).
func (a *Applier) Delete(ctx context.Context, namespace, ref string) error {
	res, name, ok := strings.Cut(ref, "/")
	if !ok || res == "" || name == "" {
		return fmt.Errorf("delete %q: want RESOURCE/NAME", ref)
	}
	gvr, err := a.mapper.ResourceFor(schema.GroupVersionResource{Resource: strings.ToLower(res)})
	if err != nil {
		return fmt.Errorf("delete %s: %w", ref, err)
	}
	gvk, err := a.mapper.KindFor(gvr)
	if err != nil {
		return fmt.Errorf("delete %s: %w", ref, err)
	}
	ri, _, err := a.Resource(gvk, namespace)
	if err != nil {
		return err
	}
	if err := ri.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", ref, err)
	}
	return nil
}
