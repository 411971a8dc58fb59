package memo

import (
	"reflect"

	"github.com/migratekit/migrate/dsl"
)

// Text is the text Argo carries for a value of any type: a string as it
// is, a number or a boolean in its usual form, a compound value as JSON.
// Use it to make any input part of a checksum or a key.
func Text[T any](e dsl.Expr[T]) dsl.Expr[string] {
	return textOf(reflect.ValueOf(e))
}

// exprString is the type every Expr is converted through. An Expr[T] is a
// struct holding an expression node whatever T is, so Go converts one Expr
// type into another; the node, and so its rendering, stays as it was. This
// is how outputs of unknown Go types are read and written as text (see
// the package documentation, "Types").
var exprString = reflect.TypeFor[dsl.Expr[string]]()

// textOf renders the Expr held in v (an Expr[T] of any T) as text.
func textOf(v reflect.Value) dsl.Expr[string] {
	s := v.Convert(exprString).Interface().(dsl.Expr[string])
	switch goType(v.Type()).Kind() {
	case reflect.String:
		return s
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Bool:
		return dsl.ToString(s)
	}
	return dsl.ToJSON(s)
}

// goType is T of the type Expr[T], read from the signature of its Equals
// method.
func goType(exprType reflect.Type) reflect.Type {
	m, ok := exprType.MethodByName("Equals")
	if !ok {
		return exprType
	}
	return m.Type.In(1)
}

// fromText makes text an Expr of type t (an Expr[T] type): Argo hands the
// value on as the same text, which readers of type T convert as usual.
func fromText(text dsl.Expr[string], t reflect.Type) reflect.Value {
	return reflect.ValueOf(text).Convert(t)
}

// Checksum is the hex SHA-256 of the parts, each JSON-quoted and joined by
// newlines, so that no two lists of parts share a checksum. Chain
// checksums by passing an upstream step's checksum as a part.
func Checksum(parts ...dsl.Expr[string]) dsl.Expr[string] {
	if len(parts) == 0 {
		return dsl.Sha256(dsl.Lit(""))
	}
	var all []dsl.Expr[string]
	for i, p := range parts {
		if i > 0 {
			all = append(all, dsl.Lit("\n"))
		}
		all = append(all, dsl.ToJSON(p))
	}
	return dsl.Sha256(dsl.Concat(all...))
}
