package dsl

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/lint"
)

// Built is the checked description of a library that Build returns and the
// transpiler consumes.
type Built = ir.Library

// Build checks the library and returns its description. The list holds every
// problem found, errors and warnings, sorted by DSL position; the library
// is nil when the list has errors (see ErrorList.Err).
func (l *Library) Build() (*Built, ErrorList) {
	b := &builder{lib: l}
	out := &ir.Library{Name: l.name}
	seen := map[string]Pos{}
	for _, wt := range l.wts {
		b.name("WorkflowTemplate", wt.name, wt.pos, seen)
		out.WorkflowTemplates = append(out.WorkflowTemplates, b.workflowTemplate(wt))
	}
	b.unused()
	b.errs = b.errs.unique()
	b.errs.Sort()
	if b.errs.Err() != nil {
		return nil, b.errs
	}
	return out, b.errs
}

type builder struct {
	lib  *Library
	errs ErrorList
	used map[*tmplDef]bool
	wt   *ir.WorkflowTemplate // being built

	// checked caches the expression checker's verdicts: a library repeats
	// the same expressions (a shared template called at many sites).
	checked map[checkKey]checked
}

func (b *builder) errorf(pos Pos, msg string) {
	b.errs = append(b.errs, &Error{Pos: pos, Msg: msg})
}

var rfc1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// name checks a name is a lowercase RFC 1123 label of at most 63
// characters, unique among seen.
func (b *builder) name(what, name string, pos Pos, seen map[string]Pos) {
	switch {
	case name == "":
		b.errorf(pos, msgBadName(what, name, "is empty"))
	case len(name) > 63:
		b.errorf(pos, msgBadName(what, name, fmt.Sprintf("is %d characters long; the limit is 63", len(name))))
	case !rfc1123Label.MatchString(name):
		b.errorf(pos, msgBadName(what, name, "is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit"))
	}
	if first, dup := seen[name]; dup {
		b.errorf(pos, msgDuplicate(what, name, first))
		return
	}
	seen[name] = pos
}

func (b *builder) workflowTemplate(wt *WorkflowTemplate) *ir.WorkflowTemplate {
	b.errs = append(b.errs, wt.errs...)
	out := &ir.WorkflowTemplate{
		Name: wt.name, Pos: wt.pos, Labels: wt.labels, Annotations: wt.annotations, Spec: wt.opts,
		External: wt.external,
	}
	b.wt = out
	if len(wt.templates) == 0 {
		b.errorf(wt.pos, msgNoEntrypoint(wt.name))
	}
	if wt.entry != nil {
		out.Entrypoint = wt.entry.name
		for _, f := range wt.entry.inFields {
			out.Arguments = append(out.Arguments, f.irParam(wt.entry.pos))
		}
	}
	if wt.onExit != nil {
		out.Spec.OnExit = wt.onExit.name
	}
	if len(wt.locks) > 0 {
		// Workflow-level locks may use workflow parameters and variables only.
		whole := &tmplDef{name: "(workflow " + wt.name + ")", wt: wt}
		out.Spec.Synchronization = b.synchronization(scope{tmpl: whole, pos: wt.pos, field: "synchronization"}, wt.locks)
	}
	seen := map[string]Pos{}
	ordered := wt.templates
	if wt.entry != nil {
		ordered = append([]*tmplDef{wt.entry}, without(wt.templates, wt.entry)...)
	}
	for _, d := range ordered {
		b.name("template", d.name, d.pos, seen)
		out.Templates = append(out.Templates, b.template(d))
	}
	return out
}

func without(ts []*tmplDef, x *tmplDef) []*tmplDef {
	var out []*tmplDef
	for _, t := range ts {
		if t != x {
			out = append(out, t)
		}
	}
	return out
}

// scope is where an expression is used: which template, which call.
type scope struct {
	tmpl  *tmplDef
	call  *callDef          // nil in the template's own body
	above map[*callDef]bool // DAG: the call's ancestors
	field string            // for expression sites
	pos   Pos
}

