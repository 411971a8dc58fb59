package dsl

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/migratekit/migrate/internal/ir"
)

// Expr is a typed value in a workflow: a template input, a task's output,
// the loop item, a workflow variable, a literal or an expression built from
// those. Argo carries every value as a string; Expr remembers the real type
// and renders the conversion where the value is used.
//
// The zero Expr is "not set": an argument left unset, an output not defined.
type Expr[T any] struct {
	n node
}

// IsSet reports whether e holds a value.
func (e Expr[T]) IsSet() bool { return e.n != nil }

func (e Expr[T]) exprNode() node           { return e.n }
func (e *Expr[T]) setExprNode(n node)      { e.n = n }
func (e Expr[T]) exprGoType() reflect.Type { return reflect.TypeFor[T]() }

// exprValue is implemented by every Expr[T]; the DSL uses it to walk the
// fields of parameter structs.
type exprValue interface {
	exprNode() node
	exprGoType() reflect.Type
}

type exprSetter interface {
	setExprNode(node)
}

var exprValueType = reflect.TypeFor[exprValue]()

// Scalar is the set of Go types that Argo parameters carry directly.
type Scalar interface {
	~string | ~int | ~int64 | ~float64 | ~bool
}

// typeOf maps a Go type to the DSL's parameter type.
func typeOf(t reflect.Type) ir.Type {
	switch t.Kind() {
	case reflect.String:
		return ir.String
	case reflect.Int, reflect.Int64, reflect.Int32:
		return ir.Int
	case reflect.Float64, reflect.Float32:
		return ir.Float
	case reflect.Bool:
		return ir.Bool
	}
	return ir.JSON
}

// node is an expression tree node. The set is closed: only this package
// defines nodes.
type node interface {
	exprType() ir.Type
	nodeKind() string
}

// refKind says what a reference points at.
type refKind int

const (
	refInput refKind = iota
	refTaskOutput
	refTaskResult
	refTaskStatus
	refItem
	refWorkflowParam
	refVar // a variable Argo provides as a string: workflow.status, lastRetry.exitCode
)

// refNode is a reference to a value Argo substitutes: the only node that
// renders as a plain {{...}} placeholder.
type refNode struct {
	kind  refKind
	name  string   // parameter or variable name
	field []string // item field path
	typ   ir.Type
	tmpl  *tmplDef // owner of an input
	call  *callDef // producer of a task or step output
	wt    *WorkflowTemplate
	pos   Pos

	// mapItem: the loop item is an object (a struct or map). Argo hands
	// expressions such an item as a map of its fields' texts, not whole.
	mapItem bool
}

func (r *refNode) exprType() ir.Type { return r.typ }
func (r *refNode) nodeKind() string  { return "ref" }

type litNode struct {
	v   any
	typ ir.Type
}

func (l *litNode) exprType() ir.Type { return l.typ }
func (l *litNode) nodeKind() string  { return "literal" }

// opNode is an operator or function application.
type opNode struct {
	op   string // "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "+", "-", "*", "/", "%", "?:", "??", "in", "contains", "startsWith", "call", "field"
	fn   string // function name for op "call", field name for op "field"
	args []node
	typ  ir.Type
	raw  bool // the value is JSON data (fromJSON, jsonpath), not text
}

func (o *opNode) exprType() ir.Type { return o.typ }
func (o *opNode) nodeKind() string  { return "expression" }

// sourceNode is where an output parameter's value comes from inside the
// template that produces it (a file, a JSON path of a resource, an approver).
type sourceNode struct {
	from  string // "path", "jsonPath", "jqFilter", "supplied", "expression", "parameter"
	value string
	inner node // for "parameter"/"expression": the expression giving the value
	typ   ir.Type
	deflt *string
	pos   Pos
}

func (s *sourceNode) exprType() ir.Type { return s.typ }
func (s *sourceNode) nodeKind() string  { return "output source" }

// misuseNode records a mistake made while building an expression; Build
// reports it at pos.
type misuseNode struct {
	msg string
	pos Pos
}

func (m *misuseNode) exprType() ir.Type { return ir.String }
func (m *misuseNode) nodeKind() string  { return "invalid" }

// Lit is a literal value.
func Lit[T Scalar](v T) Expr[T] {
	return Expr[T]{n: &litNode{v: v, typ: typeOf(reflect.TypeFor[T]())}}
}

