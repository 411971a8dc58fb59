package dsl

import (
	"strings"

	argoenv "github.com/argoproj/argo-workflows/v3/util/expr/env"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/migratekit/migrate/internal/ir"
)

// The expression checker: every expression Build emits is compiled by
// expr-lang, the language Argo evaluates {{=...}} with, in an environment
// that mirrors Argo's at that place: its functions (asInt, asFloat,
// jsonpath, toJson, sprig, expr-lang's builtins) and the variables in reach
// there. expr-lang treats maps as dynamic, so variable paths are then
// checked against the scope: an input the template declares, an output of
// a call upstream, a workflow parameter the entrypoint declares, the loop
// item. An unknown variable or a type error is reported at the DSL line
// that produced the expression. The DSL renders well-typed expressions by
// construction; the checker is the proof, and catches what a rendering
// change would break.

// workflowVars are the workflow.* variables Argo provides everywhere.
var workflowVars = map[string]bool{
	"name": true, "namespace": true, "uid": true, "status": true, "creationTimestamp": true,
	"duration": true, "serviceAccountName": true, "mainEntrypoint": true, "parameters": true,
	"failures": true, "labels": true, "annotations": true,
}

// retryVars are what a retryStrategy expression sees, and all it sees.
var retryVars = map[string]bool{"retries": true, "lastRetry": true}

// roots lists the top-level variables in reach in scope s.
func roots(s scope) []string {
	if s.field == "retryStrategy.expression" {
		return []string{"retries", "lastRetry"}
	}
	out := []string{"workflow"}
	if len(s.tmpl.inFields) > 0 {
		out = append(out, "inputs")
	}
	if len(s.tmpl.calls) > 0 {
		if s.tmpl.kind == ir.KindSteps {
			out = append(out, "steps")
		} else {
			out = append(out, "tasks")
		}
	}
	if s.call != nil && s.call.loop {
		out = append(out, "item")
	}
	return out
}

// funcEnv is Argo's function environment, without variables.
var funcEnv = argoenv.GetFuncMap(map[string]any{})

// checkKey is what a compile of an expression depends on: its text, the
// variables in reach and whether it must be a boolean.
type checkKey struct {
	body, roots string
	asBool      bool
	textItem    bool // the loop item is text (a scalar or a list), not a map of fields
}

// checked is a compile's verdict: its error, or the variable paths the
// expression reads.
type checked struct {
	err   error
	paths []string
}

// checkSite compiles the expression of one site and checks its variables.
func (b *builder) checkSite(s scope, text string, typ ir.Type) {
	body, ok := strings.CutPrefix(text, "{{=")
	if ok {
		body = strings.TrimSuffix(body, "}}")
	}
	rs := roots(s)
	key := checkKey{body: body, roots: strings.Join(rs, ","), asBool: typ == ir.Bool && !ok,
		textItem: s.call != nil && s.call.loop && !isObject(s.call.itemType)}
	c, done := b.checked[key]
	if !done {
		c = compileCheck(key, rs)
		if b.checked == nil {
			b.checked = map[checkKey]checked{}
		}
		b.checked[key] = c
	}
	if c.err != nil {
		b.errorf(s.pos, msgExprCheck(s.field, body, c.err))
		return
	}
	for _, p := range c.paths {
		if !inScope(s, strings.Split(p, ".")) {
			b.errorf(s.pos, msgUnknownVariable(s.field, p))
		}
	}
}

// compileCheck compiles an expression with expr-lang in Argo's function
// environment and the root variables rs, and lists the variable paths it
// reads.
func compileCheck(key checkKey, rs []string) checked {
	env := make(map[string]any, len(funcEnv)+len(rs))
	for k, v := range funcEnv {
		env[k] = v
	}
	for _, r := range rs {
		env[r] = map[string]any{}
	}
	if key.textItem {
		// What Argo gives an expression for a scalar or list item:
		// its text (workflow/controller processItem).
		env["item"] = ""
	}
	opts := []expr.Option{expr.Env(env)}
	if key.asBool {
		opts = append(opts, expr.AsBool())
	}
	if _, err := expr.Compile(key.body, opts...); err != nil {
		return checked{err: err}
	}
	tree, err := parser.Parse(key.body)
	if err != nil {
		return checked{}
	}
	v := &pathVisitor{}
	ast.Walk(&tree.Node, v)
	return checked{paths: v.paths}
}

