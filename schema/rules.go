package schema

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// rule is a cross-field check written in CEL, in the style of Kubernetes'
// x-kubernetes-validations. Rules are declared next to the type they check
// (types.go), emitted into the JSON Schema under x-migrate-validations, and
// evaluated from there on every value of that type in a config.
//
// Every expression sees four variables:
//
//	self    the value the rule is declared on (an object)
//	parent  the nearest enclosing object (a migration's snapshot, a snapshot's
//	        source); {} for the top level
//	name    the key of the nearest enclosing map entry (a source's or target's
//	        name; for a migration, its snapshot's name; for a replayer and what
//	        it holds, the target's name); "" at the top level
//	root    the whole config
//
// and, besides CEL's standard library, optional values (self.?a.orValue(x)),
// the strings, lists and bindings (cel.bind) extensions, and the functions of
// celFunctions. Values are as written in the config: defaults are not applied
// yet, so a rule must allow for absent fields. When the JSON Schema found
// problems, a rule that fails to evaluate (a field of the wrong type) is
// skipped; otherwise that is reported as an internal error.
type rule struct {
	Rule              string `json:"rule"`                        // CEL expression that is true when the value is valid
	Message           string `json:"message,omitempty"`           // what is wrong, when Rule is false
	MessageExpression string `json:"messageExpression,omitempty"` // CEL string expression used instead of Message
	FieldPath         string `json:"fieldPath,omitempty"`         // the field to blame, relative to self, e.g. .adopt.repo
	Hint              string `json:"hint,omitempty"`              // how to fix it
	HintExpression    string `json:"hintExpression,omitempty"`    // CEL string expression used instead of Hint when not empty
}

// maxRuleCost bounds the work of one rule on one value, and maxTotalCost the
// work of all rules on a config, in CEL cost units (about one per operation).
const (
	maxRuleCost  = 1_000_000
	maxTotalCost = 5_000_000
)

// program is a compiled rule.
type program struct {
	rule                 rule
	check, message, hint cel.Program
	field                []string // FieldPath as path tokens
}

// shape says which rules apply where in a config: it mirrors the JSON
// Schema, keeping only the parts that lead to rules.
type shape struct {
	rules  []*program
	object bool              // a struct type: the parent of what it holds
	props  map[string]*shape // struct properties
	values *shape            // values of a map
	items  *shape            // items of a list
}

var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.Variable("self", cel.DynType),
		cel.Variable("parent", cel.DynType),
		cel.Variable("root", cel.DynType),
		cel.Variable("name", cel.StringType),
		cel.OptionalTypes(),
		ext.Strings(),
		ext.Lists(),
		ext.Bindings(),
	}
	return cel.NewEnv(append(opts, celFunctions()...)...)
})

// buildShape reads the rules out of the JSON Schema and compiles them.
func buildShape(doc map[string]any) (*shape, error) {
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	b := shapeBuilder{env: env, defs: map[string]*shape{}}
	defs, _ := doc["$defs"].(map[string]any)
	b.rawDefs = defs
	s := b.build(doc)
	return s, b.err
}

type shapeBuilder struct {
	env     *cel.Env
	rawDefs map[string]any
	defs    map[string]*shape
	err     error
}

