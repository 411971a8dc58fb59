package memo

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
)

func init() { dsl.Helper() } // positions land on the user's calls

// Spec says how a wrapped step is memoized.
type Spec[I any] struct {
	// Key names the record, below <prefix>/memo/: one record per thing the
	// step creates (e.g. "snapshot/" + the source name). Required.
	Key func(in I) dsl.Expr[string]
	// Checksum is the checksum of everything the step's result depends on:
	// its inputs and the checksums of the steps upstream of it (see
	// Checksum and Text; an upstream wrapper's Checksum(args) gives its
	// checksum, to pass in an input). A complete record with another checksum is stale:
	// the step runs again. Default: the checksum of every input, each named
	// and as text (Text), in the order of I's fields. A Checksum of your own
	// must read every input or name the ones it leaves out in Exclude:
	// Build refuses one that leaves an input out silently, since a change
	// of that input would then adopt a stale record.
	Checksum func(in I) dsl.Expr[string]
	// Exclude names (as parameters are named: "source", or the name tag)
	// the inputs the result does not depend on, which the checksum leaves
	// out on purpose: a lease, a log level, an input the key already holds.
	Exclude []string
	// LeaseSeconds is the life of a claim's lease: how long a pending
	// record outlives a workflow that vanished without recording an outcome
	// (deleted or terminated). It must exceed the step's longest run;
	// default 86400 (one day).
	LeaseSeconds int
	// Lease, when set, computes the lease's seconds from the inputs (a
	// workflow parameter, say) instead of LeaseSeconds.
	Lease func(in I) dsl.Expr[int]
	// WaitRetries bounds how often a record held by another live workflow
	// is read again before the wrapper gives up (5s, doubling, at most 1h in
	// all); default 20.
	WaitRetries int
}

// AcquireArgs are the inputs of the shared "memo-acquire" template.
type AcquireArgs struct {
	Key      dsl.Expr[string] `desc:"full etcd key of the record"`
	Checksum dsl.Expr[string] `desc:"checksum of the step's inputs"`
	Step     dsl.Expr[string] `desc:"name of the memoized template, for the record"`
	TTL      dsl.Expr[int]    `desc:"seconds the claim's lease lives"`
}

// Acquired is what "memo-acquire" decides.
type Acquired struct {
	Adopt   dsl.Expr[bool]   `desc:"a complete record with the same checksum exists: use its outputs, skip the step"`
	Record  dsl.Expr[string] `desc:"the adopted record (JSON), empty when the step runs"`
	Rev     dsl.Expr[string] `desc:"mod_revision of this workflow's claim, 0 when adopted"`
	Attempt dsl.Expr[string] `desc:"number of this claim"`
}

// ReadArgs are the inputs of "memo-read".
type ReadArgs struct {
	Key dsl.Expr[string] `desc:"full etcd key of the record"`
}

// ownerHeader carries the workflow's uid to the read's success condition,
// which may see the request but not the workflow's variables.
const ownerHeader = "X-Migrate-Owner"

// notHeldByOther is the check of "memo-read": the record is absent, not
// pending, or pending for this very workflow. A pending record of another
// workflow fails the check, and the read is retried until that workflow
// records an outcome or its claim's lease expires (etcd then deletes the
// record).
var notHeldByOther = etcdgw.Check{
	Expr: `fromJSON(response.body).kvs == nil || (let rec = fromJSON(fromBase64(fromJSON(response.body).kvs[0].value)); ` +
		`rec.state != "pending" || rec.owner.uid == request.headers["` + ownerHeader + `"][0])`,
	JQ: `.kvs == null or (.kvs[0].value | @base64d | fromjson | .state != "pending" or .owner.uid == ($ENV.HEADER_0 | sub("^[^:]*: "; "")))`,
}

// absent is the record read when there is none.
// Braces are spaced: "}}" would end the {{=...}} tag it is rendered in.
const absent = `{"state":"absent","checksum":"","attempt":0,"owner":{"uid":"","name":""},"outputs":{ } }`

