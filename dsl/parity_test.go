package dsl_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/argoproj/argo-workflows/v3/util/template"

	"github.com/migratekit/migrate/dsl"
)

// Parity: what the DSL renders must evaluate, in Argo's own substitution
// code (util/template, expr-lang with Argo's function environment), to the
// value the Go-side expression means. Values Argo provides are strings, as
// at run time.

type pin struct {
	Name    dsl.Expr[string]
	N       dsl.Expr[int]
	Ratio   dsl.Expr[float64]
	Flag    dsl.Expr[bool]
	List    dsl.Expr[[]string]
	Dash    dsl.Expr[string] `name:"my-param"`
	Record  dsl.Expr[string]
	Encoded dsl.Expr[string]
}

type pout struct {
	Ready dsl.Expr[bool] `name:"is-ready"`
	Count dsl.Expr[int]  `name:"count"`
	Hosts dsl.Expr[[]string]
	Text  dsl.Expr[string]
}

type record struct {
	State   string         `json:"state"`
	Attempt int            `json:"attempt"`
	Outputs map[string]any `json:"outputs"`
	Owner   owner          `json:"owner"`
	Reason  string         `json:"reason"` // absent from the sample record
}

type owner struct {
	UID string `json:"uid"`
}

type hostItem struct {
	Name string `json:"name"`
	Zone string `json:"zone"`
}

type parityCase struct {
	name string
	expr interface{ String() string }
	want string
}

