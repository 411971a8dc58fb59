package dsl_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
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
			if got := argoEval(t, text, env); got != c.want {
				t.Errorf("%s\n  rendered %s\n  evaluates to %q, want %q", c.name, text, got, c.want)
			}
		})
	}
}

// argoEval is text as Argo's substitution code leaves it in scope, strict
// as the controller is when it expands a task.
func argoEval(t *testing.T, text string, scope map[string]any) string {
	t.Helper()
	out, err := template.Replace(strconv.Quote(text), scope, false)
	if err != nil {
		t.Fatalf("Argo could not substitute %s: %v", text, err)
	}
	var got string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("result %s: %v", out, err)
	}
	return got
}

// box is a loop item with a field of every kind.
type box struct {
	Name  string   `json:"name"`
	N     int      `json:"n"`
	Ratio float64  `json:"ratio"`
	OK    bool     `json:"ok"`
	Tags  []string `json:"tags"`
	None  []string `json:"none"`
	Owner owner    `json:"owner"`
}

// itemScope is the scope Argo's controller gives a task expanded from a
// loop item (workflow/controller processItem, v3.7.18, unexported there):
// a scalar item is its text; an object item is its JSON text as {{item}}
// and each field's text as item.FIELD, which expressions see as a map of
// texts; a list item is its JSON text.
func itemScope(t *testing.T, itemJSON string) map[string]any {
	t.Helper()
	var item wfv1.Item
	if err := item.UnmarshalJSON([]byte(itemJSON)); err != nil {
		t.Fatal(err)
	}
	scope := map[string]any{}
	switch item.GetType() {
	case wfv1.Number, wfv1.Bool:
		scope["item"] = fmt.Sprintf("%v", item)
	case wfv1.String:
		scope["item"] = item.GetStrVal()
	case wfv1.Map:
		for k, v := range item.GetMapVal() {
			scope["item."+k] = fmt.Sprintf("%v", v)
		}
		b, err := json.Marshal(item.GetMapVal())
		if err != nil {
			t.Fatal(err)
		}
		scope["item"] = string(b)
	case wfv1.List:
		b, err := json.Marshal(item.GetListVal())
		if err != nil {
			t.Fatal(err)
		}
		scope["item"] = string(b)
	}
	return scope
}

type word struct {
	W dsl.Expr[string]
}