// read returns the "memo-read" template.
func read(g *etcdgw.Gateway, waits int) dsl.Template[ReadArgs, dsl.None] {
	return etcdgw.Define(g, etcdgw.Request[ReadArgs]{
		Name:    "memo-read",
		Path:    "/v3/kv/range",
		Body:    func(in ReadArgs) []any { return etcdgw.RangeBody(in.Key) },
		Headers: []etcdgw.Header{{Name: ownerHeader, Value: dsl.WorkflowUID}},
		Check:   notHeldByOther,
		Poll: &dsl.Retry{
			Limit:   waits,
			Policy:  dsl.RetryAlways,
			Backoff: &dsl.Backoff{Duration: "5s", Factor: 2, MaxDuration: "1h"},
		},
	})
}

// recordOf is the record text in a range answer, or the absent record.
func recordOf(rangeResult dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Cond(etcdgw.Found(rangeResult),
		dsl.B64Dec(dsl.JSONPath[string](rangeResult, "$.kvs[0].value")),
		dsl.Lit(absent))
}

// revOf is the mod_revision in a range answer, 0 when the key is absent.
func revOf(rangeResult dsl.Expr[string]) dsl.Expr[string] {
	return dsl.Cond(etcdgw.Found(rangeResult),
		dsl.JSONPath[string](rangeResult, "$.kvs[0].mod_revision"),
		dsl.Lit("0"))
}

func field(record dsl.Expr[string], path string) dsl.Expr[string] {
	return dsl.JSONPath[string](record, "$."+path)
}

// acquire returns the "memo-acquire" DAG: read the record (waiting while
// another live workflow holds it); adopt it when it is complete with the
// same checksum; otherwise take a lease and claim the record by a
// compare-and-swap on the revision read.
func acquire(g *etcdgw.Gateway, waits int) dsl.Template[AcquireArgs, Acquired] {
	return etcdgw.Once(g, "memo-acquire", func() dsl.Template[AcquireArgs, Acquired] {
		// A claim that lost a race to another workflow fails the DAG; the
		// retry reads again, waits for the winner and adopts its outcome.
		d := dsl.DAG[AcquireArgs, Acquired](g.WorkflowTemplate(), "memo-acquire").
			With(dsl.Retry{Limit: 3, Policy: dsl.RetryAlways, Backoff: &dsl.Backoff{Duration: "1s", Factor: 2}})
		in := d.In()
		rd := dsl.Task(d, "read", read(g, waits), ReadArgs{Key: in.Key})
		rec := recordOf(rd.Result())
		adopt := dsl.And(
			dsl.Eq(field(rec, "state"), dsl.Lit("complete")),
			dsl.Eq(field(rec, "checksum"), in.Checksum))
		attempt := dsl.ToString(dsl.Add(dsl.JSONPath[int](rec, "$.attempt"), dsl.Lit(1)))
		lease := dsl.Task(d, "lease", g.Lease(), etcdgw.LeaseArgs{TTL: in.TTL}).
			After(rd).When(dsl.Not(adopt))
		claim := dsl.Task(d, "claim", g.CAS(), etcdgw.CASArgs{
			Key: in.Key,
			Rev: revOf(rd.Result()),
			Value: record(map[string]dsl.Expr[string]{
				"state":    dsl.Lit("pending"),
				"step":     in.Step,
				"checksum": in.Checksum,
				"lease":    etcdgw.LeaseID(lease.Result()),
			}, attempt, nil),
			Lease: etcdgw.LeaseID(lease.Result()),
		}).Depends(lease.Succeeded())
		d.Outputs(Acquired{
			Adopt:   adopt,
			Record:  dsl.Cond(adopt, rec, dsl.Lit("")),
			Rev:     dsl.Cond(adopt, dsl.Lit("0"), etcdgw.Revision(claim.Result())),
			Attempt: dsl.Cond(adopt, field(rec, "attempt"), attempt),
		})
		return d.Template
	})
}

