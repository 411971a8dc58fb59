package dsl

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/migratekit/migrate/internal/ir"
)

// None is the parameter struct of a template without inputs or outputs.
type None struct{}

// paramField is one Expr field of a parameter struct.
type paramField struct {
	index    int
	goName   string
	name     string
	typ      ir.Type
	goType   reflect.Type
	desc     string
	enum     []string
	deflt    *string
	optional bool
}

// paramFields reads the Expr fields of a parameter struct type. Struct tags:
//
//	name:"host"        parameter name (default: the field name in lowerCamelCase)
//	desc:"..."         description, shown in the Argo UI submit form
//	enum:"a,b,c"       allowed values (a drop-down in the Argo UI)
//	default:"x"        default value; makes the argument optional
//	optional:"true"    the argument may be left unset (default "")
//
// Fields that are not Expr values are errors.
func paramFields(t reflect.Type) ([]paramField, []string) {
	if t.Kind() != reflect.Struct {
		return nil, []string{msgParamsNotStruct(t)}
	}
	var out []paramField
	var problems []string
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if !sf.Type.Implements(exprValueType) {
			problems = append(problems, msgParamFieldType(t, sf))
			continue
		}
		zero := reflect.Zero(sf.Type).Interface().(exprValue)
		f := paramField{
			index:  i,
			goName: sf.Name,
			name:   ParamName(sf),
			goType: zero.exprGoType(),
			desc:   sf.Tag.Get("desc"),
		}
		f.typ = typeOf(f.goType)
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, ",")
			for _, v := range f.enum {
				if !isValueOf(v, f.typ) {
					problems = append(problems, msgEnumValueType(f.name, v, f.typ))
				}
			}
		}
		if d, ok := sf.Tag.Lookup("default"); ok {
			f.deflt = &d
			f.optional = true
			switch {
			case !isValueOf(d, f.typ):
				problems = append(problems, msgBadDefault(f.name, d, f.typ))
			case len(f.enum) > 0 && !slices.Contains(f.enum, d):
				problems = append(problems, msgDefaultNotInEnum(f.name, d, f.enum))
			}
		}
		if sf.Tag.Get("optional") == "true" {
			f.optional = true
		}
		out = append(out, f)
	}
	return out, problems
}

// isValueOf reports whether the text v reads as a value of typ the way the
// DSL's expressions read parameters (asInt, asFloat, == "true", fromJSON).
func isValueOf(v string, typ ir.Type) bool {
	switch typ {
	case ir.Int:
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case ir.Float:
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case ir.Bool:
		return v == "true" || v == "false"
	case ir.JSON:
		return json.Valid([]byte(v))
	}
	return true
}

// ParamName is the Argo parameter name of a field of a parameter struct:
// its name tag, or the field name in lowerCamelCase. Packages that build on
// the DSL use it to name the parameters of templates they generate.
func ParamName(f reflect.StructField) string {
	if n := f.Tag.Get("name"); n != "" {
		return n
	}
	return lowerCamel(f.Name)
}

func lowerCamel(s string) string {
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if !unicode.IsUpper(r[i]) {
			break
		}
		// Keep the last capital of an acronym followed by a lower-case letter.
		if i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) {
			break
		}
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// fill returns a value of type t (a parameter struct) whose Expr fields hold
// the node mk builds for each field.
func fill(t reflect.Type, fields []paramField, mk func(paramField) node) reflect.Value {
	v := reflect.New(t).Elem()
	for _, f := range fields {
		fv := v.Field(f.index).Addr().Interface().(exprSetter)
		fv.setExprNode(mk(f))
	}
	return v
}

// fieldNode returns the node held by the Expr field f of struct value v.
func fieldNode(v reflect.Value, f paramField) node {
	return v.Field(f.index).Interface().(exprValue).exprNode()
}

func (f paramField) irParam(pos Pos) ir.Param {
	return ir.Param{Name: f.name, Type: f.typ, Description: f.desc, Default: f.deflt, Enum: f.enum, Pos: pos}
}