// TestParityLoopItems: a typed field of a loop item, in every position,
// evaluates in Argo's substitution code to what the Go-side expression
// means, and so does a scalar or list item itself. Each expression is an
// argument of its own loop, so Build checks it where it is used.
func TestParityLoopItems(t *testing.T) {
	type expr = dsl.Expr[string]
	boxJSON := `{"name":"b1","n":5,"ratio":0.25,"ok":true,"tags":["x","y"],"none":[],"owner":{"uid":"u-9"}}`
	var theBox box
	if err := json.Unmarshal([]byte(boxJSON), &theBox); err != nil {
		t.Fatal(err)
	}
	tags := func(b dsl.Expr[box]) dsl.Expr[[]string] { return dsl.Field[[]string](b, "tags") }
	own := func(b dsl.Expr[box]) dsl.Expr[owner] { return dsl.Field[owner](b, "owner") }
	boxes := []struct {
		name string
		f    func(dsl.Expr[box]) expr
		want string
	}{
		{"length of a list field", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Len(tags(b))) }, "2"},
		{"length of an empty list field", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Len(dsl.Field[[]string](b, "none"))) }, "0"},
		{"in a list field", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.In(dsl.Lit("y"), tags(b))) }, "true"},
		{"not in a list field", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.In(dsl.Lit("z"), tags(b))) }, "false"},
		{"list field as text", func(b dsl.Expr[box]) expr { return dsl.ToJSON(tags(b)) }, `["x","y"]`},
		{"bool field equals true", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Eq(dsl.Field[bool](b, "ok"), dsl.Lit(true))) }, "true"},
		{"not of a bool field", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Not(dsl.Field[bool](b, "ok"))) }, "false"},
		{"bool field in a condition", func(b dsl.Expr[box]) expr {
			return dsl.Cond(dsl.Field[bool](b, "ok"), dsl.Lit("yes"), dsl.Lit("no"))
		}, "yes"},
		{"int field compared", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Gt(dsl.Field[int](b, "n"), dsl.Lit(4))) }, "true"},
		{"int field added", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Add(dsl.Field[int](b, "n"), dsl.Lit(1))) }, "6"},
		{"int field as text", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Field[int](b, "n")) }, "5"},
		{"float field compared", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Lt(dsl.Field[float64](b, "ratio"), dsl.Lit(0.5))) }, "true"},
		{"string field", func(b dsl.Expr[box]) expr { return dsl.Concat(dsl.Field[string](b, "name"), dsl.Lit("!")) }, "b1!"},
		{"field of an object field", func(b dsl.Expr[box]) expr { return dsl.Get[string](own(b), "uid") }, "u-9"},
		{"field of an object field compared", func(b dsl.Expr[box]) expr { return dsl.ToString(dsl.Get[string](own(b), "uid").Equals("u-9")) }, "true"},
		// Argo writes an object item's JSON with its keys sorted.
		{"object item as text", func(b dsl.Expr[box]) expr { return dsl.ToJSON(b) },
			`{"n":5,"name":"b1","none":[],"ok":true,"owner":{"uid":"u-9"},"ratio":0.25,"tags":["x","y"]}`},
	}
	ints := []struct {
		name string
		f    func(dsl.Expr[int]) expr
		want string
	}{
		{"int item compared", func(n dsl.Expr[int]) expr { return dsl.ToString(dsl.Gt(n, dsl.Lit(2))) }, "true"},
		{"int item added", func(n dsl.Expr[int]) expr { return dsl.ToString(dsl.Add(n, dsl.Lit(4))) }, "7"},
		{"int item as text", func(n dsl.Expr[int]) expr { return dsl.ToString(n) }, "3"},
	}
	bools := []struct {
		name string
		f    func(dsl.Expr[bool]) expr
		want string
	}{
		{"not of a bool item", func(b dsl.Expr[bool]) expr { return dsl.ToString(dsl.Not(b)) }, "false"},
		{"bool item equals", func(b dsl.Expr[bool]) expr { return dsl.ToString(dsl.Eq(b, dsl.Lit(true))) }, "true"},
	}
	lists := []struct {
		name string
		f    func(dsl.Expr[[]string]) expr
		want string
	}{
		{"length of a list item", func(l dsl.Expr[[]string]) expr { return dsl.ToString(dsl.Len(l)) }, "3"},
		{"in a list item", func(l dsl.Expr[[]string]) expr { return dsl.ToString(dsl.In(dsl.Lit("q"), l)) }, "true"},
	}

	lib := dsl.NewLibrary("items")
	wt := lib.WorkflowTemplate("items")
	tm := dsl.Container[word, dsl.None](wt, "t").Image("busybox:1.36").Args(dsl.Lit("echo"))
	dag := dsl.DAG[dsl.None, dsl.None](wt, "main")
	wt.Entrypoint(dag)
	type evaluated struct {
		name, scope, want string
		arg               expr
	}
	var all []evaluated
	for i, c := range boxes {
		dsl.ForEach(dag, fmt.Sprintf("box-%d", i), tm, dsl.Values(theBox), func(it dsl.Expr[box]) word {
			e := c.f(it)
			all = append(all, evaluated{c.name, boxJSON, c.want, e})
			return word{W: e}
		})
	}
	for i, c := range ints {
		dsl.ForEach(dag, fmt.Sprintf("int-%d", i), tm, dsl.Values(3), func(it dsl.Expr[int]) word {
			e := c.f(it)
			all = append(all, evaluated{c.name, "3", c.want, e})
			return word{W: e}
		})
	}
	for i, c := range bools {
		dsl.ForEach(dag, fmt.Sprintf("bool-%d", i), tm, dsl.Values(true), func(it dsl.Expr[bool]) word {
			e := c.f(it)
			all = append(all, evaluated{c.name, "true", c.want, e})
			return word{W: e}
		})
	}
	for i, c := range lists {
		dsl.ForEach(dag, fmt.Sprintf("list-%d", i), tm, dsl.Values([]string{"p", "q", "r"}), func(it dsl.Expr[[]string]) word {
			e := c.f(it)
			all = append(all, evaluated{c.name, `["p","q","r"]`, c.want, e})
			return word{W: e}
		})
	}
	// Build checks every expression where it is used, with the checker's
	// environment for its loop.
	if _, errs := lib.Build(); errs.Err() != nil {
		t.Fatal(errs.Err())
	}
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			text := c.arg.String()
			if got := argoEval(t, text, itemScope(t, c.scope)); got != c.want {
				t.Errorf("rendered %s\n  evaluates to %q, want %q", text, got, c.want)
			}
		})
	}
}