// record is the JSON text of a record: the given string fields, the
// attempt number, the owner (this workflow) and the outputs, in a fixed
// order (see docs/records.md).
func record(fields map[string]dsl.Expr[string], attempt dsl.Expr[string], outputs []output) dsl.Expr[string] {
	parts := []dsl.Expr[string]{dsl.Lit("{")}
	lit := func(s string) { parts = append(parts, dsl.Lit(s)) }
	for i, name := range []string{"state", "step", "checksum", "lease", "reason"} {
		v, ok := fields[name]
		if !ok {
			continue
		}
		if i > 0 {
			lit(",")
		}
		lit(`"` + name + `":`)
		parts = append(parts, dsl.ToJSON(v))
	}
	lit(`,"attempt":`)
	parts = append(parts, attempt)
	lit(`,"owner":{"uid":`)
	parts = append(parts, dsl.ToJSON(dsl.WorkflowUID))
	lit(`,"name":`)
	parts = append(parts, dsl.ToJSON(dsl.WorkflowName))
	lit(`},"workflowCreatedAt":`)
	parts = append(parts, dsl.ToJSON(dsl.WorkflowCreationTimestamp))
	lit(`,"outputs":{`)
	for i, o := range outputs {
		if i > 0 {
			lit(",")
		}
		lit(quoteJSON(o.name) + ":")
		parts = append(parts, dsl.ToJSON(o.text))
	}
	lit("} }") // not "}}", which would end the {{=...}} tag
	return dsl.Concat(parts...)
}

type output struct {
	name string
	text dsl.Expr[string]
}

func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Wrap defines the DAG template name in the gateway's WorkflowTemplate:
// step, memoized. The wrapper has step's inputs and outputs. It reads the
// record of spec.Key; when the record is complete with the checksum
// spec.Checksum, it skips step and returns the recorded outputs; otherwise
// it claims the record, runs step and records the outcome: complete with
// the outputs and the checksum, or failed (errored) with the reason. See the
// package documentation for the protocol.
func Wrap[I, O any](g *etcdgw.Gateway, name string, step dsl.Template[I, O], spec Spec[I]) *Wrapped[I, O] {
	w := dsl.DAG[I, O](g.WorkflowTemplate(), name)
	in := w.In()
	var key dsl.Expr[string]
	if spec.Key != nil {
		key = g.Key(dsl.Lit("memo"), spec.Key(in))
	} else {
		g.WorkflowTemplate().Misuse(fmt.Sprintf("memo.Wrap %q: Spec.Key is not set: name the record of what the step creates, e.g. dsl.Concat(dsl.Lit(\"snapshot/\"), in.Source)", name))
		// Build the wrapper anyway: no further errors about the same mistake.
		key = g.Key(dsl.Lit("memo"), dsl.Lit("key-not-set"))
	}
	sum := checksumOf(g.WorkflowTemplate(), name, in, spec, true)
	ttl := spec.LeaseSeconds
	if ttl == 0 {
		ttl = 86400
	}
	waits := spec.WaitRetries
	if waits == 0 {
		waits = 20
	}
	lease := dsl.Lit(ttl)
	if spec.Lease != nil {
		lease = spec.Lease(in)
	}
	acq := dsl.Task(w, "acquire", acquire(g, waits), AcquireArgs{
		Key: key, Checksum: sum, Step: dsl.Lit(step.Name()), TTL: lease,
	})
	got := acq.Out()
	run := dsl.Task(w, "run", step, in).After(acq).When(dsl.Not(got.Adopt))

	// The outputs, as text, fresh from the step.
	ov := reflect.ValueOf(run.Out())
	var outs []output
	for i := 0; i < ov.NumField(); i++ {
		f := ov.Type().Field(i)
		if !f.IsExported() || !f.Type.ConvertibleTo(exprString) {
			continue
		}
		outs = append(outs, output{name: dsl.ParamName(f), text: textOf(ov.Field(i))})
	}
	done := func(state, reason string, outputs []output) dsl.Expr[string] {
		fields := map[string]dsl.Expr[string]{"state": dsl.Lit(state), "step": dsl.Lit(step.Name()), "checksum": sum}
		if reason != "" {
			fields["reason"] = dsl.Lit(reason)
		}
		return record(fields, got.Attempt, outputs)
	}
	outcome := func(task, state, reason string, dep dsl.Dep, outputs []output) {
		dsl.Task(w, task, g.CAS(), etcdgw.CASArgs{
			Key: key, Rev: got.Rev, Value: done(state, reason, outputs), Lease: dsl.Lit("0"),
		}).Depends(dep)
	}
	outcome("complete", "complete", "", run.Succeeded(), outs)
	outcome("record-failure", "failed", fmt.Sprintf("template %s failed", step.Name()), run.Failed(), nil)
	outcome("record-error", "failed", fmt.Sprintf("template %s errored", step.Name()), run.Errored(), nil)

	// The wrapper's outputs: the recorded text when adopted, the step's
	// otherwise; both are the same text for the same values.
	res := reflect.New(reflect.TypeFor[O]()).Elem()
	for i := 0; i < res.NumField(); i++ {
		f := res.Type().Field(i)
		if !f.IsExported() || !f.Type.ConvertibleTo(exprString) {
			continue
		}
		name := dsl.ParamName(f)
		var fresh dsl.Expr[string]
		for _, o := range outs {
			if o.name == name {
				fresh = o.text
			}
		}
		adopted := dsl.JSONPath[string](got.Record, "$.outputs['"+name+"']")
		res.Field(i).Set(fromText(dsl.Cond(got.Adopt, adopted, fresh), f.Type))
	}
	w.Outputs(res.Interface().(O))
	return &Wrapped[I, O]{DAGTemplate: w, wt: g.WorkflowTemplate(), name: name, spec: spec}
}