func (b *builder) template(d *tmplDef) *ir.Template {
	b.errs = append(b.errs, d.errs...)
	t := d.t
	t.Name, t.Pos, t.Kind = d.name, d.pos, d.kind
	for _, f := range d.inFields {
		t.Inputs = append(t.Inputs, f.irParam(d.pos))
	}
	body := scope{tmpl: d, pos: d.pos}
	if d.kind == ir.KindDAG && t.Parallelism != nil && *t.Parallelism == 1 && t.FailFast == nil {
		for _, c := range d.calls {
			if c.loop {
				b.errs = append(b.errs, &Error{Pos: c.pos, Msg: msgLoopKeepsGoing(c.name, d.name), Warning: true})
			}
		}
	}
	switch d.kind {
	case ir.KindContainer, ir.KindScript:
		c := ensureContainer(t.Container).DeepCopy()
		if d.image == nil || d.image == "" {
			b.errorf(d.pos, msgNoImage(d.name))
		} else {
			c.Image = strings.Join(b.words(body.at("image"), []any{d.image}), "")
		}
		c.Command = b.words(body.at("command"), d.command)
		c.Args = b.words(body.at("args"), d.args)
		c.Env = b.env(body, d.env)
		c.Name = "main"
		if d.kind == ir.KindContainer {
			t.Container = c
		} else {
			t.Container = nil
			t.Script = &wfv1.ScriptTemplate{Container: *c, Source: b.format(body.at("source"), d.source, d.sourceArgs)}
		}
	case ir.KindResource:
		r := *t.Resource
		if d.manifest == "" && r.Action != "delete" && r.Action != "get" {
			b.errorf(d.pos, msgNoManifest(d.name))
		}
		r.Manifest = b.format(body.at("manifest"), d.manifest, d.manArgs)
		t.Resource = &r
	case ir.KindHTTP:
		h := *t.HTTP
		if len(d.httpURL) == 0 {
			b.errorf(d.pos, msgNoURL(d.name))
		}
		h.URL = strings.Join(b.words(body.at("url"), d.httpURL), "")
		h.Body = strings.Join(b.words(body.at("body"), d.httpBody), "")
		for _, hd := range d.httpHdrs {
			hh := wfv1.HTTPHeader{Name: hd.name}
			if hd.secret != nil {
				hh.ValueFrom = &wfv1.HTTPHeaderSource{SecretKeyRef: hd.secret}
			} else {
				hh.Value = strings.Join(b.words(body.at("header "+hd.name), []any{hd.value}), "")
			}
			h.Headers = append(h.Headers, hh)
		}
		t.HTTP = &h
	case ir.KindSuspend:
		if d.suspendFor != nil {
			sp := *t.Suspend
			sp.Duration = b.text(body.at("duration"), d.suspendFor)
			t.Suspend = &sp
		}
	case ir.KindDAG, ir.KindSteps:
		if len(d.calls) == 0 {
			b.errorf(d.pos, msgEmptyBody(d.name, d.kind))
		}
		b.calls(d, &t)
	}
	if len(d.locks) > 0 {
		t.Synchronization = b.synchronization(scope{tmpl: d, pos: d.pos, field: "synchronization"}, d.locks)
	}
	if d.retryIf != nil && t.RetryStrategy != nil {
		rs := *t.RetryStrategy
		s := scope{tmpl: d, pos: d.retryIfPos, field: "retryStrategy.expression"}
		before := len(b.errs)
		b.refs(s, d.retryIf, false)
		rs.Expression = renderExpr(d.retryIf)
		b.site(s, rs.Expression, ir.Bool, before)
		t.RetryStrategy = &rs
	}
	if d.memoKey != nil && t.Memoize != nil {
		m := *t.Memoize
		s := scope{tmpl: d, pos: d.memoPos, field: "memoize.key"}
		m.Key = b.text(s, d.memoKey)
		b.memoKeyParts(d.memoPos, d.memoKey)
		if !strings.Contains(m.Key, "{{") {
			if len(m.Key) > lint.MaxMemoKey {
				b.errorf(d.memoPos, msgMemoizeKeyLong(len(m.Key)))
			} else if !lint.ValidMemoKey(m.Key) {
				b.errorf(d.memoPos, msgMemoizeKeyChars(m.Key))
			}
		}
		t.Memoize = &m
	}
	t.Outputs = b.outputs(d)
	return &t
}