// JSONLit is a literal compound value, carried as JSON.
func JSONLit[T any](v T) Expr[T] {
	return Expr[T]{n: &litNode{v: v, typ: typeOf(reflect.TypeFor[T]())}}
}

func op[T any](o string, typ ir.Type, args ...node) Expr[T] {
	for _, a := range args {
		if a == nil {
			return Expr[T]{n: &misuseNode{msg: msgUnsetOperand(o), pos: callerPos()}}
		}
	}
	return Expr[T]{n: &opNode{op: o, args: args, typ: typ}}
}

// Equals is the expression e == v.
func (e Expr[T]) Equals(v T) Expr[bool] {
	return op[bool]("==", ir.Bool, e.n, &litNode{v: v, typ: typeOf(reflect.TypeFor[T]())})
}

// NotEquals is the expression e != v.
func (e Expr[T]) NotEquals(v T) Expr[bool] {
	return op[bool]("!=", ir.Bool, e.n, &litNode{v: v, typ: typeOf(reflect.TypeFor[T]())})
}

// Eq is a == b.
func Eq[T Scalar](a, b Expr[T]) Expr[bool] { return op[bool]("==", ir.Bool, a.n, b.n) }

// Ne is a != b.
func Ne[T Scalar](a, b Expr[T]) Expr[bool] { return op[bool]("!=", ir.Bool, a.n, b.n) }

// Ordered is the set of types with an order.
type Ordered interface {
	~string | ~int | ~int64 | ~float64
}

// Lt is a < b.
func Lt[T Ordered](a, b Expr[T]) Expr[bool] { return op[bool]("<", ir.Bool, a.n, b.n) }

// Le is a <= b.
func Le[T Ordered](a, b Expr[T]) Expr[bool] { return op[bool]("<=", ir.Bool, a.n, b.n) }

// Gt is a > b.
func Gt[T Ordered](a, b Expr[T]) Expr[bool] { return op[bool](">", ir.Bool, a.n, b.n) }

// Ge is a >= b.
func Ge[T Ordered](a, b Expr[T]) Expr[bool] { return op[bool](">=", ir.Bool, a.n, b.n) }

// Not is !e.
func Not(e Expr[bool]) Expr[bool] { return op[bool]("!", ir.Bool, e.n) }

// And is the conjunction of its operands.
func And(es ...Expr[bool]) Expr[bool] { return fold("&&", es) }

// Or is the disjunction of its operands.
func Or(es ...Expr[bool]) Expr[bool] { return fold("||", es) }

func fold(o string, es []Expr[bool]) Expr[bool] {
	if len(es) == 1 {
		return es[0]
	}
	args := make([]node, len(es))
	for i, e := range es {
		args[i] = e.n
	}
	return op[bool](o, ir.Bool, args...)
}

// Concat joins string expressions.
func Concat(parts ...Expr[string]) Expr[string] {
	args := make([]node, len(parts))
	for i, p := range parts {
		args[i] = p.n
	}
	return op[string]("+", ir.String, args...)
}

// Cond is the ternary c ? a : b.
func Cond[T any](c Expr[bool], a, b Expr[T]) Expr[T] {
	return op[T]("?:", typeOf(reflect.TypeFor[T]()), c.n, a.n, b.n)
}

// Len is the length of a list or string.
func Len[T any](e Expr[T]) Expr[int] {
	return Expr[int]{n: &opNode{op: "call", fn: "len", args: []node{e.n}, typ: ir.Int}}
}

// ToString renders any value as its string form, as Argo would substitute
// it. A loop item (or a field of it) stays a plain placeholder: Argo
// substitutes an object item as its JSON text.
func ToString[T any](e Expr[T]) Expr[string] {
	if r, ok := e.n.(*refNode); ok && r.kind == refItem {
		cp := *r
		cp.typ = ir.String
		return Expr[string]{n: &cp}
	}
	return Expr[string]{n: &opNode{op: "call", fn: "string", args: []node{e.n}, typ: ir.String}}
}

// Field is Get, kept for loop items: the field of a struct item.
func Field[F, T any](e Expr[T], jsonName string) Expr[F] {
	if ref, ok := e.n.(*refNode); !ok || ref.kind != refItem {
		return Expr[F]{n: &misuseNode{msg: msgFieldNotItem(jsonName), pos: callerPos()}}
	}
	return Get[F](e, jsonName)
}

