package latch

import (
	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
)

func init() { dsl.Helper() } // positions land on the user's calls

// InitArgs are the inputs of "latch-init".
type InitArgs struct {
	ID      dsl.Expr[string]   `desc:"latch id, unique per fan-in (include the plan's checksum)"`
	Members dsl.Expr[[]string] `desc:"JSON list of the ids of the members expected to arrive"`
}

// ArriveArgs are the inputs of "latch-arrive".
type ArriveArgs struct {
	ID      dsl.Expr[string]   `desc:"latch id"`
	Member  dsl.Expr[string]   `desc:"id of the arriving member"`
	Members dsl.Expr[[]string] `desc:"JSON list of the expected members, as given to latch-init"`
}

// Arrival is what "latch-arrive" tells its caller.
type Arrival struct {
	Finalize dsl.Expr[bool] `desc:"true for exactly one arrival of the latch: the one that runs the continuation"`
	Arrived  dsl.Expr[int]  `desc:"members arrived when this one did, itself included"`
}

// WaitArgs are the inputs of "latch-wait".
type WaitArgs struct {
	ID dsl.Expr[string] `desc:"latch id"`
}

// Latch hands out the latch templates of one gateway's WorkflowTemplate.
type Latch struct {
	g     *etcdgw.Gateway
	waits int
}

// Options configure the latch templates; the zero value works.
type Options struct {
	// WaitRetries bounds how often latch-wait asks again before failing
	// (5s, doubling, at most 1h in all); default 30.
	WaitRetries int
}

// New returns the latch templates kept by g.
func New(g *etcdgw.Gateway, o Options) *Latch {
	if o.WaitRetries == 0 {
		o.WaitRetries = 30
	}
	return &Latch{g: g, waits: o.WaitRetries}
}

func (l *Latch) dir(id dsl.Expr[string]) dsl.Expr[string] {
	return l.g.Key(dsl.Lit("latch"), id)
}

func (l *Latch) expectedKey(id dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Concat(l.dir(id), dsl.Lit("/expected"))
}

// expected is the stored form of a member list: its compact JSON, so that
// init and arrivals agree however the list was formatted.
func expected(members dsl.Expr[[]string]) dsl.Expr[string] {
	return dsl.ToJSON(dsl.FromJSON[[]string](dsl.ToJSON(members)))
}

// Initialized is what "latch-init" tells its caller.
type Initialized struct {
	Finalize dsl.Expr[bool] `desc:"true for exactly one init of a latch with no members: no arrival will finalize it, so the init's caller runs the continuation"`
}

// Init is the DAG "latch-init": it records the expected members of latch
// ID, once (a create-if-absent transaction). Calling it again with the
// same members succeeds and changes nothing; with other members it fails:
// a new member set is a new latch, with a new id. A latch with no members
// is complete at once: its init holds the finalize election that
// arrivals hold otherwise, and exactly one init of it, however often it
// runs, returns Finalize true. One request, two for an empty latch.
func (l *Latch) Init() dsl.Template[InitArgs, Initialized] {
	return etcdgw.Once(l.g, "latch-init", func() dsl.Template[InitArgs, Initialized] {
		record := etcdgw.Define(l.g, etcdgw.Request[InitArgs]{
			Name: "latch-expect",
			Path: "/v3/kv/txn",
			// A create-if-absent of the member list (a CAS from revision 0)
			// that also puts the key "inits": every init is a write, so the
			// revision etcd answers is this init's own (the token of its
			// election below).
			Body: func(in InitArgs) []any {
				return etcdgw.CASTouchBody(l.expectedKey(in.ID), dsl.Lit("0"), expected(in.Members), dsl.Lit("0"),
					dsl.Concat(l.dir(in.ID), dsl.Lit("/inits")))
			},
			Check: etcdgw.CheckHolds,
		})
		d := dsl.DAG[InitArgs, Initialized](l.g.WorkflowTemplate(), "latch-init")
		in := d.In()
		rec := dsl.Task(d, "expect", record, in)
		empty := dsl.Eq(dsl.Len(in.Members), dsl.Lit(0))
		// This init's token: the revision of its transaction's writes,
		// unique to the delivery, the same when the election is retried
		// (as Arrive's).
		token := dsl.Concat(dsl.Lit(`{"init":`), dsl.ToJSON(dsl.JSONPath[string](rec.Result(), "$.header.revision")), dsl.Lit(`}`))
		elect := dsl.Task(d, "finalize", l.g.Create(), etcdgw.CreateArgs{
			Key:   dsl.Concat(l.dir(in.ID), dsl.Lit("/finalized")),
			Value: token,
		}).After(rec).When(empty)
		d.Outputs(Initialized{Finalize: dsl.And(empty, etcdgw.HoldsValue(elect.Result(), token))})
		return d.Template
	})
}

