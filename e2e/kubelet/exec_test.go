package kubelet

import (
	"slices"
	"syscall"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestKillSignal(t *testing.T) {
	for uri, want := range map[string]syscall.Signal{
		"/api/v1/namespaces/e2e/pods/p/exec?command=%2Fvar%2Frun%2Fargo%2Fargoexec&command=kill&command=15&command=1&container=main&stderr=true": syscall.SIGTERM,
		"/api/v1/namespaces/e2e/pods/p/exec?command=argoexec&command=kill&command=9&command=1&container=wait":                                    syscall.SIGKILL,
		"/api/v1/namespaces/e2e/pods/p/exec?command=sh&command=-c&command=kill":                                                                  0,
		"/api/v1/namespaces/e2e/pods/p/exec?command=argoexec&command=kill&command=TERM&command=1":                                                0,
	} {
		got, ok := killSignal(uri)
		if ok != (want != 0) || got != want {
			t.Errorf("killSignal(%q) = %d, %v; want %d", uri, got, ok, want)
		}
	}
}

func TestContainerEnvResolvesPodFields(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "e2e", UID: "u-1"},
		Spec:       corev1.PodSpec{ServiceAccountName: "migrate"},
	}
	field := func(name, path string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
	}
	c := corev1.Container{Env: []corev1.EnvVar{
		{Name: "PLAIN", Value: "v"},
		field("ARGO_POD_NAME", "metadata.name"),
		field("ARGO_POD_UID", "metadata.uid"),
		field("SA", "spec.serviceAccountName"),
		field("IP", "status.podIP"),
		{Name: "SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{Key: "k"}}},
	}}
	got := containerEnv(pod, c)
	want := []string{"PLAIN=v", "ARGO_POD_NAME=p", "ARGO_POD_UID=u-1", "SA=migrate", "IP=" + podIP}
	if !slices.Equal(got, want) {
		t.Errorf("containerEnv = %q, want %q", got, want)
	}
}
