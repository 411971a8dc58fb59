package lint

import (
	"github.com/migratekit/migrate/internal/suggest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Knetic/govaluate"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	exprenv "github.com/argoproj/argo-workflows/v3/util/expr/env"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/parser"
)

// How Argo v3.7.18 evaluates the strings we check:
//
//   - `{{...}}` tags are found like valyala/fasttemplate does: from "{{" to
//     the first "}}" after it. A tag whose body starts with "=" is an
//     expr-lang program compiled against the function map of
//     util/expr/env.GetFuncMap (expr builtins, asInt, asFloat, jsonpath,
//     toJson, sprig.*) plus the variables in scope.
//   - `when` (tasks, steps, metrics) is NOT expr-lang: the controller
//     substitutes every tag, then parses the result with Knetic/govaluate,
//     turning bare words into strings (controller/steps.go shouldExecute).
//   - `depends` is rewritten (task names expanded, "-" replaced by "_") and
//     evaluated with expr-lang against per-task results (controller/dag.go).
//   - hooks `expression`, retryStrategy `expression`, HTTP
//     `successCondition` and CronWorkflow stopStrategy `expression` are
//     expr-lang programs, each with its own scope.

// exprScope is what an expr-lang program may refer to where it runs.
type exprScope struct {
	what  string   // what the program is, for messages
	funcs bool     // whether Argo's function map is in the environment
	roots []string // top-level variables Argo puts in the environment
}

var (
	// scopeTemplate is the scope of {{= }} tags and lifecycle hooks.
	scopeTemplate = exprScope{what: "{{= }} expression", funcs: true, roots: []string{
		"cronworkflow", "duration", "exitCode", "inputs", "item", "lastRetry", "node", "outputs",
		"pod", "resourcesDuration", "retries", "status", "steps", "tasks", "workflow",
	}}
	scopeHook  = exprScope{what: "hook expression", funcs: true, roots: scopeTemplate.roots}
	scopeRetry = exprScope{what: "retryStrategy expression", funcs: true, roots: []string{"lastRetry", "retries"}}
	scopeHTTP  = exprScope{what: "successCondition", roots: []string{"request", "response"}}
	scopeCron  = exprScope{what: "stopStrategy expression", roots: []string{"cronworkflow"}}
	// placeholders are the values tried for the {{...}} tags of a `when`.
	placeholders = []string{"placeholder", "true", "0"}
)

// argoFuncs is Argo's expression function map, built once.
var argoFuncs = sync.OnceValue(func() map[string]any {
	return exprenv.GetFuncMap(map[string]any{})
})

// builtinNames are expr-lang's builtin functions.
var builtinNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, f := range builtin.Builtins {
		m[f.Name] = true
	}
	return m
})

// tag is one {{...}} in a string.
type tag struct {
	start, end int    // byte offsets of "{{" and just after "}}"
	body       string // text between the braces
}

func (t tag) isExpr() bool { return strings.HasPrefix(t.body, "=") }

// scanTags finds the {{...}} tags of s. It returns the tags before an
// unterminated "{{" and that tag's offset, or -1 when all are terminated.
func scanTags(s string) ([]tag, int) {
	var tags []tag
	off := 0
	for {
		i := strings.Index(s[off:], "{{")
		if i < 0 {
			return tags, -1
		}
		start := off + i
		j := strings.Index(s[start+2:], "}}")
		if j < 0 {
			return tags, start
		}
		end := start + 2 + j + 2
		tags = append(tags, tag{start: start, end: end, body: s[start+2 : end-2]})
		off = end
	}
}

// substituteTags replaces every tag of s by repl.
func substituteTags(s string, tags []tag, repl string) string {
	var b strings.Builder
	prev := 0
	for _, t := range tags {
		b.WriteString(s[prev:t.start])
		b.WriteString(repl)
		prev = t.end
	}
	b.WriteString(s[prev:])
	return b.String()
}

