package examples

import (
	"github.com/migratekit/migrate/dsl"
)

// Cluster is the input of the rolling update.
type Cluster struct {
	Cluster dsl.Expr[string]   `desc:"cluster to update"`
	Hosts   dsl.Expr[[]string] `desc:"JSON list of the hosts to update, in order"`
	Version dsl.Expr[string]   `desc:"version to install"`
	Role    dsl.Expr[string]   `desc:"which servers to update" enum:"replica,meta,collector" default:"replica"`
}

// ClusterRef names a cluster.
type ClusterRef struct {
	Cluster dsl.Expr[string] `desc:"cluster to act on"`
}

// HostUpdate is one host's update.
type HostUpdate struct {
	Cluster dsl.Expr[string] `desc:"cluster the host belongs to"`
	Host    dsl.Expr[string] `desc:"host to update"`
	Version dsl.Expr[string] `desc:"version to install"`
	Role    dsl.Expr[string] `desc:"server role on the host"`
}

// HostList is the input of the per-host loop.
type HostList struct {
	Cluster dsl.Expr[string]   `desc:"cluster the hosts belong to"`
	Hosts   dsl.Expr[[]string] `desc:"JSON list of hosts"`
	Version dsl.Expr[string]   `desc:"version to install"`
	Role    dsl.Expr[string]   `desc:"server role on the hosts"`
}

// RollingUpdate updates a cluster one host at a time: prepare the cluster
// (stop automatic replica migration), then for each host in turn check it,
// update it and check it again; on the first failure stop, and revert the
// cluster to its normal state; when every host is done, finish.
func RollingUpdate() *dsl.Library {
	lib := dsl.NewLibrary("rolling-update")
	wt := lib.WorkflowTemplate("rolling-update").
		ServiceAccount("migrate").
		PodGC(dsl.PodGCOnWorkflowSuccess)
	// One rolling update per cluster at a time.
	wt.Synchronize(dsl.Mutex("rolling-update-", dsl.Global[string](wt, "cluster")))

	cli := func(name string, verb ...any) *dsl.ContainerTemplate[ClusterRef, dsl.None] {
		t := dsl.Container[ClusterRef, dsl.None](wt, name)
		return t.Image(consoleImage).
			Command("cluster-cli", "rolling-update").
			Args(append(verb, t.In().Cluster)...)
	}
	prepare := cli("prepare", "prepare")
	finish := cli("finish", "finish")
	revert := cli("revert", "revert").With(dsl.Retry{Limit: 5, Policy: dsl.RetryAlways, Backoff: &dsl.Backoff{Duration: "30s", Factor: 2}})

	hostStep := func(name, verb string) *dsl.ContainerTemplate[HostUpdate, dsl.None] {
		t := dsl.Container[HostUpdate, dsl.None](wt, name)
		in := t.In()
		return t.Image(consoleImage).
			Command("cluster-cli", "rolling-update", verb).
			Args(in.Cluster, "--role", in.Role, "--host", in.Host, "--version", in.Version).
			With(dsl.Deadline(3600))
	}
	preCheck := hostStep("pre-check", "check")
	update := hostStep("update", "run")
	postCheck := hostStep("post-check", "verify")

	host := dsl.DAG[HostUpdate, dsl.None](wt, "update-host")
	h := host.In()
	pre := dsl.Task(host, "pre-check", preCheck, h)
	up := dsl.Task(host, "update", update, h).After(pre)
	dsl.Task(host, "post-check", postCheck, h).After(up)

	// One host at a time, and none after the first that fails: a steps
	// template with StopOnFailure (a DAG would go on with the next host).
	hosts := dsl.Steps[HostList, dsl.None](wt, "update-hosts").With(dsl.Parallelism(1), dsl.StopOnFailure())
	hl := hosts.In()
	dsl.ForEach(hosts, "host", host, dsl.FromList(hl.Hosts), func(item dsl.Expr[string]) HostUpdate {
		return HostUpdate{Cluster: hl.Cluster, Host: item, Version: hl.Version, Role: hl.Role}
	})

	main := dsl.DAG[Cluster, dsl.None](wt, "main")
	in := main.In()
	ref := ClusterRef{Cluster: in.Cluster}
	prep := dsl.Task(main, "prepare", prepare, ref)
	all := dsl.Task(main, "update-hosts", hosts, HostList{Cluster: in.Cluster, Hosts: in.Hosts, Version: in.Version, Role: in.Role}).After(prep)
	dsl.Task(main, "finish", finish, ref).After(all)
	dsl.Task(main, "revert", revert, ref).Depends(dsl.AnyOf(prep.Failed(), prep.Errored(), all.Failed(), all.Errored()))

	wt.Entrypoint(main)
	return lib
}
