package migration

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/migratekit/migrate/schema"
)

// RBAC is the ServiceAccount the library's pods run as, with a Role that
// allows what they do and nothing else: one rule per kind of object. The
// executor of every step reports its outputs as a WorkflowTaskResult; the
// backfill steps apply, scale and delete their Deployment; the console
// reads the Secrets the units name (by name: no other Secret). The pods
// read their units through the kubelet, which needs no rule.
func RBAC(run *Run) []any {
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/part-of": "migrate"}}
	}
	role := &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: meta(ServiceAccount),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"argoproj.io"}, Resources: []string{"workflowtaskresults"}, Verbs: []string{"create", "patch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "create", "patch", "delete"}},
		},
	}
	if secrets := secretNames(run); len(secrets) > 0 {
		role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: secrets})
	}
	return []any{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: meta(ServiceAccount)},
		role,
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: meta(ServiceAccount),
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: ServiceAccount},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: ServiceAccount}},
		},
	}
}

// secretNames lists the Secrets the run's clusters and Kafka name.
func secretNames(run *Run) []string {
	seen := map[string]bool{}
	auth := func(a *schema.Auth) {
		if a == nil {
			return
		}
		for _, n := range []string{basicSecret(a), sigv4Secret(a), mtlsSecret(a)} {
			if n != "" {
				seen[n] = true
			}
		}
	}
	for _, c := range run.Captures {
		auth(c.Cluster.Auth)
	}
	for _, s := range run.Snapshots {
		auth(s.Cluster.Auth)
	}
	for _, m := range run.Migrations {
		auth(m.Cluster.Target.Auth)
	}
	for _, r := range run.Replays {
		auth(r.Cluster.Target.Auth)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func basicSecret(a *schema.Auth) string {
	if a.Basic != nil {
		return a.Basic.SecretName
	}
	return ""
}

func sigv4Secret(a *schema.Auth) string {
	if a.SigV4 != nil {
		return a.SigV4.SecretName
	}
	return ""
}

func mtlsSecret(a *schema.Auth) string {
	if a.MTLS != nil {
		return a.MTLS.SecretName
	}
	return ""
}