// jsonField is a field of a struct as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFieldsOf lists the JSON fields of a struct type, with the fields of
// embedded structs promoted as encoding/json does.
func jsonFieldsOf(t reflect.Type) []jsonField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := strings.Split(sf.Tag.Get("json"), ",")[0]
		if tag == "-" {
			continue
		}
		if sf.Anonymous && tag == "" {
			ft := sf.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonFieldsOf(ft)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		out = append(out, jsonField{name: tag, typ: sf.Type})
	}
	return out
}

// jsonFields lists the JSON names of a struct type's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for _, f := range jsonFieldsOf(t) {
		out = append(out, f.name)
	}
	return out
}

// checkField reports why t has no JSON field name of Go type f, or "".
func checkField(t, f reflect.Type, name string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return msgFieldOnNonStruct(t, name)
	}
	for _, jf := range jsonFieldsOf(t) {
		if jf.name != name {
			continue
		}
		if jf.typ != f {
			return msgFieldType(t, name, jf.typ, f)
		}
		return ""
	}
	return msgNoField(t, name)
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// member renders x.name, or x['name'] when name is not an identifier.
func member(x, name string) string {
	if identRE.MatchString(name) {
		return x + "." + name
	}
	return x + "['" + name + "']"
}

// placeholderPath is the dotted path Argo substitutes for a reference.
func (r *refNode) placeholderPath() string {
	switch r.kind {
	case refInput:
		return "inputs.parameters." + r.name
	case refTaskOutput:
		return r.call.scope() + "." + r.call.name + ".outputs.parameters." + r.name
	case refTaskResult:
		return r.call.scope() + "." + r.call.name + ".outputs.result"
	case refTaskStatus:
		return r.call.scope() + "." + r.call.name + ".status"
	case refItem:
		return strings.Join(append([]string{"item"}, r.field...), ".")
	case refWorkflowParam:
		return "workflow.parameters." + r.name
	case refVar:
		return r.name
	}
	return ""
}

// exprPath is the same reference in expr-lang syntax.
func (r *refNode) exprPath() string {
	switch r.kind {
	case refInput:
		return member("inputs.parameters", r.name)
	case refTaskOutput:
		return member(member(r.call.scope(), r.call.name)+".outputs.parameters", r.name)
	case refTaskResult:
		return member(r.call.scope(), r.call.name) + ".outputs.result"
	case refTaskStatus:
		return member(r.call.scope(), r.call.name) + ".status"
	case refItem:
		s := "item"
		for _, f := range r.field {
			s = member(s, f)
		}
		return s
	case refWorkflowParam:
		return member("workflow.parameters", r.name)
	case refVar:
		return r.name
	}
	return ""
}

// carriedAsString reports whether Argo hands the referenced value to
// expressions as a string whatever its real type: parameters, outputs and
// loop items. A scalar item is its text ("3", "true"); an object item's
// fields are each their text, a list or object field its JSON text
// (workflow/controller processItem); a list item is its JSON text.
func (r *refNode) carriedAsString() bool {
	return r.kind != refTaskStatus
}

// wholeMapItem reports whether r is an object loop item itself, which
// Argo does not give expressions whole (only its fields, as text).
func (r *refNode) wholeMapItem() bool {
	return r.kind == refItem && r.mapItem && len(r.field) == 0
}

// renderText renders n where Argo expects text (an argument value, a
// command-line word): a plain reference or literal stays readable, anything
// else becomes an {{=...}} expression.
func renderText(n node) string {
	switch v := n.(type) {
	case *refNode:
		return "{{" + v.placeholderPath() + "}}"
	case *litNode:
		return litText(v)
	}
	return "{{=" + renderExpr(n) + "}}"
}

// renderCondition renders a boolean condition for `when`: always an
// expression, so that Argo's string outputs compare as the declared type.
func renderCondition(n node) string {
	return "{{=" + renderExpr(n) + "}}"
}

func litText(l *litNode) string {
	switch v := l.v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	rv := reflect.ValueOf(l.v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Float64, reflect.Float32:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 64)
	}
	b, err := json.Marshal(l.v)
	if err != nil {
		return fmt.Sprint(l.v)
	}
	return string(b)
}