func (b *shapeBuilder) build(sch map[string]any) *shape {
	if sch == nil {
		return nil
	}
	if ref, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		if s, done := b.defs[name]; done {
			return s
		}
		b.defs[name] = nil // a type that holds itself has no rules below itself
		def, _ := b.rawDefs[name].(map[string]any)
		s := b.build(def)
		b.defs[name] = s
		return s
	}
	s := &shape{}
	if raw, ok := sch[rulesKeyword].([]any); ok {
		for _, r := range raw {
			p, err := b.compile(r)
			if err != nil {
				b.err = err
				continue
			}
			s.rules = append(s.rules, p)
		}
	}
	if props, ok := sch["properties"].(map[string]any); ok {
		s.object = true
		for name, p := range props {
			if sub := b.build(asMap(p)); sub != nil {
				if s.props == nil {
					s.props = map[string]*shape{}
				}
				s.props[name] = sub
			}
		}
	}
	s.values = b.build(asMap(sch["additionalProperties"]))
	s.items = b.build(asMap(sch["items"]))
	if len(s.rules) == 0 && s.props == nil && s.values == nil && s.items == nil {
		return nil
	}
	return s
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func (b *shapeBuilder) compile(raw any) (*program, error) {
	m := asMap(raw)
	str := func(k string) string { s, _ := m[k].(string); return s }
	r := rule{
		Rule: str("rule"), Message: str("message"), MessageExpression: str("messageExpression"),
		FieldPath: str("fieldPath"), Hint: str("hint"), HintExpression: str("hintExpression"),
	}
	p := &program{rule: r}
	var err error
	if p.check, err = b.program(r.Rule, cel.BoolType); err != nil {
		return nil, err
	}
	if r.MessageExpression != "" {
		if p.message, err = b.program(r.MessageExpression, cel.StringType); err != nil {
			return nil, err
		}
	}
	if r.HintExpression != "" {
		if p.hint, err = b.program(r.HintExpression, cel.StringType); err != nil {
			return nil, err
		}
	}
	if r.FieldPath != "" {
		p.field = strings.Split(strings.TrimPrefix(r.FieldPath, "."), ".")
	}
	return p, nil
}

func (b *shapeBuilder) program(expr string, want *cel.Type) (cel.Program, error) {
	ast, iss := b.env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("rule %q: %w", expr, iss.Err())
	}
	if t := ast.OutputType(); !t.IsEquivalentType(want) && !t.IsEquivalentType(cel.DynType) {
		return nil, fmt.Errorf("rule %q: result is %v, want %v", expr, t, want)
	}
	return b.env.Program(ast, cel.CostLimit(maxRuleCost))
}

// ruleChecker evaluates the rules of a shape over a document.
type ruleChecker struct {
	doc     *document
	root    ref.Val // doc.value as CEL values
	lenient bool    // the JSON Schema found problems: a rule that cannot be evaluated is skipped
	errs    ErrorList
	cost    uint64
	spent   bool
}

// checkRules evaluates every rule on every value it applies to.
func (c *compiled) checkRules(d *document, schemaFailed bool) ErrorList {
	rc := &ruleChecker{doc: d, lenient: schemaFailed, root: celValue(d.value)}
	rc.walk(c.shape, d.value, rc.root, types.NewRefValMap(types.DefaultTypeAdapter, nil), "", nil)
	return rc.errs
}

// celValue converts plain values into CEL values once, so that rules do not
// convert them again (by reflection) on every access.
func celValue(v any) ref.Val {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[ref.Val]ref.Val, len(x))
		for k, e := range x {
			m[types.String(k)] = celValue(e)
		}
		return types.NewRefValMap(types.DefaultTypeAdapter, m)
	case []any:
		l := make([]ref.Val, len(x))
		for i, e := range x {
			l[i] = celValue(e)
		}
		return types.NewRefValList(types.DefaultTypeAdapter, l)
	}
	return types.DefaultTypeAdapter.NativeToValue(v)
}

// walk visits a plain value v and its CEL twin cv.
func (rc *ruleChecker) walk(s *shape, v any, cv ref.Val, parent ref.Val, name string, path []string) {
	if s == nil || rc.spent {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for _, p := range s.rules {
			rc.eval(p, cv, parent, name, path)
		}
		inner := parent
		if s.object {
			inner = cv
		}
		m := cv.(traits.Mapper)
		for _, k := range sortedKeys(x) {
			sub := s.values
			if s.props != nil {
				if ps, ok := s.props[k]; ok {
					sub = ps
				}
			}
			if sub == nil {
				continue
			}
			n := name
			if s.values != nil && s.props == nil {
				n = k
			}
			rc.walk(sub, x[k], m.Get(types.String(k)), inner, n, append(path, k))
		}
	case []any:
		l := cv.(traits.Lister)
		for i, it := range x {
			rc.walk(s.items, it, l.Get(types.Int(i)), parent, name, append(path, strconv.Itoa(i)))
		}
	}
}

