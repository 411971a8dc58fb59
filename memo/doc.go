// Package memo generates memoization around resource-creating steps: a
// wrapped step runs once per checksum of its inputs, whatever happens to
// the workflows that run it, and a workflow that finds it done adopts its
// outputs instead of running it again. The records live in etcd, read and
// written by HTTP templates (package etcdgw): bookkeeping costs no pod.
//
//	g := etcdgw.New(wt, etcdgw.Config{Endpoint: dsl.Lit("https://etcd:2379"), AuthSecret: "etcd-auth", AuthKey: "token"})
//	snap := memo.Wrap(g, "snapshot", create.Template, memo.Spec[SnapIn]{
//		Key: func(in SnapIn) dsl.Expr[string] { return dsl.Concat(dsl.Lit("snapshot/"), in.Source) },
//		// The checksum covers every input of create (source, size), unless
//		// Spec.Checksum says otherwise; Build refuses a Checksum that leaves
//		// an input out without naming it in Spec.Exclude.
//	})
//	s := dsl.Task(main, "snapshot", snap, SnapIn{...}) // s.Out() is create's outputs, typed
//
// # Protocol
//
// The wrapper reads the record <prefix>/memo/<key>. A complete record with
// the same checksum is adopted: the step is skipped and the wrapper's
// outputs are the recorded ones. Otherwise the wrapper claims the record,
// a compare-and-swap on the revision it read that puts a pending record
// attached to a fresh etcd lease; runs the step; and records the outcome,
// complete with the outputs and checksum or failed with the reason, by a
// compare-and-swap on the claim's revision. A pending record of another
// workflow is waited for (the read is retried) until that workflow records
// an outcome or its lease expires, when etcd deletes the record: that is
// how a vanished owner is detected without a pod or a clock. A workflow
// retried in place (same uid) takes its own pending record over at once.
// Every write is a transaction that is safe to send again after a lost
// answer. See docs/records.md for the key layout, the record format and
// the requests each path costs.
//
// # Record
//
//	{"state":"pending|complete|failed","step":"create-snapshot","checksum":"<hex sha256>",
//	 "lease":"<id, pending only>","reason":"<failed only>","attempt":1,
//	 "owner":{"uid":"<workflow uid>","name":"<workflow name>"},
//	 "workflowCreatedAt":"<RFC 3339>","outputs":{"<name>":"<text>"}}
//
// # Types
//
// Argo carries every value as text. The wrapper records each output as
// that text (a number or boolean in its usual form, a JSON value as its
// JSON text) and hands adopted outputs on as the same text, so a consumer
// reads an adopted output exactly as a fresh one, with the output's Go
// type. Outputs of any Go type are handled by converting between Expr
// types (an Expr[T] is the same struct for every T); see Text.
//
// Records are listed and garbage-collected by Client, Garbage and the
// migrate records and migrate gc commands.
package memo
