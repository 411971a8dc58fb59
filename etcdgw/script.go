package etcdgw

import (
	"fmt"
	"strings"

	"github.com/migratekit/migrate/dsl"
)

// checkFailedExit is the exit code of a container-back-end operation whose
// request reached etcd but failed its check; it is not retried.
const checkFailedExit = 3

// scriptSource sends the request with curl, prints the answer (the step's
// result, like an HTTP template's) and applies the check with jq. Exit
// codes: 0 success, 2 no 200 answer (retried), 3 check failed (not retried).
const scriptSource = `set -u
REQ=$(mktemp) RESP=$(mktemp)
printf '%s' "$BODY" >"$REQ"
set -- -sS -o "$RESP" -w '%{http_code}' --max-time "$TIMEOUT" -X POST -H 'Content-Type: application/json' --data-binary "@$REQ"
i=0
while [ "$i" -lt "$HEADERS" ]; do
  eval "set -- \"\$@\" -H \"\$HEADER_$i\""
  i=$((i + 1))
done
if [ -n "${AUTH_VALUE:-}" ]; then set -- "$@" -H "$AUTH_HEADER: $AUTH_VALUE"; fi
code=$(curl "$@" "$URL") || { echo "request to $URL failed" >&2; exit 2; }
cat "$RESP"
[ "$code" = 200 ] || { echo "etcd answered $code: $(cat "$RESP")" >&2; exit 2; }
jq -e --argjson req "$(cat "$REQ")" "$CHECK" "$RESP" >/dev/null || { echo "check failed: $CHECK" >&2; exit 3; }
`

// script is the container back-end of a request: the same URL, headers and
// body as the HTTP template, sent by curl from a pod.
func script[I any](g *Gateway, r Request[I]) dsl.Template[I, dsl.None] {
	t := dsl.Script[I, dsl.None](g.wt, r.Name)
	check := r.Check.JQ
	if check == "" {
		check = "true"
	}
	t.Image(g.cfg.Image).
		Command("sh").
		Source(scriptSource).
		Env("URL", dsl.Concat(g.cfg.Endpoint, dsl.Lit(r.Path))).
		Env("BODY", text(r.Body(t.In()))).
		Env("TIMEOUT", dsl.Lit(fmt.Sprint(g.timeout()))).
		Env("HEADERS", dsl.Lit(fmt.Sprint(len(r.Headers)))).
		Env("CHECK", dsl.Lit(check))
	for i, h := range r.Headers {
		t.Env(fmt.Sprintf("HEADER_%d", i), dsl.Concat(dsl.Lit(h.Name+": "), h.Value))
	}
	if g.cfg.AuthSecret != "" {
		name := g.cfg.AuthHeader
		if name == "" {
			name = "Authorization"
		}
		t.Env("AUTH_HEADER", dsl.Lit(name)).EnvFromSecret("AUTH_VALUE", g.cfg.AuthSecret, g.cfg.AuthKey)
	}
	t.With(g.retry(r.Poll))
	return t.Template
}

// text joins body parts (strings and string Exprs) into one Expr.
// Adjacent strings are one literal, as the HTTP back-end joins them.
// Literal text is cut between doubled braces: "}}" inside the rendered
// {{=...}} would end it early.
func text(parts []any) dsl.Expr[string] {
	var es []dsl.Expr[string]
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			for _, piece := range splitBraces(lit.String()) {
				es = append(es, dsl.Lit(piece))
			}
			lit.Reset()
		}
	}
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			lit.WriteString(v)
		case dsl.Expr[string]:
			flush()
			es = append(es, v)
		}
	}
	flush()
	return dsl.Concat(es...)
}

// splitBraces cuts s between the two characters of every "{{" and "}}".
func splitBraces(s string) []string {
	var out []string
	start := 0
	for i := 1; i < len(s); i++ {
		if (s[i] == '}' && s[i-1] == '}') || (s[i] == '{' && s[i-1] == '{') {
			out = append(out, s[start:i])
			start = i
		}
	}
	return append(out, s[start:])
}