// checkWhen checks a `when` the way the controller evaluates it: tags
// substituted, then parsed by govaluate with variables turned into strings.
// Tag values are only known at run time, so it is an error only if no
// plausible value (a word, true, 0) makes it parse. Without tags the value
// is fixed, so it is also evaluated and must be a boolean.
func (c *checker) checkWhen(p, when string) {
	if strings.TrimSpace(when) == "" {
		return
	}
	tags, open := scanTags(when)
	if open >= 0 {
		return // reported by checkTags
	}
	var firstText string
	var firstErr error
	for _, value := range placeholders {
		text := substituteTags(when, tags, value)
		e, err := parseWhen(text)
		if err == nil {
			if len(tags) == 0 {
				c.evalWhen(p, when, e)
			}
			return
		}
		if firstErr == nil {
			firstText, firstErr = text, err
		}
		if len(tags) == 0 {
			break
		}
	}
	c.report(p, msgWhenSyntax(when, firstText, len(tags) > 0, firstErr), false)
}

// parseWhen is controller/steps.go shouldExecute up to evaluation.
func parseWhen(text string) (*govaluate.EvaluableExpression, error) {
	e, err := govaluate.NewEvaluableExpression(text)
	if err != nil {
		return nil, err
	}
	tokens := e.Tokens()
	for i, tok := range tokens {
		if tok.Kind == govaluate.VARIABLE {
			tok.Kind = govaluate.STRING
			tokens[i] = tok
		}
	}
	return govaluate.NewEvaluableExpressionFromTokens(tokens)
}

func (c *checker) evalWhen(p, when string, e *govaluate.EvaluableExpression) {
	r, err := e.Evaluate(nil)
	if err != nil {
		c.report(p, msgWhenEval(when, err), false)
		return
	}
	if _, ok := r.(bool); !ok {
		c.report(p, msgWhenNotBool(when, r), false)
	}
}

// checkTags checks the {{...}} tags of a string: every "{{" is closed and
// every {{= }} body is a valid expression in Argo's environment.
func (c *checker) checkTags(p, s string) {
	tags, open := scanTags(s)
	for _, t := range tags {
		if !t.isExpr() {
			continue
		}
		for _, m := range checkExpr(strings.TrimPrefix(t.body, "="), scopeTemplate) {
			c.report(p, m, false)
		}
	}
	if open >= 0 {
		c.report(p, msgUnterminatedTag(s, open), false)
	}
}

// checkExpr parses and compiles an expr-lang program for scope and returns
// one message per problem: a syntax error, or names that are not in scope
// (unknown functions and variables), or a compile error such as a wrong
// number of arguments to a builtin.
func checkExpr(src string, scope exprScope) []string {
	if strings.TrimSpace(src) == "" {
		return []string{msgExprEmpty(scope.what)}
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return []string{msgExprSyntax(scope.what, src, err)}
	}
	if msgs := unknownNames(tree, src, scope); len(msgs) > 0 {
		return msgs
	}
	env := map[string]any{}
	if scope.funcs {
		env = argoFuncs()
	}
	if _, err := expr.Compile(src, expr.Env(env), expr.AllowUndefinedVariables()); err != nil {
		return []string{msgExprCompile(scope.what, src, err)}
	}
	return nil
}

// nameVisitor collects the identifiers of a program that are not defined.
type nameVisitor struct {
	known    map[string]bool
	sprig    map[string]any // nil when sprig is not in scope
	unknown  []string
	seen     map[string]bool
	badSprig []string
}

func (v *nameVisitor) Visit(n *ast.Node) {
	switch node := (*n).(type) {
	case *ast.MemberNode:
		id, ok := node.Node.(*ast.IdentifierNode)
		prop, isStr := node.Property.(*ast.StringNode)
		if ok && isStr && id.Value == "sprig" && v.sprig != nil {
			if _, found := v.sprig[prop.Value]; !found && !v.seen["sprig."+prop.Value] {
				v.seen["sprig."+prop.Value] = true
				v.badSprig = append(v.badSprig, prop.Value)
			}
		}
	case *ast.IdentifierNode:
		if !v.known[node.Value] && !v.seen[node.Value] {
			v.seen[node.Value] = true
			v.unknown = append(v.unknown, node.Value)
		}
	}
}

