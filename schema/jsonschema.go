package schema

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"
)

// SchemaURL is the $id of the JSON Schema of a config. Editors that read the
// line
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/migratekit/migrate/main/schema/migration.schema.json
//
// at the top of a YAML config complete and check it as it is typed.
const SchemaURL = "https://raw.githubusercontent.com/migratekit/migrate/main/schema/migration.schema.json"

// rulesKeyword is the JSON Schema extension keyword that carries the CEL rules
// of a type, in the style of Kubernetes' x-kubernetes-validations.
const rulesKeyword = "x-migrate-validations"

//go:embed migration.schema.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of a config, including
// the CEL rules of each type under x-migrate-validations.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }

// generateJSONSchema reflects the config types into a JSON Schema. comments
// maps Go types and fields to their doc comments, in the form of
// jsonschema.Reflector.CommentMap; they become the descriptions.
func generateJSONSchema(comments map[string]string) ([]byte, error) {
	unwrapped := make(map[string]string, len(comments))
	for k, c := range comments {
		unwrapped[k] = strings.Join(strings.Fields(c), " ")
	}
	r := &jsonschema.Reflector{
		ExpandedStruct: true,
		CommentMap:     unwrapped,
	}
	s := r.Reflect(&Config{})
	s.ID = SchemaURL
	s.Title = "migrate config"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal JSON Schema: %w", err)
	}
	return append(b, '\n'), nil
}

// The helpers below are called from the types' JSONSchemaExtend methods.

// extend attaches rules and defaults to the schema of a type.
func extend(s *jsonschema.Schema, rules []rule, defaults map[string]any) {
	if len(rules) > 0 {
		if s.Extras == nil {
			s.Extras = map[string]any{}
		}
		s.Extras[rulesKeyword] = rules
	}
	for name, d := range defaults {
		prop(s, name).Default = d
	}
}

// prop returns the schema of a property; a missing one is a bug in a
// JSONSchemaExtend method, caught by the schema test.
func prop(s *jsonschema.Schema, name string) *jsonschema.Schema {
	p, ok := s.Properties.Get(name)
	if !ok {
		panic("schema: no property " + name)
	}
	return p
}

// names makes the keys of map properties names (see namePattern).
func names(s *jsonschema.Schema, props ...string) {
	for _, name := range props {
		max := uint64(63)
		prop(s, name).PropertyNames = &jsonschema.Schema{Type: "string", Pattern: namePattern, MaxLength: &max}
	}
}

func pattern(s *jsonschema.Schema, name, re string) {
	p := prop(s, name)
	p.Pattern = re
	switch re {
	case namePattern:
		max := uint64(63)
		p.MaxLength = &max
	case secretKeyPattern:
		max := uint64(253) // Kubernetes' limit on a Secret key
		p.MaxLength = &max
	}
}

func itemPattern(s *jsonschema.Schema, name, re string) {
	items := prop(s, name).Items
	items.Pattern = re
	if re == namePattern {
		max := uint64(63)
		items.MaxLength = &max
	}
}

func minLengthItems(s *jsonschema.Schema, name string) {
	one := uint64(1)
	prop(s, name).Items.MinLength = &one
}

func enum(s *jsonschema.Schema, name string, values ...any) { prop(s, name).Enum = values }

func intRange(s *jsonschema.Schema, name string, min, max int) {
	p := prop(s, name)
	p.Minimum = json.Number(strconv.Itoa(min))
	p.Maximum = json.Number(strconv.Itoa(max))
}

func minItems(s *jsonschema.Schema, n uint64, props ...string) {
	for _, name := range props {
		prop(s, name).MinItems = &n
	}
}

func minProperties(s *jsonschema.Schema, n uint64, props ...string) {
	for _, name := range props {
		prop(s, name).MinProperties = &n
	}
}

func uniqueItems(s *jsonschema.Schema, name string) { prop(s, name).UniqueItems = true }

// compiled is what validation needs from the JSON Schema, built once.
type compiled struct {
	schema *validator.Schema
	doc    map[string]any // the schema as plain values, to look up properties and descriptions
	shape  *shape         // where the CEL rules apply
	err    error
}

var compileOnce = sync.OnceValue(func() *compiled {
	c := &compiled{}
	doc, err := validator.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		c.err = fmt.Errorf("read embedded JSON Schema: %w", err)
		return c
	}
	c.doc, _ = doc.(map[string]any)
	comp := validator.NewCompiler()
	if err := comp.AddResource(SchemaURL, doc); err != nil {
		c.err = fmt.Errorf("load embedded JSON Schema: %w", err)
		return c
	}
	if c.schema, err = comp.Compile(SchemaURL); err != nil {
		c.err = fmt.Errorf("compile embedded JSON Schema: %w", err)
		return c
	}
	c.shape, c.err = buildShape(c.doc)
	return c
})

