package dsl

import (
	"reflect"

	"github.com/migratekit/migrate/internal/ir"
)

// Functions of Argo's expression environment, typed. Each renders to the
// function Argo provides (expr-lang builtins, Argo's additions, sprig).

func call[T any](fn string, args ...node) Expr[T] {
	for _, a := range args {
		if a == nil {
			return Expr[T]{n: &misuseNode{msg: msgUnsetOperand(fn), pos: callerPos()}}
		}
	}
	return Expr[T]{n: &opNode{op: "call", fn: fn, args: args, typ: typeOf(reflect.TypeFor[T]())}}
}

// Number is the set of numeric types.
type Number interface {
	~int | ~int64 | ~float64
}

// Add is a + b.
func Add[T Number](a, b Expr[T]) Expr[T] { return op[T]("+", typeOf(reflect.TypeFor[T]()), a.n, b.n) }

// Sub is a - b.
func Sub[T Number](a, b Expr[T]) Expr[T] { return op[T]("-", typeOf(reflect.TypeFor[T]()), a.n, b.n) }

// Mul is a * b.
func Mul[T Number](a, b Expr[T]) Expr[T] { return op[T]("*", typeOf(reflect.TypeFor[T]()), a.n, b.n) }

// Div is a / b (a float in expr-lang, even for ints).
func Div[T Number](a, b Expr[T]) Expr[float64] { return op[float64]("/", ir.Float, a.n, b.n) }

// Mod is a % b.
func Mod(a, b Expr[int]) Expr[int] { return op[int]("%", ir.Int, a.n, b.n) }

// In is true when v is an element of list.
func In[T any](v Expr[T], list Expr[[]T]) Expr[bool] { return op[bool]("in", ir.Bool, v.n, list.n) }

// Contains is true when s contains sub.
func Contains(s, sub Expr[string]) Expr[bool] { return op[bool]("contains", ir.Bool, s.n, sub.n) }

// HasPrefix is true when s starts with prefix.
func HasPrefix(s, prefix Expr[string]) Expr[bool] {
	return op[bool]("startsWith", ir.Bool, s.n, prefix.n)
}

// Lower is s in lower case.
func Lower(s Expr[string]) Expr[string] { return call[string]("lower", s.n) }

// Upper is s in upper case.
func Upper(s Expr[string]) Expr[string] { return call[string]("upper", s.n) }

// Trim is s without leading and trailing white space.
func Trim(s Expr[string]) Expr[string] { return call[string]("trim", s.n) }

// B64Enc is the standard base64 encoding of s (sprig's b64enc).
func B64Enc(s Expr[string]) Expr[string] { return call[string]("sprig.b64enc", s.n) }

// B64Dec decodes standard base64 (sprig's b64dec).
func B64Dec(s Expr[string]) Expr[string] { return call[string]("sprig.b64dec", s.n) }

// Sha256 is the hex SHA-256 of s (sprig's sha256sum): a key of bounded
// length for any input.
func Sha256(s Expr[string]) Expr[string] { return call[string]("sprig.sha256sum", s.n) }

// ToJSON is the compact JSON text of a value (Argo's toJson).
func ToJSON[T any](v Expr[T]) Expr[string] {
	if r, ok := v.n.(*refNode); ok && r.typ == ir.JSON && (r.carriedAsString() || r.kind == refItem) {
		// A parameter or item holding JSON is already its JSON text.
		cp := *r
		cp.typ = ir.String
		return Expr[string]{n: &cp}
	}
	return call[string]("toJson", v.n)
}

// FromJSON reads JSON text as a value of type T; use Get on it for fields.
func FromJSON[T any](s Expr[string]) Expr[T] {
	return Expr[T]{n: &opNode{op: "call", fn: "fromJSON", args: []node{s.n}, typ: ir.JSON, raw: true}}
}

// JSONPath evaluates a JSON path over JSON text (Argo's jsonpath function).
func JSONPath[T any](s Expr[string], path string) Expr[T] {
	return Expr[T]{n: &opNode{op: "call", fn: "jsonpath", args: []node{s.n, &litNode{v: path, typ: ir.String}}, typ: typeOf(reflect.TypeFor[T]()), raw: true}}
}