// memoKeyParts checks the literal parts of a memoize key built by
// concatenation: Argo refuses a key with any other character than letters,
// digits and '-', whatever the expression parts give.
func (b *builder) memoKeyParts(pos Pos, key node) {
	var parts []node
	var flatten func(n node)
	flatten = func(n node) {
		if o, ok := n.(*opNode); ok && o.op == "+" {
			for _, a := range o.args {
				flatten(a)
			}
			return
		}
		parts = append(parts, n)
	}
	flatten(key)
	if len(parts) < 2 {
		return // a whole literal key is checked as one
	}
	for i, a := range parts {
		l, ok := a.(*litNode)
		if !ok || l.typ != ir.String {
			continue
		}
		part := litText(l)
		if !lint.MemoKeyText(part) || i == 0 && part != "" && !lint.ValidMemoKey(part[:1]) {
			b.errorf(pos, msgMemoizeKeyPart(part))
		}
	}
}

func (s scope) at(field string) scope {
	s.field = field
	if p, ok := s.tmpl.at[field]; ok && s.call == nil {
		s.pos = p
	}
	return s
}

// words renders command words, URL parts and the like.
func (b *builder) words(s scope, ws []any) []string {
	var out []string
	for _, w := range ws {
		switch v := w.(type) {
		case string:
			out = append(out, v)
		case exprValue:
			if v.exprNode() == nil {
				b.errorf(s.pos, msgUnsetOperand(s.field))
				continue
			}
			out = append(out, b.text(s, v.exprNode()))
		default:
			b.errorf(s.pos, msgBadWord(w))
		}
	}
	return out
}

// format renders a text with %s placeholders.
func (b *builder) format(s scope, format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	words := b.words(s, args)
	vals := make([]any, len(words))
	for i, w := range words {
		vals[i] = w
	}
	text := fmt.Sprintf(format, vals...)
	if strings.Contains(text, "%!") {
		b.errorf(s.pos, msgFormat(text))
	}
	return text
}

func (b *builder) env(s scope, vars []envVar) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, e := range vars {
		ev := corev1.EnvVar{Name: e.name}
		switch {
		case e.secret != nil:
			ev.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: e.secret}
		case e.cmName != nil:
			s.pos = e.pos
			name := strings.Join(b.words(s.at("env "+e.name+" configMap"), []any{e.cmName}), "")
			key := strings.Join(b.words(s.at("env "+e.name+" key"), []any{e.cmKey}), "")
			ev.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}
		default:
			s.pos = e.pos
			ev.Value = strings.Join(b.words(s.at("env "+e.name), []any{e.value}), "")
		}
		out = append(out, ev)
	}
	return out
}

// text renders n as text and records it as an expression site when it is
// one; refs are checked against the scope.
func (b *builder) text(s scope, n node) string {
	before := len(b.errs)
	b.refs(s, n, true)
	t := renderText(n)
	if strings.HasPrefix(t, "{{=") {
		b.site(s, t, n.exprType(), before)
	}
	return t
}

// site records an expression of the output. It is checked with expr-lang
// unless problems were already reported for it since errsBefore.
func (b *builder) site(s scope, text string, typ ir.Type, errsBefore int) {
	if len(b.errs) == errsBefore {
		b.checkSite(s, text, typ)
	}
	b.wt.Exprs = append(b.wt.Exprs, ir.ExprSite{Template: s.tmpl.name, Field: s.field, Text: text, Type: typ, Pos: s.pos})
}

// refs checks that every reference in n is in reach from s. placeholder
// says n is rendered as text, where a reference alone stays a plain {{...}}.
func (b *builder) refs(s scope, top node, placeholder bool) {
	guarded := map[*refNode]bool{}
	walk(top, func(n node) {
		if o, ok := n.(*opNode); ok && o.op == "??" {
			if r, ok := o.args[0].(*refNode); ok {
				guarded[r] = true
			}
		}
	})
	walk(top, func(n node) {
		switch v := n.(type) {
		case *misuseNode:
			b.errorf(v.pos, v.msg)
		case *refNode:
			b.ref(s, v)
			if v.wholeMapItem() && (v != top || !placeholder) {
				b.errorf(s.pos, msgWholeItemInExpr())
			}
			if !guarded[v] {
				b.mayBeSkipped(s, v)
			}
		}
	})
}