// put is "latch-put": one transaction that, when the stored member list
// equals the caller's and the caller's list holds the member, puts the
// member's key and counts the members' keys. It fails otherwise: the latch
// was not initialized, or with other members, or the member is foreign.
func (l *Latch) put() dsl.Template[ArriveArgs, dsl.None] {
	return etcdgw.Define(l.g, etcdgw.Request[ArriveArgs]{
		Name: "latch-put",
		Path: "/v3/kv/txn",
		Body: func(in ArriveArgs) []any {
			from, end := etcdgw.Dir(dsl.Concat(l.dir(in.ID), dsl.Lit("/members")))
			want := dsl.Cond(dsl.In(in.Member, in.Members), dsl.B64Enc(expected(in.Members)), dsl.Lit(""))
			return []any{
				`{"compare":[{"target":"VALUE","key":"`, dsl.B64Enc(l.expectedKey(in.ID)), `","value":"`, want, `"}],` +
					`"success":[{"request_put":{"key":"`, dsl.B64Enc(dsl.Concat(from, in.Member)), `","value":"`, dsl.B64Enc(memberValue(in.Member)), `"}},` +
					`{"request_range":{"key":"`, dsl.B64Enc(from), `","range_end":"`, dsl.B64Enc(end), `","count_only":true}}],` +
					`"failure":[{"request_range":{"key":"`, dsl.B64Enc(l.expectedKey(in.ID)), `"}}]}`,
			}
		},
		Check: etcdgw.CheckSucceeded,
	})
}

func memberValue(member dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Concat(dsl.Lit(`{"member":`), dsl.ToJSON(member),
		dsl.Lit(`,"owner":{"uid":`), dsl.ToJSON(dsl.WorkflowUID),
		dsl.Lit(`,"name":`), dsl.ToJSON(dsl.WorkflowName), dsl.Lit(`} }`)) // not "}}": it would end the {{=...}} tag
}

// Arrive is the DAG "latch-arrive": the member's arrival, then, when every
// member has arrived, the finalize election. Exactly one arrival of a latch
// returns Finalize true, however often members arrive, are retried or are
// delivered twice; run the continuation when it is true. One request per
// arrival, two for arrivals that find the set complete.
func (l *Latch) Arrive() dsl.Template[ArriveArgs, Arrival] {
	return etcdgw.Once(l.g, "latch-arrive", func() dsl.Template[ArriveArgs, Arrival] {
		d := dsl.DAG[ArriveArgs, Arrival](l.g.WorkflowTemplate(), "latch-arrive")
		in := d.In()
		put := dsl.Task(d, "arrive", l.put(), in)
		// int64 values come as JSON strings: compare the count as text.
		count := dsl.JSONPath[string](put.Result(), "$.responses[1].response_range.count")
		all := dsl.Eq(count, dsl.ToString(dsl.Len(in.Members)))
		// The token of this arrival: the revision etcd gave its put. It is
		// unique to this delivery and stays the same when the election is
		// retried, which makes the election idempotent per delivery.
		// (Only inputs and task results: a DAG's outputs cannot read
		// workflow variables.)
		token := dsl.Concat(dsl.Lit(`{"member":`), dsl.ToJSON(in.Member),
			dsl.Lit(`,"revision":`), dsl.ToJSON(dsl.JSONPath[string](put.Result(), "$.header.revision")), dsl.Lit(`}`))
		elect := dsl.Task(d, "finalize", l.g.Create(), etcdgw.CreateArgs{
			Key:   dsl.Concat(l.dir(in.ID), dsl.Lit("/finalized")),
			Value: token,
		}).After(put).When(all)
		d.Outputs(Arrival{
			Finalize: dsl.And(all, etcdgw.HoldsValue(elect.Result(), token)),
			Arrived:  dsl.JSONPath[int](put.Result(), "$.responses[1].response_range.count"),
		})
		return d.Template
	})
}

// complete is latch-wait's check: the members' keys are as many as the
// stored member list has entries.
var complete = etcdgw.Check{
	Expr: `fromJSON(response.body).responses?.[1]?.response_range?.kvs != nil && ` +
		`int(fromJSON(response.body).responses[0].response_range.count ?? "0") == ` +
		`len(fromJSON(fromBase64(fromJSON(response.body).responses[1].response_range.kvs[0].value)))`,
	JQ: `.responses[1].response_range.kvs != null and ` +
		`((.responses[0].response_range.count // "0") | tonumber) == (.responses[1].response_range.kvs[0].value | @base64d | fromjson | length)`,
}

// Wait is the template "latch-wait": it succeeds once every expected member
// of latch ID has arrived, and is retried (polling, no pod) until then.
// One request per poll.
func (l *Latch) Wait() dsl.Template[WaitArgs, dsl.None] {
	return etcdgw.Define(l.g, etcdgw.Request[WaitArgs]{
		Name: "latch-wait",
		Path: "/v3/kv/txn",
		Body: func(in WaitArgs) []any {
			from, end := etcdgw.Dir(dsl.Concat(l.dir(in.ID), dsl.Lit("/members")))
			return []any{
				`{"success":[{"request_range":{"key":"`, dsl.B64Enc(from), `","range_end":"`, dsl.B64Enc(end), `","count_only":true}},` +
					`{"request_range":{"key":"`, dsl.B64Enc(l.expectedKey(in.ID)), `"}}]}`,
			}
		},
		Check: complete,
		Poll: &dsl.Retry{
			Limit:   l.waits,
			Policy:  dsl.RetryAlways,
			Backoff: &dsl.Backoff{Duration: "5s", Factor: 2, MaxDuration: "1h"},
		},
	})
}