// inScope reports whether a variable path names something in reach in s,
// or a part of it (a path that stops early reads an object), or a field of
// a JSON value below it (not checked here). Paths under names that are not
// Argo's variables (a function's result, say) are not this check's.
func inScope(s scope, p []string) bool {
	root, rest := p[0], p[1:]
	retry := s.field == "retryStrategy.expression"
	if retry != retryVars[root] && (retry || root == "lastRetry" || root == "retries") {
		return false
	}
	at := func(i int) string {
		if i < len(rest) {
			return rest[i]
		}
		return ""
	}
	switch root {
	case "inputs":
		if at(0) == "" || at(1) == "" {
			return at(0) == "" || at(0) == "parameters"
		}
		return at(0) == "parameters" && hasField(s.tmpl.inFields, at(1))
	case "workflow":
		switch {
		case at(0) == "":
			return true
		case !workflowVars[at(0)]:
			return false
		case at(0) != "parameters" || at(1) == "":
			return true
		}
		entry := s.tmpl.wt.entry
		return entry != nil && hasField(entry.inFields, at(1))
	case "tasks", "steps":
		if at(0) == "" {
			return true
		}
		c := callNamed(s, at(0))
		if c == nil || c.scope() != root || !visible(s, c) {
			return false
		}
		switch {
		case at(1) == "" || at(1) == "status" || at(1) == "id" || at(1) == "startedAt" || at(1) == "finishedAt" || at(1) == "exitCode":
			return at(1) == "" || at(2) == ""
		case at(1) != "outputs":
			return false
		case at(2) == "" || at(2) == "result" || at(2) == "exitCode":
			return true
		case at(2) == "parameters":
			return at(3) == "" || hasField(c.callee.outFields, at(3))
		}
		return false
	}
	return true
}

func hasField(fs []paramField, name string) bool {
	for _, f := range fs {
		if f.name == name {
			return true
		}
	}
	return false
}

func callNamed(s scope, name string) *callDef {
	for _, c := range s.tmpl.calls {
		if c.name == name {
			return c
		}
	}
	return nil
}

// visible reports whether c's outputs exist when the expression of s is
// evaluated.
func visible(s scope, c *callDef) bool {
	switch {
	case s.call == nil:
		return true // the template's outputs see every call
	case s.field == "hooks":
		return true // a hook watches calls while they run
	case s.tmpl.kind == ir.KindSteps:
		return c.group < s.call.group
	}
	return s.above[c]
}

// pathVisitor collects the longest member paths with constant names, such
// as tasks.check.outputs.parameters.done for tasks['check'].outputs....
type pathVisitor struct {
	paths []string
	inner map[ast.Node]bool
}

func (v *pathVisitor) Visit(n *ast.Node) {
	if v.inner == nil {
		v.inner = map[ast.Node]bool{}
	}
	m, ok := (*n).(*ast.MemberNode)
	if !ok || v.inner[m] {
		return
	}
	var parts []string
	cur := ast.Node(m)
	for {
		switch x := cur.(type) {
		case *ast.MemberNode:
			v.inner[x.Node] = true
			prop, ok := x.Property.(*ast.StringNode)
			if !ok {
				parts = nil // computed member: check the part above only
				cur = x.Node
				continue
			}
			parts = append([]string{prop.Value}, parts...)
			cur = x.Node
			continue
		case *ast.IdentifierNode:
			v.paths = append(v.paths, strings.Join(append([]string{x.Value}, parts...), "."))
		}
		return
	}
}
