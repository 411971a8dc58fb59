package etcdgw

import (
	"github.com/migratekit/migrate/dsl"
)

// Check is what makes a bookkeeping request succeed, beyond a 200 answer:
// an expr-lang condition over Argo's `request` and `response` (the HTTP
// template's successCondition), and the same test as a jq program over the
// answer, for the container back-end, where $req is the request body and
// $ENV the container's environment.
type Check struct {
	Expr string
	JQ   string
}

// CheckOK accepts any 200 answer.
var CheckOK = Check{Expr: `true`, JQ: `true`}

// CheckSucceeded accepts a transaction whose compares held.
var CheckSucceeded = Check{
	Expr: `fromJSON(response.body).succeeded == true`,
	JQ:   `.succeeded == true`,
}

// CheckHolds accepts a compare-and-swap transaction (see CASArgs) after
// which the key holds the value the request puts: the swap happened now, or
// an earlier try of the same request made it and its answer was lost. A
// swap that lost to another writer fails.
var CheckHolds = Check{
	Expr: `fromJSON(response.body).succeeded == true || ` +
		`fromJSON(response.body).responses?.[0]?.response_range?.kvs?.[0]?.value == fromJSON(request.body).success[0].request_put.value`,
	JQ: `.succeeded == true or .responses[0].response_range.kvs[0].value == $req.success[0].request_put.value`,
}

// condition is the successCondition of a check: the check on a 200 answer;
// on any other status a non-boolean value, which Argo reports as an error
// that names the status and body. The two failures differ in their message
// ("successCondition ... evaluated false" or not), which the retry strategy
// uses to retry only the second.
func condition(c Check) string {
	e := c.Expr
	if e == "" {
		e = "true"
	}
	return `response.statusCode == 200 ? (` + e + `) : "etcd answered " + string(response.statusCode) + ": " + response.body`
}

// Request is one request to the gateway: the template name, the gateway
// path, the JSON body as parts (strings and Exprs of the template's own
// inputs), extra headers and the check.
type Request[I any] struct {
	Name    string
	Path    string           // e.g. "/v3/kv/txn"
	Body    func(in I) []any // JSON text with base64 keys and values
	Headers []Header         // sent besides Content-Type and credentials
	Check   Check            // zero: CheckOK
	Poll    *dsl.Retry       // retries when Check fails too (waiting); nil: only transport failures are retried
}

// Header is a request header computed from the template's inputs.
type Header struct {
	Name  string
	Value dsl.Expr[string]
}

// Define adds (once) the template of request r to the gateway's
// WorkflowTemplate and returns it. Its result (.Result() of a call) is the
// gateway's JSON answer.
func Define[I any](g *Gateway, r Request[I]) dsl.Template[I, dsl.None] {
	return Once(g, r.Name, func() dsl.Template[I, dsl.None] {
		if g.cfg.Image != "" {
			return script(g, r)
		}
		return httpTemplate(g, r)
	})
}

func (g *Gateway) retry(poll *dsl.Retry) dsl.Retry {
	if poll != nil {
		return *poll
	}
	n := g.cfg.Retries
	if n == 0 {
		n = 8
	}
	// Retry what did not reach etcd or got no 200 answer (etcd restarting,
	// no leader); a request that etcd answered and that failed its check
	// would fail again.
	return dsl.Retry{
		Limit:   n,
		Policy:  dsl.RetryAlways,
		Backoff: &dsl.Backoff{Duration: "1s", Factor: 2, MaxDuration: "2m"},
		If: dsl.And(
			dsl.Not(dsl.HasPrefix(dsl.LastRetryMessage, dsl.Lit("successCondition"))),
			dsl.Ne(dsl.LastRetryExitCode, dsl.Lit(checkFailedExit)),
		),
	}
}

func (g *Gateway) timeout() int64 {
	if g.cfg.TimeoutSeconds == 0 {
		return 10
	}
	return g.cfg.TimeoutSeconds
}

func httpTemplate[I any](g *Gateway, r Request[I]) dsl.Template[I, dsl.None] {
	t := dsl.HTTP[I, dsl.None](g.wt, r.Name, "POST")
	t.URL(g.cfg.Endpoint, r.Path).
		Header("Content-Type", "application/json")
	for _, h := range r.Headers {
		t.Header(h.Name, h.Value)
	}
	if g.cfg.AuthSecret != "" {
		name := g.cfg.AuthHeader
		if name == "" {
			name = "Authorization"
		}
		t.HeaderFromSecret(name, g.cfg.AuthSecret, g.cfg.AuthKey)
	}
	t.Body(r.Body(t.In())...).
		SuccessWhen(condition(r.Check)).
		TimeoutSeconds(g.timeout()).
		With(g.retry(r.Poll))
	return t.Template
}
