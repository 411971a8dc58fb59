package etcdgw

import (
	"github.com/migratekit/migrate/dsl"
)

// The gateway's answers, as far as the readers below use them. Field names
// are the gateway's JSON names; int64 values are strings.
type (
	// KV is a key-value pair of a range answer.
	KV struct {
		Key            string `json:"key"`
		Value          string `json:"value"`
		CreateRevision string `json:"create_revision"`
		ModRevision    string `json:"mod_revision"`
		Version        string `json:"version"`
		Lease          string `json:"lease"`
	}
	// Header is the header of every answer.
	ResponseHeader struct {
		Revision string `json:"revision"`
	}
	// RangeResponse is the answer of /v3/kv/range.
	RangeResponse struct {
		Header ResponseHeader `json:"header"`
		KVs    []KV           `json:"kvs"`
		Count  string         `json:"count"`
	}
	// TxnResponse is the answer of /v3/kv/txn.
	TxnResponse struct {
		Header    ResponseHeader `json:"header"`
		Succeeded bool           `json:"succeeded"`
	}
	// LeaseResponse is the answer of /v3/lease/grant.
	LeaseResponse struct {
		ID  string `json:"ID"`
		TTL string `json:"TTL"`
	}
)

// CASArgs are the inputs of the compare-and-swap template.
type CASArgs struct {
	Key   dsl.Expr[string] `desc:"full etcd key"`
	Rev   dsl.Expr[string] `desc:"mod_revision the key must still have; 0 when it must be absent"`
	Value dsl.Expr[string] `desc:"value to store, as text"`
	Lease dsl.Expr[string] `desc:"id of the lease to attach the key to; 0 for none" default:"0"`
}

// CAS is the compare-and-swap template "etcd-cas": one transaction that puts
// Value at Key when Key's mod_revision is still Rev ("0": Key is absent),
// and answers the key as stored. It fails, without retries, when another
// writer got there first; a repeated request whose earlier try succeeded
// succeeds (see CheckHolds). Read the new revision with Revision.
func (g *Gateway) CAS() dsl.Template[CASArgs, dsl.None] {
	return Define(g, Request[CASArgs]{
		Name:  "etcd-cas",
		Path:  "/v3/kv/txn",
		Body:  func(in CASArgs) []any { return CASBody(in.Key, in.Rev, in.Value, in.Lease) },
		Check: CheckHolds,
	})
}

// CASBody is the body of the compare-and-swap transaction of CAS.
func CASBody(key, rev, value, lease dsl.Expr[string]) []any {
	return casBody(key, rev, value, lease, nil)
}

// CASTouchBody is CASBody that also puts the key touch (empty) whether the
// swap happens or not: the transaction is a write either way, so the
// revision in its answer's header is this request's own. The answers CAS's
// readers look at (Revision, CheckHolds) are where CASBody has them.
func CASTouchBody(key, rev, value, lease, touch dsl.Expr[string]) []any {
	return casBody(key, rev, value, lease, []any{`,{"request_put":{"key":"`, dsl.B64Enc(touch), `"}}`})
}

func casBody(key, rev, value, lease dsl.Expr[string], also []any) []any {
	k := dsl.B64Enc(key)
	body := []any{
		`{"compare":[{"target":"MOD","key":"`, k, `","mod_revision":"`, rev, `"}],` +
			`"success":[{"request_put":{"key":"`, k, `","value":"`, dsl.B64Enc(value), `","lease":"`, lease, `"}},` +
			`{"request_range":{"key":"`, k, `"}}`,
	}
	body = append(body, also...)
	body = append(body, `],"failure":[{"request_range":{"key":"`, k, `"}}`)
	body = append(body, also...)
	return append(body, `]}`)
}

// Revision is the mod_revision of the key after a CAS call that succeeded:
// the last answer of its transaction is always the range of the key.
func Revision(casResult dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Cond(Succeeded(casResult),
		dsl.JSONPath[string](casResult, "$.responses[1].response_range.kvs[0].mod_revision"),
		dsl.JSONPath[string](casResult, "$.responses[0].response_range.kvs[0].mod_revision"))
}

// CreateArgs are the inputs of the create-if-absent template.
type CreateArgs struct {
	Key   dsl.Expr[string] `desc:"full etcd key"`
	Value dsl.Expr[string] `desc:"value to store when the key is absent, as text"`
}

// Create is the election template "etcd-create": one transaction that puts
// Value at Key only when Key is absent, and otherwise answers the stored
// value. It succeeds either way; HoldsValue tells the winner.
func (g *Gateway) Create() dsl.Template[CreateArgs, dsl.None] {
	return Define(g, Request[CreateArgs]{
		Name: "etcd-create",
		Path: "/v3/kv/txn",
		Body: func(in CreateArgs) []any {
			k := dsl.B64Enc(in.Key)
			return []any{
				`{"compare":[{"target":"CREATE","key":"`, k, `","create_revision":"0"}],` +
					`"success":[{"request_put":{"key":"`, k, `","value":"`, dsl.B64Enc(in.Value), `"}}],` +
					`"failure":[{"request_range":{"key":"`, k, `"}}]}`,
			}
		},
	})
}

// HoldsValue is true when a Create or CAS answer shows that the key holds
// value: the transaction succeeded, or the stored value it answered equals
// value (an earlier identical request won). value must be the Value the
// request was called with.
func HoldsValue(result, value dsl.Expr[string]) dsl.Expr[bool] {
	return dsl.Or(Succeeded(result),
		dsl.Eq(dsl.JSONPath[string](result, "$.responses[0].response_range.kvs[0].value"), dsl.B64Enc(value)))
}

// Succeeded is true when a transaction answer says its compares held
// (proto3 JSON leaves "succeeded" out when false).
func Succeeded(txnResult dsl.Expr[string]) dsl.Expr[bool] {
	return dsl.Eq(dsl.Get[bool](dsl.FromJSON[TxnResponse](txnResult), "succeeded"), dsl.Lit(true))
}

// LeaseArgs are the inputs of the lease template.
type LeaseArgs struct {
	TTL dsl.Expr[int] `desc:"seconds the lease lives"`
}

// Lease is the template "etcd-lease", granting a lease of TTL seconds;
// LeaseID reads its id. Keys attached to the lease are deleted by etcd when
// it expires.
func (g *Gateway) Lease() dsl.Template[LeaseArgs, dsl.None] {
	return Define(g, Request[LeaseArgs]{
		Name: "etcd-lease",
		Path: "/v3/lease/grant",
		Body: func(in LeaseArgs) []any { return []any{`{"TTL":"`, dsl.ToString(in.TTL), `"}`} },
	})
}

// LeaseID is the id of the lease a Lease call granted.
func LeaseID(leaseResult dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Get[string](dsl.FromJSON[LeaseResponse](leaseResult), "ID")
}

// Found is true when a range answer holds a key.
func Found(rangeResult dsl.Expr[string]) dsl.Expr[bool] {
	return dsl.Ne(dsl.Default(dsl.Get[string](dsl.FromJSON[RangeResponse](rangeResult), "count"), "0"), dsl.Lit("0"))
}

// RangeBody is the body of a range request for one key.
func RangeBody(key dsl.Expr[string]) []any {
	return []any{`{"key":"`, dsl.B64Enc(key), `"}`}
}

// Dir is the range of every key below dir: the key dir + "/" and the
// range end dir + "0" ("0" is the byte after "/").
func Dir(dir dsl.Expr[string]) (key, end dsl.Expr[string]) {
	return dsl.Concat(dir, dsl.Lit("/")), dsl.Concat(dir, dsl.Lit("0"))
}
