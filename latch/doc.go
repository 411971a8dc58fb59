// Package latch generates fan-in over a dynamic set of members, kept in
// etcd and driven by HTTP templates (package etcdgw): no pod per
// operation.
//
//	l := latch.New(g, latch.Options{})
//	dsl.Task(main, "init", l.Init(), latch.InitArgs{ID: id, Members: shards})
//	a := dsl.Task(each, "arrive", l.Arrive(), latch.ArriveArgs{ID: id, Member: shard, Members: shards})
//	dsl.Task(each, "replay", replay, ...).After(a).When(a.Out().Finalize)
//
// Init records the expected member ids once. A latch with no members is
// complete at its init: then exactly one init returns Finalize true, and
// its caller runs the continuation (no arrival will):
//
//	ini := dsl.Task(main, "init", l.Init(), latch.InitArgs{ID: id, Members: shards})
//	dsl.Task(main, "replay-none", replay, ...).After(ini).When(ini.Out().Finalize)
//
// Arrive puts the member's own
// key (an idempotent put into a set: an arrival retried after a lost
// answer, or delivered twice, counts once) and counts the members' keys in
// the same transaction; the arrivals that find the set complete hold a
// create-if-absent election on the key "finalized", and exactly one of
// them, over all retries and duplicate deliveries, gets Finalize true.
// Wait is a step that blocks, by polling, until every member arrived.
//
// Keys: <prefix>/latch/<id>/expected, .../members/<member>, .../inits,
// .../finalized. See docs/records.md.
package latch
