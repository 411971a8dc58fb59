package examples

import "github.com/migratekit/migrate/dsl"

// Shards is the input of the fan-out example.
type Shards struct {
	Index dsl.Expr[string] `desc:"index whose shards are processed"`
}

// ShardList is the list of work items discovered at run time.
type ShardList struct {
	Shards dsl.Expr[[]string] `desc:"JSON list of shard ids"`
}

// Shard is one work item.
type Shard struct {
	Index dsl.Expr[string] `desc:"index the shard belongs to"`
	Shard dsl.Expr[string] `desc:"shard id"`
}

// FanOut lists work items at run time, processes each in parallel (at most
// four at once), then runs one step after all of them.
func FanOut() *dsl.Library {
	lib := dsl.NewLibrary("fan-out")
	wt := lib.WorkflowTemplate("fan-out").ServiceAccount("migrate")

	list := dsl.Container[Shards, ShardList](wt, "list-shards")
	list.Image(consoleImage).
		Command("console", "shards", "list").
		Args("--index", list.In().Index, "--output", "/tmp/outputs/shards.json").
		Outputs(ShardList{Shards: dsl.FromFile[[]string]("/tmp/outputs/shards.json")})

	process := dsl.Container[Shard, dsl.None](wt, "process-shard")
	process.Image(consoleImage).
		Command("console", "shards", "process").
		Args("--index", process.In().Index, "--shard", process.In().Shard).
		With(dsl.Retry{Limit: 3, Policy: dsl.RetryOnFailure, Backoff: &dsl.Backoff{Duration: "10s", Factor: 2, MaxDuration: "5m"}})

	summary := dsl.Container[Shards, dsl.None](wt, "summarize")
	summary.Image(consoleImage).
		Command("console", "shards", "summarize").
		Args("--index", summary.In().Index)

	main := dsl.DAG[Shards, dsl.None](wt, "main").With(dsl.Parallelism(4))
	in := main.In()
	shards := dsl.Task(main, "list", list, Shards{Index: in.Index})
	each := dsl.ForEach(main, "process", process, dsl.FromList(shards.Out().Shards), func(shard dsl.Expr[string]) Shard {
		return Shard{Index: in.Index, Shard: shard}
	}).After(shards)
	dsl.Task(main, "summarize", summary, Shards{Index: in.Index}).After(each)

	wt.Entrypoint(main)
	return lib
}