// mayBeSkipped reports an output of a conditional task used by a later task
// that runs even when the producer was skipped: Argo (3.7.16 and later)
// fails such a node, as there is no value to substitute.
func (b *builder) mayBeSkipped(s scope, r *refNode) {
	if s.call == nil || (r.kind != refTaskOutput && r.kind != refTaskResult) || r.call.when == nil {
		return
	}
	if r.call.parent != s.tmpl {
		return
	}
	if s.call.deps != nil && s.call.deps.requires[r.call] {
		return
	}
	b.errorf(s.pos, msgMaybeSkipped(s.call.name, r.call.name))
}

func (b *builder) ref(s scope, r *refNode) {
	user := s.tmpl.name
	if s.call != nil {
		user = s.call.name
	}
	if s.field == "retryStrategy.expression" && r.kind != refVar {
		b.errorf(s.pos, msgRetryScope(r.placeholderPath()))
		return
	}
	switch r.kind {
	case refInput:
		if r.tmpl != s.tmpl {
			b.errorf(s.pos, msgForeignInput(r.name, r.tmpl.name, s.tmpl.name))
		}
	case refTaskOutput, refTaskResult, refTaskStatus:
		if r.kind == refTaskStatus && s.field == "hooks" {
			return // a hook watches its own call, or any call of the template
		}
		switch {
		case r.call.parent != s.tmpl:
			b.errorf(s.pos, msgForeignCall(user, r.call.name, r.call.parent.name))
		case s.call == nil:
			// The template's own outputs may use any of its calls.
		case s.tmpl.kind == ir.KindSteps && r.call.group >= s.call.group:
			b.errorf(s.pos, msgNotEarlierStep(s.call.name, r.call.name))
		case s.tmpl.kind == ir.KindDAG && !s.above[r.call]:
			b.errorf(s.pos, msgNotUpstream(s.call.name, r.call.name))
		}
	case refItem:
		if s.call == nil || !s.call.loop {
			b.errorf(s.pos, msgItemOutsideLoop())
		}
	case refWorkflowParam:
		entry := r.wt.entry
		if entry == nil {
			b.errorf(s.pos, msgGlobalNoEntrypoint(r.name, r.wt.name))
			return
		}
		for _, f := range entry.inFields {
			if f.name == r.name {
				if f.typ != r.typ {
					b.errorf(s.pos, msgGlobalType(r.name, f.typ, r.typ))
				}
				return
			}
		}
		b.errorf(s.pos, msgUndefinedGlobal(r.name, r.wt.name))
	}
}

// calls lowers the tasks or steps of d into t.
func (b *builder) calls(d *tmplDef, t *ir.Template) {
	seen := map[string]Pos{}
	above := b.ancestors(d)
	lower := func(c *callDef) *ir.Call {
		b.errs = append(b.errs, c.errs...)
		b.name("task", c.name, c.pos, seen)
		return b.call(c, above[c])
	}
	if d.kind == ir.KindDAG {
		for _, c := range d.calls {
			t.DAG = append(t.DAG, lower(c))
		}
		return
	}
	for _, g := range d.groups {
		var group []*ir.Call
		for _, c := range g {
			group = append(group, lower(c))
		}
		t.Steps = append(t.Steps, group)
	}
}