// Default is e, or v when e has no value: an optional input left empty, or
// an output of a task that was skipped. It renders with expr-lang's
// optional chaining, so a missing task or key does not fail the expression.
func Default[T Scalar](e Expr[T], v T) Expr[T] {
	if e.n == nil {
		return Lit(v)
	}
	return op[T]("??", typeOf(reflect.TypeFor[T]()), e.n, &litNode{v: v, typ: typeOf(reflect.TypeFor[T]())})
}

// Get is the field of a compound value with the given JSON name, checked at
// Build against T's Go fields. On a loop item it stays a plain {{item.x}}
// placeholder, read in expressions as the field's type (Argo gives them its
// text); a field of such a field, and a field of anything else, is an
// expression over the JSON value.
func Get[F, T any](e Expr[T], jsonName string) Expr[F] {
	pos := callerPos()
	if msg := checkField(reflect.TypeFor[T](), reflect.TypeFor[F](), jsonName); msg != "" {
		return Expr[F]{n: &misuseNode{msg: msg, pos: pos}}
	}
	if ref, ok := e.n.(*refNode); ok && ref.kind == refItem && len(ref.field) == 0 {
		cp := *ref
		cp.field = append(append([]string(nil), ref.field...), jsonName)
		cp.typ = typeOf(reflect.TypeFor[F]())
		cp.pos = pos
		return Expr[F]{n: &cp}
	}
	if e.n == nil {
		return Expr[F]{n: &misuseNode{msg: msgUnsetOperand("Get"), pos: pos}}
	}
	return Expr[F]{n: &opNode{op: "field", fn: jsonName, args: []node{e.n}, typ: typeOf(reflect.TypeFor[F]()), raw: true}}
}

// Format builds a string from a format with %s verbs, each replaced by the
// matching argument (a string, or an Expr of any type in its text form);
// %% is a percent sign. The result is a concatenation, so it stays typed.
func Format(format string, args ...any) Expr[string] {
	pos := callerPos()
	var parts []node
	lit := func(s string) {
		if s != "" {
			parts = append(parts, &litNode{v: s, typ: ir.String})
		}
	}
	var buf []byte
	next := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			buf = append(buf, format[i])
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			buf = append(buf, '%')
			i++
			continue
		}
		if i+1 >= len(format) || format[i+1] != 's' || next >= len(args) {
			return Expr[string]{n: &misuseNode{msg: msgFormatArgs(format, len(args)), pos: pos}}
		}
		i++
		lit(string(buf))
		buf = buf[:0]
		switch a := args[next].(type) {
		case string:
			lit(a)
		case exprValue:
			n := a.exprNode()
			if n == nil {
				return Expr[string]{n: &misuseNode{msg: msgUnsetOperand("Format"), pos: pos}}
			}
			if n.exprType() != ir.String {
				n = &opNode{op: "call", fn: "string", args: []node{n}, typ: ir.String}
			}
			parts = append(parts, n)
		default:
			return Expr[string]{n: &misuseNode{msg: msgBadWord(a), pos: pos}}
		}
		next++
	}
	lit(string(buf))
	if next != len(args) {
		return Expr[string]{n: &misuseNode{msg: msgFormatArgs(format, len(args)), pos: pos}}
	}
	switch len(parts) {
	case 0:
		return Lit("")
	case 1:
		return Expr[string]{n: parts[0]}
	}
	return Expr[string]{n: &opNode{op: "+", args: parts, typ: ir.String}}
}

// Lookup is the value of map m at key, for keys known only at run time
// (a loop item, an input); Get reads fields named in the source.
func Lookup[V any](m Expr[map[string]V], key Expr[string]) Expr[V] {
	pos := callerPos()
	if m.n == nil || key.n == nil {
		return Expr[V]{n: &misuseNode{msg: msgUnsetOperand("Lookup"), pos: pos}}
	}
	return Expr[V]{n: &opNode{op: "index", args: []node{m.n, key.n}, typ: typeOf(reflect.TypeFor[V]()), raw: true}}
}

// ListOf is the list of the given values, e.g. a loop over one item whose
// name the loop's node then shows.
func ListOf[T any](es ...Expr[T]) Expr[[]T] {
	pos := callerPos()
	args := make([]node, len(es))
	for i, e := range es {
		if e.n == nil {
			return Expr[[]T]{n: &misuseNode{msg: msgUnsetOperand("ListOf"), pos: pos}}
		}
		args[i] = e.n
	}
	return Expr[[]T]{n: &opNode{op: "list", args: args, typ: ir.JSON, raw: true}}
}