// checkSchema validates a document against the JSON Schema.
func (c *compiled) checkSchema(d *document) ErrorList {
	err := c.schema.Validate(d.value)
	if err == nil {
		return nil
	}
	verr, ok := err.(*validator.ValidationError)
	if !ok {
		var errs ErrorList
		errs.Add(Pos{File: d.file}, "", msgInternal(err), hintInternal)
		return errs
	}
	all := leaves(verr)
	// A misspelt key also makes the key it was meant to be missing; the
	// unknown key's did-you-mean says all there is to say.
	meant := map[string]bool{}
	for _, e := range all {
		if k, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
			known := propertyNames(c.schemaAt(e.SchemaURL))
			for _, p := range k.Properties {
				if s := closest(p, known); s != "" {
					meant[strings.Join(append(slices.Clip(e.InstanceLocation), s), "/")] = true
				}
			}
		}
	}
	var errs ErrorList
	for _, e := range all {
		if k, ok := e.ErrorKind.(*kind.Required); ok {
			k.Missing = slices.DeleteFunc(slices.Clone(k.Missing), func(name string) bool {
				return meant[strings.Join(append(slices.Clip(e.InstanceLocation), name), "/")]
			})
		}
		c.report(&errs, d, e)
	}
	return errs
}

// leaves returns the errors that say what is wrong, skipping the ones that
// only group others ($ref, allOf, the whole schema).
func leaves(e *validator.ValidationError) []*validator.ValidationError {
	switch e.ErrorKind.(type) {
	case *kind.Group, *kind.Schema, *kind.Reference, *kind.AllOf:
		var out []*validator.ValidationError
		for _, c := range e.Causes {
			out = append(out, leaves(c)...)
		}
		return out
	}
	return []*validator.ValidationError{e}
}

// report turns one JSON Schema error into Errors with positions and hints.
func (c *compiled) report(errs *ErrorList, d *document, e *validator.ValidationError) {
	loc := e.InstanceLocation
	sch := c.schemaAt(e.SchemaURL)
	val := valueAt(d.value, loc)
	add := func(tokens []string, onKey bool, msg, hint string) {
		errs.Add(d.pos(tokens, onKey), renderPath(d.value, tokens), msg, cmp.Or(hint, hintSeeSchema))
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			add(append(slices.Clip(loc), name), true, msgRequired(name), hintRequired(name, c.description(sch, name)))
		}
	case *kind.AdditionalProperties:
		known := propertyNames(sch)
		for _, name := range k.Properties {
			add(append(slices.Clip(loc), name), true, msgUnknownKey(name), hintUnknownKey(name, known))
		}
	case *kind.PropertyNames:
		for _, at := range propertyNameLocs(d.value, e.SchemaURL, len(loc), k.Property) {
			add(at, true, msgBadName(k.Property), hintBadName)
		}
	case *kind.Type:
		add(loc, false, msgType(k.Want, k.Got), hintFromDescription(c.describeAt(d, loc)))
	case *kind.Enum:
		add(loc, false, msgEnum(val, k.Want), hintEnum(val, k.Want))
	case *kind.Pattern:
		add(loc, false, msgPattern(val, k.Want), hintPattern(k.Want, c.describeAt(d, loc)))
	case *kind.MinLength:
		add(loc, false, msgEmptyString, hintFromDescription(c.describeAt(d, loc)))
	case *kind.MaxLength:
		add(loc, false, msgMaxLength(k.Want), hintFromDescription(c.describeAt(d, loc)))
	case *kind.Minimum:
		add(loc, false, msgMinimum(val, k.Want.FloatString(0)), hintFromDescription(c.describeAt(d, loc)))
	case *kind.Maximum:
		add(loc, false, msgMaximum(val, k.Want.FloatString(0)), hintFromDescription(c.describeAt(d, loc)))
	case *kind.ExclusiveMinimum:
		add(loc, false, msgExclusiveMinimum(val, k.Want.FloatString(0)), hintFromDescription(c.describeAt(d, loc)))
	case *kind.MinItems:
		add(loc, false, msgMinItems(k.Want), hintFromDescription(c.describeAt(d, loc)))
	case *kind.MinProperties:
		add(loc, false, msgMinItems(k.Want), hintFromDescription(c.describeAt(d, loc)))
	case *kind.UniqueItems:
		later := strconv.Itoa(k.Duplicates[1])
		add(append(slices.Clip(loc), later), false, msgDuplicateItem(k.Duplicates[0]), hintDuplicateItem)
	default:
		add(loc, false, e.ErrorKind.LocalizedString(nil), hintFromDescription(c.describeAt(d, loc)))
	}
}