// ancestors computes, for each task of a DAG, the set of tasks upstream of
// it, and reports dependencies outside the DAG and cycles.
func (b *builder) ancestors(d *tmplDef) map[*callDef]map[*callDef]bool {
	out := map[*callDef]map[*callDef]bool{}
	if d.kind != ir.KindDAG {
		return out
	}
	for _, c := range d.calls {
		if c.deps == nil {
			continue
		}
		for _, dep := range c.deps.calls {
			if dep.parent != d {
				b.errorf(c.depPos, msgUndefinedDep(c.name, dep.name, fmt.Sprintf("template %q", dep.parent.name)))
			}
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[*callDef]int{}
	var stack []*callDef
	var visit func(c *callDef) map[*callDef]bool
	visit = func(c *callDef) map[*callDef]bool {
		switch state[c] {
		case done:
			return out[c]
		case visiting:
			var path []string
			start := 0
			for i, s := range stack {
				if s == c {
					start = i
				}
			}
			for _, s := range stack[start:] {
				path = append(path, s.name)
			}
			b.errorf(c.depPos, msgCycle(append(path, c.name)))
			return nil
		}
		state[c] = visiting
		stack = append(stack, c)
		set := map[*callDef]bool{}
		if c.deps != nil {
			for _, dep := range c.deps.calls {
				if dep.parent != d {
					continue
				}
				set[dep] = true
				for a := range visit(dep) {
					set[a] = true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[c] = done
		out[c] = set
		return set
	}
	for _, c := range d.calls {
		visit(c)
	}
	return out
}

func (b *builder) call(c *callDef, above map[*callDef]bool) *ir.Call {
	s := scope{tmpl: c.parent, call: c, above: above, pos: c.pos}
	out := &ir.Call{Name: c.name, Pos: c.pos}
	b.use(c.callee)
	if c.callee.wt != c.parent.wt {
		out.TemplateRef = &wfv1.TemplateRef{Name: c.callee.wt.name, Template: c.callee.name}
	} else {
		out.Template = c.callee.name
	}
	out.Arguments = b.args(s.at("arguments"), c.callee, c.args)
	if c.deps != nil {
		out.Depends = c.deps.text
	}
	if c.when != nil {
		ws := s.at("when")
		ws.pos = c.whenPos
		before := len(b.errs)
		b.refs(ws, c.when, false)
		out.When = renderCondition(c.when)
		b.site(ws, out.When, ir.Bool, before)
	}
	if c.loop {
		if c.itemsParam != nil {
			out.WithParam = b.text(s.at("withParam"), c.itemsParam)
		} else if c.items != nil {
			items, err := toItems(c.items)
			if err != nil {
				b.errorf(c.pos, msgItemType(c.name))
			}
			out.WithItems = items
		}
	}
	out.ContinueOn = c.continueOn
	if c.exit != nil {
		b.use(c.exit.callee)
		es := s.at("hooks.exit")
		es.pos = c.exit.pos
		h := wfv1.LifecycleHook{Arguments: wfv1.Arguments{Parameters: b.params(es, c.exit.callee, c.exit.args)}}
		if c.exit.callee.wt != c.parent.wt {
			h.TemplateRef = &wfv1.TemplateRef{Name: c.exit.callee.wt.name, Template: c.exit.callee.name}
		} else {
			h.Template = c.exit.callee.name
		}
		out.Hooks = wfv1.LifecycleHooks{wfv1.ExitLifecycleEvent: h}
	}
	for _, hk := range c.hooks {
		if out.Hooks == nil {
			out.Hooks = wfv1.LifecycleHooks{}
		}
		hs := s.at("hooks")
		hs.pos = hk.pos
		if _, dup := out.Hooks[wfv1.LifecycleEvent(hk.name)]; dup || hk.name == string(wfv1.ExitLifecycleEvent) {
			b.errorf(hk.pos, msgDuplicateHook(c.name, hk.name))
			continue
		}
		out.Hooks[wfv1.LifecycleEvent(hk.name)] = b.hook(hs, c.parent, hk)
	}
	return out
}

// hook lowers a lifecycle hook with a condition.
func (b *builder) hook(s scope, parent *tmplDef, hk hook) wfv1.LifecycleHook {
	b.use(hk.inv.callee)
	h := wfv1.LifecycleHook{Arguments: wfv1.Arguments{Parameters: b.params(s, hk.inv.callee, hk.inv.args)}}
	if hk.inv.callee.wt != parent.wt {
		h.TemplateRef = &wfv1.TemplateRef{Name: hk.inv.callee.wt.name, Template: hk.inv.callee.name}
	} else {
		h.Template = hk.inv.callee.name
	}
	if hk.cond != nil {
		b.refs(s, hk.cond, false)
		h.Expression = renderExpr(hk.cond)
	}
	return h
}

// args renders the arguments of a call of callee; unset optional inputs are
// left out so that the callee's default applies.
func (b *builder) args(s scope, callee *tmplDef, args reflect.Value) []ir.Arg {
	var out []ir.Arg
	for _, p := range b.params(s, callee, args) {
		out = append(out, ir.Arg{Name: p.Name, Value: p.Value.String()})
	}
	return out
}

func (b *builder) params(s scope, callee *tmplDef, args reflect.Value) []wfv1.Parameter {
	var out []wfv1.Parameter
	for _, f := range callee.inFields {
		n := fieldNode(args, f)
		if n == nil {
			if !f.optional {
				b.errorf(s.pos, msgMissingArg(f.name, callee.name))
			}
			continue
		}
		fs := s.at(s.field + "." + f.name)
		if l, ok := n.(*litNode); ok && len(f.enum) > 0 && !slices.Contains(f.enum, litText(l)) {
			b.errorf(s.pos, msgArgNotInEnum(f.name, callee.name, litText(l), f.enum))
		}
		out = append(out, wfv1.Parameter{Name: f.name, Value: wfv1.AnyStringPtr(b.text(fs, n))})
	}
	return out
}

// outputs lowers the template's output definitions.
func (b *builder) outputs(d *tmplDef) []ir.Output {
	if len(d.outFields) == 0 {
		return nil
	}
	if !d.outputs.IsValid() {
		b.errorf(d.pos, msgOutputsMissing(d.name))
		return nil
	}
	s := scope{tmpl: d, pos: d.outPos, field: "outputs"}
	var out []ir.Output
	for _, f := range d.outFields {
		n := fieldNode(d.outputs, f)
		if n == nil {
			b.errorf(d.outPos, msgOutputNotSet(f.name, d.name))
			continue
		}
		o := ir.Output{Name: f.name, Type: f.typ, Description: f.desc}
		src, isSource := n.(*sourceNode)
		switch {
		case isSource && !sourceFits(src.from, d.kind):
			b.errorf(d.outPos, msgOutputSource(f.name, src.from, d.kind))
		case isSource:
			switch src.from {
			case "path":
				o.ValueFrom.Path = src.value
			case "jsonPath":
				o.ValueFrom.JSONPath = src.value
			case "jqFilter":
				o.ValueFrom.JQFilter = src.value
			case "supplied":
				o.ValueFrom.Supplied = &wfv1.SuppliedValueFrom{}
			}
		case d.kind == ir.KindDAG || d.kind == ir.KindSteps:
			before := len(b.errs)
			b.refs(s, n, false)
			if r, ok := n.(*refNode); ok {
				o.ValueFrom.Parameter = "{{" + r.placeholderPath() + "}}"
			} else {
				o.ValueFrom.Expression = renderExpr(n)
				b.site(s.at("outputs."+f.name), o.ValueFrom.Expression, f.typ, before)
			}
		default:
			before := len(b.errs)
			b.refs(s, n, false)
			o.ValueFrom.Expression = renderExpr(n)
			b.site(s.at("outputs."+f.name), o.ValueFrom.Expression, f.typ, before)
		}
		if isSource && src.from == "supplied" {
			o.Enum = f.enum
		}
		out = append(out, o)
	}
	return out
}

func sourceFits(from string, k ir.Kind) bool {
	switch from {
	case "path":
		return k == ir.KindContainer || k == ir.KindScript
	case "jsonPath", "jqFilter":
		return k == ir.KindResource
	case "supplied":
		return k == ir.KindSuspend
	}
	return false
}

func (b *builder) use(d *tmplDef) {
	if b.used == nil {
		b.used = map[*tmplDef]bool{}
	}
	b.used[d] = true
}

// unused warns about templates nothing calls in WorkflowTemplates that have
// an entrypoint (those without one are libraries: every template is API).
func (b *builder) unused() {
	for _, wt := range b.lib.wts {
		if wt.entry == nil {
			continue
		}
		for _, d := range wt.templates {
			if d == wt.entry || d == wt.onExit || b.used[d] || slices.Contains(wt.exported, d) {
				continue
			}
			b.errs = append(b.errs, &Error{Pos: d.pos, Msg: msgUnused(d.name), Warning: true})
		}
	}
}

func (b *builder) synchronization(s scope, locks []Lock) *wfv1.Synchronization {
	out := &wfv1.Synchronization{}
	for _, l := range locks {
		s.pos = l.pos
		if l.mutex != nil {
			out.Mutexes = append(out.Mutexes, &wfv1.Mutex{Name: strings.Join(b.words(s, l.mutex), "")})
			continue
		}
		out.Semaphores = append(out.Semaphores, &wfv1.SemaphoreRef{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: l.semConfig}, Key: l.semKey,
		}})
	}
	return out
}