func TestParity(t *testing.T) {
	lib := dsl.NewLibrary("parity")
	wt := lib.WorkflowTemplate("parity")
	tm := dsl.Container[pin, pout](wt, "t")
	in := tm.In()
	dag := dsl.DAG[dsl.None, dsl.None](wt, "main")
	pre := dsl.Task(dag, "pre-check", tm, pin{})
	skipped := dsl.Task(dag, "skipped", tm, pin{})
	var item dsl.Expr[hostItem]
	dsl.ForEach(dag, "each", tm, dsl.Values(hostItem{Name: "a"}), func(it dsl.Expr[hostItem]) pin {
		item = it
		return pin{}
	})
	var word dsl.Expr[string]
	dsl.ForEach(dag, "words", tm, dsl.Values("x"), func(it dsl.Expr[string]) pin {
		word = it
		return pin{}
	})
	rec := dsl.FromJSON[record](in.Record)
	ready := pre.Out().Ready
	count := pre.Out().Count

	env := map[string]any{
		"inputs.parameters.name":                      "db-1",
		"inputs.parameters.n":                         "9",
		"inputs.parameters.ratio":                     "0.5",
		"inputs.parameters.flag":                      "false",
		"inputs.parameters.list":                      `["a","b","c"]`,
		"inputs.parameters.my-param":                  "dashed",
		"inputs.parameters.record":                    `{"state":"complete","attempt":2,"outputs":{"snapshot":"snap-7"},"owner":{"uid":"u-1"}}`,
		"inputs.parameters.encoded":                   "aGVsbG8=",
		"tasks.pre-check.outputs.parameters.is-ready": "true",
		"tasks.pre-check.outputs.parameters.count":    "12",
		"tasks.pre-check.outputs.parameters.hosts":    `["h1","h2"]`,
		"tasks.pre-check.outputs.parameters.text":     "  Mixed Case  ",
		"tasks.pre-check.outputs.result":              "done",
		"item":                                        `{"name":"node-a","zone":"z1"}`,
		"item.name":                                   "node-a",
		"item.zone":                                   "z1",
		"workflow.name":                               "parity-abc12",
		"workflow.parameters.my-param":                "global",
	}
	_ = word

	cases := []parityCase{
		{"string literal", dsl.Lit("hello"), "hello"},
		{"int literal", dsl.Lit(42), "42"},
		{"bool literal", dsl.Lit(true), "true"},
		{"quoted literal in expression", dsl.Concat(dsl.Lit(`it's "quoted"`), dsl.Lit("\tand\nnewline")), "it's \"quoted\"\tand\nnewline"},
		{"input reference", in.Name, "db-1"},
		{"hyphenated input", in.Dash, "dashed"},
		{"number carried as string compares as number", dsl.Gt(in.N, dsl.Lit(10)), "false"},
		{"number carried as string, greater", dsl.Ge(count, dsl.Lit(12)), "true"},
		{"less than", dsl.Lt(in.N, count), "true"},
		{"le", dsl.Le(in.N, dsl.Lit(9)), "true"},
		{"float input", dsl.Lt(in.Ratio, dsl.Lit(0.75)), "true"},
		{"bool output true is true", ready, "{{=" + "x" + "}}"},
		{"not of a false bool input", dsl.Not(in.Flag), "true"},
		{"not of a true bool output", dsl.Not(ready), "false"},
		{"and of string-carried bools", dsl.And(ready, dsl.Not(in.Flag)), "true"},
		{"or of string-carried bools", dsl.Or(in.Flag, ready), "true"},
		{"or both false", dsl.Or(in.Flag, dsl.Not(ready)), "false"},
		{"bool equals", in.Flag.Equals(false), "true"},
		{"string equals", in.Name.Equals("db-1"), "true"},
		{"string not equals", in.Name.NotEquals("db-1"), "false"},
		{"eq of two refs", dsl.Eq(in.Name, pre.Result()), "false"},
		{"ne", dsl.Ne(pre.Result(), dsl.Lit("done")), "false"},
		{"concat", dsl.Concat(dsl.Lit("snap-"), in.Name), "snap-db-1"},
		{"to string of a number", dsl.ToString(dsl.Add(in.N, dsl.Lit(1))), "10"},
		{"add", dsl.Add(in.N, count), "21"},
		{"sub", dsl.Sub(count, in.N), "3"},
		{"mul", dsl.Mul(in.N, dsl.Lit(3)), "27"},
		{"div gives float", dsl.Div(in.N, dsl.Lit(2)), "4.5"},
		{"mod", dsl.Mod(count, dsl.Lit(5)), "2"},
		{"ternary", dsl.Cond(ready, dsl.Lit("go"), dsl.Lit("stop")), "go"},
		{"ternary on false", dsl.Cond(in.Flag, dsl.Lit(1), dsl.Lit(2)), "2"},
		{"length of a JSON list", dsl.Len(in.List), "3"},
		{"length of an output list", dsl.Len(pre.Out().Hosts), "2"},
		{"in list", dsl.In(dsl.Lit("b"), in.List), "true"},
		{"not in list", dsl.In(dsl.Lit("z"), in.List), "false"},
		{"contains", dsl.Contains(in.Name, dsl.Lit("-")), "true"},
		{"has prefix", dsl.HasPrefix(in.Name, dsl.Lit("db")), "true"},
		{"lower", dsl.Lower(pre.Out().Text), "  mixed case  "},
		{"upper of trim", dsl.Upper(dsl.Trim(pre.Out().Text)), "MIXED CASE"},
		{"b64enc", dsl.B64Enc(in.Name), "ZGItMQ=="},
		{"b64dec", dsl.B64Dec(in.Encoded), "hello"},
		{"sha256", dsl.Sha256(dsl.Lit("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"JSON field", dsl.Get[string](rec, "state"), "complete"},
		{"JSON number field", dsl.Gt(dsl.Get[int](rec, "attempt"), dsl.Lit(1)), "true"},
		{"nested JSON field", dsl.Get[string](dsl.Get[owner](rec, "owner"), "uid"), "u-1"},
		{"JSON path", dsl.JSONPath[string](in.Record, "$.outputs.snapshot"), "snap-7"},
		{"to JSON", dsl.ToJSON(in.List), `["a","b","c"]`},
		{"missing JSON key with default", dsl.Default(dsl.Get[string](rec, "reason"), "none"), "none"},
		{"default of a present output", dsl.Default(pre.Out().Text, "x"), "  Mixed Case  "},
		{"default of a skipped task's output", dsl.Default(skipped.Out().Text, "fallback"), "fallback"},
		{"default of a skipped int output", dsl.Add(dsl.Default(skipped.Out().Count, 7), dsl.Lit(1)), "8"},
		{"default of a skipped bool output", dsl.Not(dsl.Default(skipped.Out().Ready, false)), "true"},
		{"default of a present bool output", dsl.Default(ready, false), "true"},
		{"hyphenated task and output", dsl.And(ready, dsl.Gt(count, dsl.Lit(3))), "true"},
		{"item field as placeholder", dsl.Get[string](item, "name"), "node-a"},
		{"item field in an expression", dsl.Get[string](item, "zone").Equals("z1"), "true"},
		{"workflow variable", dsl.Concat(dsl.WorkflowName, dsl.Lit("/x")), "parity-abc12/x"},
		{"format", dsl.Format("%s has %s hosts (100%%)", in.Name, dsl.Len(pre.Out().Hosts)), "db-1 has 2 hosts (100%)"},
		{"global with hyphen", dsl.Concat(dsl.Global[string](wt, "my-param"), dsl.Lit("!")), "global!"},
	}
	// The bool output alone renders as a placeholder, substituted as text.
	cases[11].want = "true"
	if len(cases) < 40 {
		t.Fatalf("only %d parity cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := c.expr.String()
			quoted := strconv.Quote(text)
			out, err := template.Replace(quoted, env, false)
			if err != nil {
				t.Fatalf("Argo could not substitute %s: %v", text, err)
			}
			var got string
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("result %s: %v", out, err)
			}
			if got != c.want {
				t.Errorf("%s\n  rendered %s\n  evaluates to %q, want %q", c.name, text, got, c.want)
			}
		})
	}
}
