// Package e2e runs compiled workflow libraries on a real Argo controller and a
// real kube-apiserver, on loopback, with a fake kubelet that plays each pod's
// part from a scenario file.
package e2e