// propertyNameLocs finds the paths of a bad map key. The validator (v6.0.3)
// shares the InstanceLocation of a propertyNames error with later errors,
// so only its length can be trusted; the key is found instead by the map
// field the schema URL names (".../properties/snapshots/propertyNames").
func propertyNameLocs(v any, schemaURL string, depth int, key string) [][]string {
	field := strings.TrimSuffix(schemaURL, "/propertyNames")
	field = field[strings.LastIndexByte(field, '/')+1:]
	var out [][]string
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				p := append(slices.Clip(path), k)
				if k == field && len(p) == depth {
					if m, ok := x[k].(map[string]any); ok {
						if _, ok := m[key]; ok {
							out = append(out, append(p, key))
						}
					}
				}
				if len(p) < depth {
					walk(x[k], p)
				}
			}
		case []any:
			for i, it := range x {
				if p := append(slices.Clip(path), strconv.Itoa(i)); len(p) < depth {
					walk(it, p)
				}
			}
		}
	}
	walk(v, nil)
	return out
}

// schemaAt resolves a schema URL of the embedded schema (SchemaURL#/json/pointer)
// to the schema object as plain values.
func (c *compiled) schemaAt(url string) map[string]any {
	_, ptr, _ := strings.Cut(url, "#")
	var v any = c.doc
	for _, t := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if t == "" {
			continue
		}
		t = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i, _ := strconv.Atoi(t)
			if i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	m, _ := v.(map[string]any)
	return c.deref(m)
}

// deref follows a $ref to $defs.
func (c *compiled) deref(m map[string]any) map[string]any {
	for range 8 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		defs, _ := c.doc["$defs"].(map[string]any)
		next, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		if next == nil {
			return m
		}
		m = next
	}
	return m
}

// description returns the description of a property of an object schema.
func (c *compiled) description(sch map[string]any, name string) string {
	props, _ := sch["properties"].(map[string]any)
	p, _ := props[name].(map[string]any)
	desc, _ := p["description"].(string)
	return desc
}

// describeAt returns the description of the value at a path, found by walking
// the schema along the path.
func (c *compiled) describeAt(d *document, tokens []string) string {
	sch := c.doc
	desc, _ := sch["description"].(string)
	v := d.value
	for _, t := range tokens {
		var next map[string]any
		item := false
		switch x := v.(type) {
		case map[string]any:
			props, _ := sch["properties"].(map[string]any)
			if p, ok := props[t].(map[string]any); ok {
				next = p
			} else if ap, ok := sch["additionalProperties"].(map[string]any); ok {
				next = ap
			}
			v = x[t]
		case []any:
			next, _ = sch["items"].(map[string]any)
			item = true
			v = valueAt(x, []string{t})
		}
		if next == nil {
			return ""
		}
		outer := desc
		desc, _ = next["description"].(string)
		sch = c.deref(next)
		if desc == "" {
			desc, _ = sch["description"].(string)
		}
		if desc == "" && item {
			desc = outer // an item of a list is described by the list
		}
	}
	return desc
}

// propertyNames lists the properties an object schema allows, sorted.
func propertyNames(sch map[string]any) []string {
	props, _ := sch["properties"].(map[string]any)
	out := make([]string, 0, len(props))
	for name := range props {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// valueAt returns the plain value at a path, or nil.
func valueAt(v any, tokens []string) any {
	for _, t := range tokens {
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// pos returns the position of the value at a path. It is the position of
// the value's key when onKey, when the value is a mapping, a list or empty,
// or when the path does not exist (then of the nearest existing ancestor);
// otherwise the position of the value itself.
func (d *document) pos(tokens []string, onKey bool) Pos {
	if d.root == nil {
		return Pos{File: d.file}
	}
	key, val, matched := locate(d.root, tokens)
	n := val
	if key != nil && (onKey || matched < len(tokens) || val.Kind != yaml.ScalarNode || val.ShortTag() == "!!null") {
		n = key
	}
	if n == nil {
		n = d.root
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}
