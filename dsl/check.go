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
// jsonpath, toJson, sprig, expr-lang's builtins) and exactly the variables
// in reach there, each a string as Argo provides it. An unknown variable or
// a type error is reported at the DSL line that produced the expression.
// The DSL renders well-typed expressions by construction; the checker is
// the proof, and catches what a rendering change would break.

// vars lists the variables in reach in scope s, as Argo names them.
func (b *builder) vars(s scope) []string {
	if s.field == "retryStrategy.expression" {
		// Argo evaluates it with the previous attempt's variables only.
		return []string{"retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"}
	}
	var out []string
	for _, f := range s.tmpl.inFields {
		out = append(out, "inputs.parameters."+f.name)
	}
	if s.tmpl.wt != nil && s.tmpl.wt.entry != nil {
		for _, f := range s.tmpl.wt.entry.inFields {
			out = append(out, "workflow.parameters."+f.name)
		}
	}
	for _, v := range []string{"name", "namespace", "uid", "status", "creationTimestamp", "duration", "serviceAccountName", "mainEntrypoint"} {
		out = append(out, "workflow."+v)
	}
	visible := func(c *callDef) bool {
		switch {
		case s.call == nil:
			return true // the template's outputs see every call
		case s.tmpl.kind == ir.KindSteps:
			return c.group < s.call.group
		}
		return s.above[c]
	}
	for _, c := range s.tmpl.calls {
		if !visible(c) {
			continue
		}
		prefix := c.scope() + "." + c.name + ".outputs."
		out = append(out, prefix+"result")
		for _, f := range c.callee.outFields {
			out = append(out, prefix+"parameters."+f.name)
		}
	}
	if s.call != nil && s.call.loop {
		out = append(out, "item")
		if s.call.itemType != nil {
			for _, f := range jsonFields(s.call.itemType) {
				out = append(out, "item."+f)
			}
		}
	}
	return out
}

// checkSite compiles the expression of one site.
func (b *builder) checkSite(s scope, text string, typ ir.Type) {
	body, ok := strings.CutPrefix(text, "{{=")
	if ok {
		body = strings.TrimSuffix(body, "}}")
	}
	flat := map[string]any{}
	for _, v := range b.vars(s) {
		flat[v] = ""
	}
	env := argoenv.GetFuncMap(flat)
	opts := []expr.Option{expr.Env(env)}
	if typ == ir.Bool && !ok {
		opts = append(opts, expr.AsBool())
	}
	if _, err := expr.Compile(body, opts...); err != nil {
		b.errorf(s.pos, msgExprCheck(s.field, body, err))
		return
	}
	// Maps are dynamic for expr-lang's checker: check variable paths here.
	known := map[string]bool{}
	for k := range flat {
		known[k] = true
	}
	tree, err := parser.Parse(body)
	if err != nil {
		return
	}
	v := &pathVisitor{}
	ast.Walk(&tree.Node, v)
	for _, p := range v.paths {
		if !knownPath(p, known) {
			b.errorf(s.pos, msgUnknownVariable(s.field, p))
		}
	}
}

// roots are the variables Argo provides; a path under one must exist.
var roots = map[string]bool{"inputs": true, "tasks": true, "steps": true, "workflow": true, "item": true, "lastRetry": true, "retries": true}

// knownPath reports whether p names a variable in reach, or a part of one
// (a JSON value's fields below a variable are not checked here).
func knownPath(p string, known map[string]bool) bool {
	root, _, _ := strings.Cut(p, ".")
	if !roots[root] || known[p] {
		return true
	}
	for k := range known {
		if strings.HasPrefix(k, p+".") || strings.HasPrefix(p, k+".") {
			return true
		}
	}
	return false
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