// renderExpr renders n in expr-lang syntax, the language of Argo's {{=...}}.
func renderExpr(n node) string {
	switch v := n.(type) {
	case *refNode:
		p := v.exprPath()
		if !v.carriedAsString() {
			return p
		}
		switch v.typ {
		case ir.Int:
			return "asInt(" + p + ")"
		case ir.Float:
			return "asFloat(" + p + ")"
		case ir.Bool:
			return "(" + p + ` == "true")`
		case ir.JSON:
			return "fromJSON(" + p + ")"
		}
		return p
	case *litNode:
		switch v.typ {
		case ir.String:
			return quote(litText(v))
		case ir.JSON:
			return "fromJSON(" + quote(litText(v)) + ")"
		}
		return litText(v)
	case *opNode:
		switch v.op {
		case "!":
			return "!" + paren(v.args[0])
		case "?:":
			return paren(v.args[0]) + " ? " + paren(v.args[1]) + " : " + paren(v.args[2])
		case "call":
			parts := make([]string, len(v.args))
			for i, a := range v.args {
				parts[i] = renderExpr(a)
			}
			return v.fn + "(" + strings.Join(parts, ", ") + ")"
		case "field":
			return member(paren(v.args[0]), v.fn)
		case "index":
			return paren(v.args[0]) + "[" + renderExpr(v.args[1]) + "]"
		case "list":
			parts := make([]string, len(v.args))
			for i, a := range v.args {
				parts[i] = renderExpr(a)
			}
			return "[" + strings.Join(parts, ", ") + "]"
		case "??":
			return renderDefault(v.args[0], v.args[1])
		}
		parts := make([]string, len(v.args))
		for i, a := range v.args {
			parts[i] = paren(a)
		}
		return strings.Join(parts, " "+v.op+" ")
	case *sourceNode:
		if v.inner != nil {
			return renderExpr(v.inner)
		}
	}
	return ""
}

// renderDefault renders "x, or d when x has no value". A reference reads
// through optional chaining, so that a missing task, output or key gives
// nil instead of an error; the default is applied before the conversion of
// string-carried values.
func renderDefault(x, d node) string {
	r, ok := x.(*refNode)
	if !ok {
		return paren(x) + " ?? " + paren(d)
	}
	p := strings.ReplaceAll(strings.ReplaceAll(r.exprPath(), ".", "?."), "['", "?.['")
	if !r.carriedAsString() {
		return "(" + p + " ?? " + paren(d) + ")"
	}
	raw := "(" + p + " ?? " + quote(litText(d.(*litNode))) + ")"
	switch r.typ {
	case ir.Int:
		return "asInt" + raw
	case ir.Float:
		return "asFloat" + raw
	case ir.Bool:
		return "(" + raw + ` == "true")`
	}
	return raw
}

// paren renders an operand, in parentheses when it is itself an operation.
func paren(n node) string {
	if o, ok := n.(*opNode); ok && o.op != "call" && o.op != "field" && o.op != "index" && o.op != "list" {
		return "(" + renderExpr(n) + ")"
	}
	return renderExpr(n)
}

// quote renders s as an expr-lang string literal. Double quotes keep the
// emitted YAML readable (YAML then wraps the whole text in single quotes);
// Argo undoes the JSON escaping of expressions before evaluating them.
func quote(s string) string { return strconv.Quote(s) }

// InputsRead lists the names of the template inputs e reads, each once, in
// the order e first reads them: how an extension checks that a value its
// user builds covers every input (memo's checksum).
func InputsRead[T any](e Expr[T]) []string {
	var names []string
	walk(e.n, func(n node) {
		if r, ok := n.(*refNode); ok && r.kind == refInput && !slices.Contains(names, r.name) {
			names = append(names, r.name)
		}
	})
	return names
}

// walk calls f for n and every node below it.
func walk(n node, f func(node)) {
	if n == nil {
		return
	}
	f(n)
	switch v := n.(type) {
	case *opNode:
		for _, a := range v.args {
			walk(a, f)
		}
	case *sourceNode:
		walk(v.inner, f)
	}
}

// String renders e the way it appears in an argument or a command word: a
// plain reference as {{...}}, a literal as itself, anything else as an
// {{=...}} expression.
func (e Expr[T]) String() string {
	if e.n == nil {
		return ""
	}
	return renderText(e.n)
}