func (rc *ruleChecker) eval(p *program, self, parent ref.Val, name string, path []string) {
	vars := map[string]any{"self": self, "parent": parent, "name": name, "root": rc.root}
	out, det, err := p.check.Eval(vars)
	if det != nil && det.ActualCost() != nil {
		rc.cost += *det.ActualCost()
	}
	var cancelled interpreter.EvalCancelledError
	if rc.cost > maxTotalCost || (errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded) {
		rc.spent = true
		rc.errs.Add(rc.doc.pos(nil, false), "", msgTooCostly, hintTooCostly)
		return
	}
	tokens := append(slices.Clip(path), p.field...)
	where := func() (Pos, string) { return rc.doc.pos(tokens, true), renderPath(rc.doc.value, tokens) }
	if err != nil {
		if rc.lenient {
			return
		}
		pos, at := where()
		rc.errs.Add(pos, at, msgRuleError(p.rule.Rule, err), hintInternal)
		return
	}
	if ok, isBool := out.Value().(bool); !isBool || ok {
		return
	}
	msg := p.rule.Message
	if p.message != nil {
		if m, _, err := p.message.Eval(vars); err == nil {
			if s, ok := m.Value().(string); ok {
				msg = s
			}
		}
	}
	if msg == "" {
		msg = msgRuleFailed(p.rule.Rule)
	}
	hint := p.rule.Hint
	if p.hint != nil {
		if h, _, err := p.hint.Eval(vars); err == nil {
			if s, ok := h.Value().(string); ok && s != "" {
				hint = s
			}
		}
	}
	pos, at := where()
	rc.errs.Add(pos, at, msg, hint)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// celFunctions are the functions rules may call besides CEL's own.
func celFunctions() []cel.EnvOption {
	list := cel.ListType(cel.DynType)
	strings := cel.ListType(cel.StringType)
	return []cel.EnvOption{
		// outside(entries, selector) lists the entries (names or patterns)
		// that the selector (a map with allow and exclude lists) does not
		// cover; see Selector.
		cel.Function("outside", cel.Overload("outside_list_dyn", []*cel.Type{list, cel.DynType}, strings,
			cel.BinaryBinding(func(entries, sel ref.Val) ref.Val {
				return stringList(outside(toStrings(entries), toSelector(sel)))
			}))),
		// badPatterns(entries) lists the entries that are not a valid glob or
		// regex: pattern.
		cel.Function("badPatterns", cel.Overload("badPatterns_list", []*cel.Type{list}, strings,
			cel.UnaryBinding(func(entries ref.Val) ref.Val {
				return stringList(badPatterns(toStrings(entries)))
			}))),
		// duplicates(list) lists the values that occur more than once.
		cel.Function("duplicates", cel.Overload("duplicates_list", []*cel.Type{list}, strings,
			cel.UnaryBinding(func(l ref.Val) ref.Val { return stringList(duplicates(toStrings(l))) }))),
		// quoteAll(list) writes the values quoted and separated by commas.
		cel.Function("quoteAll", cel.Overload("quoteAll_list", []*cel.Type{list}, cel.StringType,
			cel.UnaryBinding(func(l ref.Val) ref.Val { return types.String(quoteAll(toStrings(l))) }))),
		// suggest(name, known) says which of known (a list, or a map's keys)
		// was probably meant, or lists them.
		cel.Function("suggest", cel.Overload("suggest_string_dyn", []*cel.Type{cel.StringType, cel.DynType}, cel.StringType,
			cel.BinaryBinding(func(name, known ref.Val) ref.Val {
				s, _ := name.Value().(string)
				return types.String(suggest(s, toStrings(known)))
			}))),
	}
}

// toStrings reads the strings of a CEL list, or the keys of a CEL map.
func toStrings(v ref.Val) []string {
	it, ok := v.(traits.Iterable)
	if !ok {
		return nil
	}
	var out []string
	for i := it.Iterator(); i.HasNext() == types.True; {
		if s, ok := i.Next().Value().(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func toSelector(v ref.Val) Selector {
	m, ok := v.(traits.Mapper)
	if !ok {
		return Selector{}
	}
	get := func(k string) []string {
		if x, found := m.Find(types.String(k)); found {
			return toStrings(x)
		}
		return nil
	}
	return Selector{Allow: get("allow"), Exclude: get("exclude")}
}

func stringList(s []string) ref.Val {
	if s == nil {
		s = []string{}
	}
	return types.NewStringList(types.DefaultTypeAdapter, s)
}