func unknownNames(tree *parser.Tree, src string, scope exprScope) []string {
	known := map[string]bool{"$env": true}
	for name := range builtinNames() {
		known[name] = true
	}
	var sprig map[string]any
	if scope.funcs {
		for name := range argoFuncs() {
			known[name] = true
		}
		sprig, _ = argoFuncs()["sprig"].(map[string]any)
	}
	for _, r := range scope.roots {
		known[r] = true
	}
	// Variables declared with `let` are defined everywhere after parsing;
	// their scope is not tracked, which only makes the check more lenient.
	ast.Find(tree.Node, func(n ast.Node) bool {
		if d, ok := n.(*ast.VariableDeclaratorNode); ok {
			known[d.Name] = true
		}
		return false
	})
	called := map[string]bool{}
	ast.Find(tree.Node, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallNode); ok {
			if id, ok := c.Callee.(*ast.IdentifierNode); ok {
				called[id.Value] = true
			}
		}
		return false
	})
	v := &nameVisitor{known: known, sprig: sprig, seen: map[string]bool{}}
	ast.Walk(&tree.Node, v)
	var msgs []string
	for _, name := range v.unknown {
		if called[name] {
			msgs = append(msgs, msgExprUnknownFunc(scope.what, src, name, closestName(name, knownFuncs(scope)), scope.funcs))
		} else {
			msgs = append(msgs, msgExprUnknownVar(scope.what, src, name, scope.roots, closestName(name, scope.roots)))
		}
	}
	for _, name := range v.badSprig {
		msgs = append(msgs, msgExprUnknownSprig(src, name, closestName(name, keys(sprig))))
	}
	return msgs
}

// knownFuncs lists the functions callable in scope.
func knownFuncs(scope exprScope) []string {
	var names []string
	for name := range builtinNames() {
		names = append(names, name)
	}
	if scope.funcs {
		for name, f := range argoFuncs() {
			if name != "sprig" && f != nil {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// closestName returns the candidate closest to name (ignoring case first, then
// by edit distance: at most 2, or 3 for names of five or more bytes), or "".
func closestName(name string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
	}
	best, bestD := "", 3
	if len(name) >= 5 {
		bestD = 4
	}
	for _, c := range candidates {
		if d := suggest.Distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// taskResults mirrors controller/dag.go TaskResults: what a `depends`
// expression sees of each dependency.
type taskResults struct {
	Succeeded    bool
	Failed       bool
	Errored      bool
	Skipped      bool
	Omitted      bool
	Daemoned     bool
	AnySucceeded bool
	AllFailed    bool
}

// dagContext is Argo's common.DagContext over one DAG's tasks.
type dagContext struct {
	tasks map[string]*wfv1.DAGTask
	deps  map[string][]string
}

func (d *dagContext) GetTask(name string) *wfv1.DAGTask {
	if t, ok := d.tasks[name]; ok {
		return t
	}
	return &wfv1.DAGTask{Name: name}
}

func (d *dagContext) GetTaskDependencies(name string) []string {
	if deps, ok := d.deps[name]; ok {
		return deps
	}
	d.deps[name] = nil // break cycles; Argo reports them
	m, _ := common.GetTaskDependencies(d.GetTask(name), d)
	var deps []string
	for dep := range m {
		deps = append(deps, dep)
	}
	d.deps[name] = deps
	return deps
}

func (d *dagContext) GetTaskFinishedAtTime(string) time.Time { return time.Time{} }

// checkDepends compiles every `depends` of a DAG the way the controller
// evaluates it. Undefined tasks and invalid results (".Suceeded") are left
// to Argo's validator, which reports them.
func (c *checker) checkDepends(dag *wfv1.DAGTemplate, dagPath string) {
	ctx := &dagContext{tasks: map[string]*wfv1.DAGTask{}, deps: map[string][]string{}}
	for i := range dag.Tasks {
		ctx.tasks[dag.Tasks[i].Name] = &dag.Tasks[i]
	}
	for i := range dag.Tasks {
		task := &dag.Tasks[i]
		if strings.TrimSpace(task.Depends) == "" {
			continue
		}
		if common.ValidateTaskResults(task) != nil {
			continue
		}
		deps, logic := common.GetTaskDependencies(task, ctx)
		env := map[string]any{}
		defined := true
		for dep := range deps {
			if _, ok := ctx.tasks[dep]; !ok {
				defined = false
			}
			env[strings.ReplaceAll(dep, "-", "_")] = taskResults{}
		}
		if !defined {
			continue
		}
		evalLogic := strings.ReplaceAll(logic, "-", "_")
		if _, err := expr.Compile(evalLogic, expr.Env(env), expr.AsBool()); err != nil {
			c.report(joinKey(joinIndex(joinKey(dagPath, "tasks"), i), "depends"), msgDependsSyntax(task.Depends, evalLogic, err), false)
		}
	}
}