// Wrapped is a memoized step: the wrapper's DAG template, called like the
// step it wraps.
type Wrapped[I, O any] struct {
	*dsl.DAGTemplate[I, O]
	wt   *dsl.WorkflowTemplate
	name string
	spec Spec[I]
}

// Checksum is the checksum the wrapper records when called with args:
// pass it to a downstream step's input to chain the two, so that the
// downstream step runs again whenever this one's inputs change.
func (w *Wrapped[I, O]) Checksum(args I) dsl.Expr[string] {
	return checksumOf(w.wt, w.name, args, w.spec, false)
}

// checksumOf is the wrapper's checksum of its inputs in: spec.Checksum's,
// or by default every input not excluded, each named and as text. With
// report, inputs the checksum neither reads nor excludes, and excluded
// names that are no input, are recorded as misuse at the user's call.
func checksumOf[I any](wt *dsl.WorkflowTemplate, name string, in I, spec Spec[I], report bool) dsl.Expr[string] {
	v := reflect.ValueOf(in)
	var inputs []string
	var parts []dsl.Expr[string]
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() || !f.Type.ConvertibleTo(exprString) {
			continue
		}
		p := dsl.ParamName(f)
		inputs = append(inputs, p)
		if !slices.Contains(spec.Exclude, p) {
			parts = append(parts, dsl.Lit(p), textOf(v.Field(i)))
		}
	}
	for _, x := range spec.Exclude {
		if report && !slices.Contains(inputs, x) {
			wt.Misuse(fmt.Sprintf("memo.Wrap %q: Spec.Exclude names %q, which is not an input of the step (its inputs: %s)", name, x, strings.Join(inputs, ", ")))
		}
	}
	if spec.Checksum == nil {
		return Checksum(parts...)
	}
	sum := spec.Checksum(in)
	if !report {
		return sum
	}
	read := dsl.InputsRead(sum)
	for _, p := range inputs {
		if !slices.Contains(read, p) && !slices.Contains(spec.Exclude, p) {
			wt.Misuse(fmt.Sprintf("memo.Wrap %q: Spec.Checksum leaves out input %q, so a change of it would adopt a stale record: make it part of the checksum (memo.Text), or name it in Spec.Exclude if the step's result does not depend on it", name, p))
		}
	}
	return sum
}

// ForgetArgs are the inputs of "memo-forget".
type ForgetArgs struct {
	Dir dsl.Expr[string] `desc:"path below the memo prefix whose records are deleted, e.g. a unit's id"`
}

// Forget returns the template "memo-forget": one request deleting every
// record below Dir (the keys Dir/...), whatever their state. Run it before
// undoing what the records describe, so that no later run adopts work that
// was taken back. Deleting what is not there succeeds.
func Forget(g *etcdgw.Gateway) dsl.Template[ForgetArgs, dsl.None] {
	return etcdgw.Define(g, etcdgw.Request[ForgetArgs]{
		Name: "memo-forget",
		Path: "/v3/kv/deleterange",
		Body: func(in ForgetArgs) []any {
			key, end := etcdgw.Dir(g.Key(dsl.Lit("memo"), in.Dir))
			return []any{`{"key":"`, dsl.B64Enc(key), `","range_end":"`, dsl.B64Enc(end), `"}`}
		},
	})
}
