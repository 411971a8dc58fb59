// Package argorun executes compiled templates the way Argo Workflows
// v3.7.18 does, for tests: DAGs (depends, when, arguments, outputs), HTTP
// templates (the agent's request and successCondition), retry strategies,
// and container or script templates through a function the test supplies.
//
// It does not re-implement what it can call: templates are processed with
// Argo's common.ProcessArgs, task arguments and `when` with Argo's
// util/template.ReplaceStrictAny, expressions with expr-lang in the
// environment of Argo's util/expr/env, depends with Argo's
// common.GetTaskDependencies and util/expr/argoexpr. What it copies (a few
// lines each, marked) is code Argo does not export: the `when` evaluation
// with govaluate, the agent's HTTP execution and the evaluation of template
// outputs.
//
// Not supported (an error says so): loops (withItems, withParam), steps
// templates, hooks, suspend and resource templates, artifacts. Retry
// backoffs are scaled by Runner.BackoffScale to keep tests short.
package argorun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Knetic/govaluate"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/util/expr/argoexpr"
	"github.com/argoproj/argo-workflows/v3/util/expr/env"
	"github.com/argoproj/argo-workflows/v3/util/template"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/expr-lang/expr"
)

// Pod runs a container or script template (its inputs already
// substituted) and returns its outputs. A non-nil error fails the node.
type Pod func(ctx context.Context, tmpl *wfv1.Template) (*wfv1.Outputs, error)

// Runner runs the templates of one WorkflowTemplate as one workflow.
type Runner struct {
	Templates []wfv1.Template
	// Globals are the workflow's variables: workflow.uid, workflow.name, ...
	Globals map[string]string
	// Secrets holds the values of Secret keys, as "secret/key".
	Secrets map[string]string
	// Pods runs container and script templates, by template name.
	Pods map[string]Pod
	// Scripts runs script templates that Pods lacks on this machine, with
	// their interpreter (sh, say) and their environment, as the pod would.
	Scripts bool
	// Transport sends the HTTP templates' requests; nil: http.DefaultTransport.
	Transport http.RoundTripper
	// BackoffScale multiplies retry backoff durations; 0 means 0.001.
	BackoffScale float64

	// Requests counts the HTTP requests sent; PodsRun the pods run.
	Requests, PodsRun atomic.Int64

	once   sync.Once
	byName map[string]*wfv1.Template
	client *http.Client
}

// Node is an executed template.
type Node struct {
	Name     string
	Template string
	Phase    wfv1.NodePhase
	Message  string
	Outputs  *wfv1.Outputs
	Attempts int // tries, when the template has a retry strategy
	Children []*Node
}

// Output is the value of an output parameter, or "" with ok false.
func (n *Node) Output(name string) (string, bool) {
	if n.Outputs == nil {
		return "", false
	}
	for _, p := range n.Outputs.Parameters {
		if p.Name == name && p.Value != nil {
			return p.Value.String(), true
		}
	}
	return "", false
}

// Child is the node of the named task, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.byName = map[string]*wfv1.Template{}
		for i := range r.Templates {
			r.byName[r.Templates[i].Name] = &r.Templates[i]
		}
		t := r.Transport
		if t == nil {
			t = http.DefaultTransport
		}
		r.client = &http.Client{Transport: countingTransport{t, &r.Requests}}
	})
}

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// Run executes template name with the given arguments as the node named
// nodeName.
func (r *Runner) Run(ctx context.Context, nodeName, name string, args map[string]string) *Node {
	r.init()
	var params []wfv1.Parameter
	for k, v := range args {
		params = append(params, wfv1.Parameter{Name: k, Value: wfv1.AnyStringPtr(v)})
	}
	return r.execute(ctx, nodeName, name, wfv1.Arguments{Parameters: params})
}

func (r *Runner) execute(ctx context.Context, nodeName, name string, args wfv1.Arguments) *Node {
	n := &Node{Name: nodeName, Template: name}
	tmpl, ok := r.byName[name]
	if !ok {
		return n.fail(wfv1.NodeError, "template %q not found", name)
	}
	// As operator.go executeTemplate: inputs and globals substituted, with
	// node.name a local parameter.
	processed, err := common.ProcessArgs(tmpl, &args, r.Globals, common.Parameters{"node.name": nodeName}, false, "", nil)
	if err != nil {
		return n.fail(wfv1.NodeError, "%v", err)
	}
	if processed.RetryStrategy == nil {
		r.once1(ctx, n, processed)
		return n
	}
	return r.retry(ctx, n, processed)
}

func (n *Node) fail(phase wfv1.NodePhase, format string, a ...any) *Node {
	n.Phase = phase
	n.Message = fmt.Sprintf(format, a...)
	return n
}

// once1 runs one attempt of a processed template into n.
func (r *Runner) once1(ctx context.Context, n *Node, t *wfv1.Template) {
	switch {
	case t.DAG != nil:
		r.dag(ctx, n, t)
	case t.HTTP != nil:
		r.http(ctx, n, t)
	case t.Container != nil || t.Script != nil:
		pod := r.Pods[t.Name]
		if pod == nil && r.Scripts && t.Script != nil {
			pod = r.script
		}
		if pod == nil {
			n.fail(wfv1.NodeError, "no pod for template %q", t.Name)
			return
		}
		r.PodsRun.Add(1)
		out, err := pod(ctx, t)
		n.Outputs = out
		if err != nil {
			n.fail(wfv1.NodeFailed, "%v", err)
			return
		}
		if out != nil && out.ExitCode != nil && *out.ExitCode != "0" {
			n.fail(wfv1.NodeFailed, "Error (exit code %s)", *out.ExitCode)
			return
		}
		n.Phase = wfv1.NodeSucceeded
	default:
		n.fail(wfv1.NodeError, "template %q: kind not supported by argorun", t.Name)
	}
}

// retry runs attempts as operator.go processNodeRetries decides them.
func (r *Runner) retry(ctx context.Context, n *Node, t *wfv1.Template) *Node {
	rs := t.RetryStrategy
	limit := math.MaxInt32
	if rs.Limit != nil {
		limit = rs.Limit.IntValue()
	}
	policy := rs.RetryPolicyActual()
	for attempt := 0; ; attempt++ {
		child := &Node{Name: fmt.Sprintf("%s(%d)", n.Name, attempt), Template: t.Name}
		r.once1(ctx, child, t)
		n.Children = append(n.Children, child)
		n.Attempts = attempt + 1
		n.Outputs, n.Phase, n.Message = child.Outputs, child.Phase, child.Message
		if child.Phase == wfv1.NodeSucceeded || ctx.Err() != nil {
			return n
		}
		retryable := policy == wfv1.RetryPolicyAlways ||
			(policy == wfv1.RetryPolicyOnFailure && child.Phase == wfv1.NodeFailed) ||
			(policy == wfv1.RetryPolicyOnError && child.Phase == wfv1.NodeError)
		if !retryable {
			return n
		}
		if attempt+1 > limit {
			n.Message = "No more retries left"
			return n
		}
		if rs.Expression != "" {
			exit := "0"
			if c, ok := exitCode(child); ok {
				exit = c
			}
			scope := env.GetFuncMap(map[string]any{
				"retries":            fmt.Sprint(attempt),
				"lastRetry.exitCode": exit,
				"lastRetry.status":   string(child.Phase),
				"lastRetry.duration": "0",
				"lastRetry.message":  child.Message,
			})
			ok, err := argoexpr.EvalBool(rs.Expression, scope)
			if err != nil {
				return n.fail(wfv1.NodeError, "retryStrategy.expression: %v", err)
			}
			if !ok {
				n.Message = "retryStrategy.expression evaluated to false"
				return n
			}
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(r.backoff(rs.Backoff, attempt)):
		}
	}
}

func exitCode(n *Node) (string, bool) {
	if n.Outputs != nil && n.Outputs.ExitCode != nil {
		return *n.Outputs.ExitCode, true
	}
	return "", false
}

func (r *Runner) backoff(b *wfv1.Backoff, attempt int) time.Duration {
	if b == nil || b.Duration == "" {
		return 0
	}
	d, err := wfv1.ParseStringToDuration(b.Duration)
	if err != nil {
		return 0
	}
	f := 1
	if b.Factor != nil {
		f = b.Factor.IntValue()
	}
	total := float64(d) * math.Pow(float64(f), float64(attempt))
	scale := r.BackoffScale
	if scale == 0 {
		scale = 0.001
	}
	return time.Duration(total * scale)
}

// http executes an HTTP template as the agent does (executor/agent.go
// executeHTTPTemplate, copied).
func (r *Runner) http(ctx context.Context, n *Node, t *wfv1.Template) {
	h := t.HTTP
	if h.TimeoutSeconds != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.TimeoutSeconds)*time.Second)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, h.Method, h.URL, bytes.NewBufferString(h.Body))
	if err != nil {
		n.fail(wfv1.NodeFailed, "%v", err)
		return
	}
	for _, hd := range h.Headers {
		v := hd.Value
		if hd.ValueFrom != nil && hd.ValueFrom.SecretKeyRef != nil {
			ref := hd.ValueFrom.SecretKeyRef
			s, ok := r.Secrets[ref.Name+"/"+ref.Key]
			if !ok {
				n.fail(wfv1.NodeFailed, "secret %s key %s not found", ref.Name, ref.Key)
				return
			}
			v = s
		}
		if strings.EqualFold(hd.Name, "host") {
			req.Host = v
		} else {
			req.Header.Add(hd.Name, v)
		}
	}
	resp, err := r.client.Do(req)
	if err != nil {
		n.fail(wfv1.NodeFailed, "%v", err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		n.fail(wfv1.NodeFailed, "%v", err)
		return
	}
	result := string(body)
	n.Outputs = &wfv1.Outputs{Result: &result}
	n.Phase = wfv1.NodeSucceeded
	if h.SuccessCondition == "" {
		if resp.StatusCode < 200 || resp.StatusCode >= 300 {
			n.fail(wfv1.NodeFailed, "received non-2xx response code: %d", resp.StatusCode)
		}
		return
	}
	scope := map[string]any{
		"request": map[string]any{
			"method": h.Method, "url": h.URL, "body": h.Body, "bodyBytes": h.GetBodyBytes(), "headers": h.Headers.ToHeader(),
		},
		"response": map[string]any{"statusCode": resp.StatusCode, "body": result, "headers": resp.Header},
	}
	ok, err := argoexpr.EvalBool(h.SuccessCondition, scope)
	if err != nil {
		n.fail(wfv1.NodeFailed, "%v", err)
		return
	}
	if !ok {
		n.fail(wfv1.NodeFailed, "successCondition '%s' evaluated false", h.SuccessCondition)
	}
}

// taskResults is controller/dag.go TaskResults.
type taskResults struct {
	Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed bool
}

type dagCtx struct {
	tasks map[string]*wfv1.DAGTask
	deps  map[string][]string
}

func (d *dagCtx) GetTask(name string) *wfv1.DAGTask { return d.tasks[name] }
func (d *dagCtx) GetTaskDependencies(name string) []string {
	if deps, ok := d.deps[name]; ok {
		return deps
	}
	m, _ := common.GetTaskDependencies(d.tasks[name], d)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	d.deps[name] = out
	return out
}
func (d *dagCtx) GetTaskFinishedAtTime(string) time.Time { return time.Time{} }

// dag runs a DAG's tasks in dependency order, one at a time.
func (r *Runner) dag(ctx context.Context, n *Node, t *wfv1.Template) {
	dc := &dagCtx{tasks: map[string]*wfv1.DAGTask{}, deps: map[string][]string{}}
	for i := range t.DAG.Tasks {
		dc.tasks[t.DAG.Tasks[i].Name] = &t.DAG.Tasks[i]
	}
	// The scope, as operator.go buildLocalScope and scope.go keep it:
	// the template's inputs, then each finished task's variables.
	scope := map[string]any{}
	for _, p := range t.Inputs.Parameters {
		if p.Value != nil {
			scope["inputs.parameters."+p.Name] = p.Value.String()
		}
	}
	done := map[string]*Node{}
	for len(done) < len(t.DAG.Tasks) {
		progressed := false
		for i := range t.DAG.Tasks {
			task := &t.DAG.Tasks[i]
			if done[task.Name] != nil {
				continue
			}
			deps, logic := common.GetTaskDependencies(task, dc)
			ready := true
			results := map[string]taskResults{}
			for dep := range deps {
				dn := done[dep]
				if dn == nil {
					ready = false
					break
				}
				results[strings.ReplaceAll(dep, "-", "_")] = taskResults{
					Succeeded: dn.Phase == wfv1.NodeSucceeded, Failed: dn.Phase == wfv1.NodeFailed,
					Errored: dn.Phase == wfv1.NodeError, Skipped: dn.Phase == wfv1.NodeSkipped,
					Omitted: dn.Phase == wfv1.NodeOmitted,
				}
			}
			if !ready {
				continue
			}
			progressed = true
			child := r.task(ctx, n.Name+"."+task.Name, task, logic, results, scope)
			child.Name = task.Name
			done[task.Name] = child
			n.Children = append(n.Children, child)
			r.addToScope(scope, "tasks."+task.Name, child)
		}
		if !progressed {
			n.fail(wfv1.NodeError, "DAG %s: dependencies cannot be met", t.Name)
			return
		}
	}
	n.Phase = r.dagPhase(t, done)
	if n.Phase != wfv1.NodeSucceeded {
		n.Message = "a task failed"
		return
	}
	out, err := outputs(t, scope)
	if err != nil {
		n.fail(wfv1.NodeFailed, "outputs: %v", err)
		return
	}
	n.Outputs = out
}

// task runs one DAG task: depends, when, arguments (dag.go
// executeDAGTask and resolveDependencyReferences).
func (r *Runner) task(ctx context.Context, nodeName string, task *wfv1.DAGTask, logic string, results map[string]taskResults, scope map[string]any) *Node {
	n := &Node{Template: task.Template}
	if logic != "" {
		ok, err := argoexpr.EvalBool(strings.ReplaceAll(logic, "-", "_"), results)
		if err != nil {
			return n.fail(wfv1.NodeError, "depends: %v", err)
		}
		if !ok {
			n.Phase = wfv1.NodeOmitted
			return n
		}
	}
	params := map[string]any{}
	for k, v := range r.Globals {
		params[k] = v
	}
	for k, v := range scope {
		params[k] = v
	}
	if task.When != "" {
		wb, _ := json.Marshal(task.When)
		s, err := template.ReplaceStrictAny(string(wb), params, []string{"tasks", "steps"})
		if err != nil {
			return n.fail(wfv1.NodeError, "when: %v", err)
		}
		var when string
		if err := json.Unmarshal([]byte(s), &when); err != nil {
			return n.fail(wfv1.NodeError, "when: %v", err)
		}
		ok, err := shouldExecute(when)
		if err != nil {
			return n.fail(wfv1.NodeError, "when: %v", err)
		}
		if !ok {
			n.Phase = wfv1.NodeSkipped
			return n
		}
	}
	if task.WithItems != nil || task.WithParam != "" || len(task.Hooks) > 0 || task.TemplateRef != nil {
		return n.fail(wfv1.NodeError, "task %s: loops, hooks and templateRef are not supported by argorun", task.Name)
	}
	tb, _ := json.Marshal(task.Arguments)
	s, err := template.ReplaceStrictAny(string(tb), params, []string{"tasks", "steps"})
	if err != nil {
		return n.fail(wfv1.NodeError, "arguments: %v", err)
	}
	var args wfv1.Arguments
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		return n.fail(wfv1.NodeError, "arguments: %v", err)
	}
	return r.execute(ctx, nodeName, task.Template, args)
}

// addToScope adds a finished task's variables (operator.go buildLocalScope
// and scope.go addSkippedNodeOutputsToScope).
func (r *Runner) addToScope(scope map[string]any, prefix string, n *Node) {
	scope[prefix+".status"] = string(n.Phase)
	if n.Outputs != nil {
		if n.Outputs.Result != nil {
			scope[prefix+".outputs.result"] = *n.Outputs.Result
		}
		for _, p := range n.Outputs.Parameters {
			if p.Value != nil {
				scope[prefix+".outputs.parameters."+p.Name] = p.Value.String()
			}
		}
		return
	}
	if n.Phase != wfv1.NodeSkipped && n.Phase != wfv1.NodeOmitted {
		return
	}
	if tmpl := r.byName[n.Template]; tmpl != nil {
		for _, p := range tmpl.Outputs.Parameters {
			if p.ValueFrom != nil && p.ValueFrom.Default != nil {
				scope[prefix+".outputs.parameters."+p.Name] = p.ValueFrom.Default.String()
			} else {
				scope[prefix+".outputs.parameters."+p.Name] = nil
			}
		}
	}
}

// dagPhase is dag.go assessDAGPhase for DAGs without continueOn: the DAG
// fails when a leaf task's branch failed; an omitted or skipped task
// inherits the phase of the branch above it.
func (r *Runner) dagPhase(t *wfv1.Template, done map[string]*Node) wfv1.NodePhase {
	hasChild := map[string]bool{}
	dc := &dagCtx{tasks: map[string]*wfv1.DAGTask{}, deps: map[string][]string{}}
	for i := range t.DAG.Tasks {
		dc.tasks[t.DAG.Tasks[i].Name] = &t.DAG.Tasks[i]
	}
	for name := range dc.tasks {
		for _, d := range dc.GetTaskDependencies(name) {
			hasChild[d] = true
		}
	}
	var branch func(name string) wfv1.NodePhase
	branch = func(name string) wfv1.NodePhase {
		n := done[name]
		if n.Phase.Completed() {
			return n.Phase
		}
		phase := wfv1.NodeSucceeded
		for _, d := range dc.GetTaskDependencies(name) {
			if p := branch(d); p.FailedOrError() {
				phase = p
			}
		}
		return phase
	}
	for name := range dc.tasks {
		if !hasChild[name] && branch(name).FailedOrError() {
			return wfv1.NodeFailed
		}
	}
	return wfv1.NodeSucceeded
}

// outputs is operator.go getTemplateOutputsFromScope with scope.go
// resolveParameter (copied).
func outputs(t *wfv1.Template, scope map[string]any) (*wfv1.Outputs, error) {
	if len(t.Outputs.Parameters) == 0 {
		return nil, nil
	}
	out := &wfv1.Outputs{}
	for _, p := range t.Outputs.Parameters {
		var val any
		switch {
		case p.ValueFrom == nil:
			return nil, fmt.Errorf("output parameters must have a valueFrom specified")
		case p.ValueFrom.Expression != "":
			e := env.GetFuncMap(scope)
			prog, err := expr.Compile(p.ValueFrom.Expression, expr.Env(e))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
			val, err = expr.Run(prog, e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
		default:
			v, err := template.ResolveVar(p.ValueFrom.Parameter, scope)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
			val = v
		}
		if val == nil {
			if p.ValueFrom.Default == nil {
				return nil, fmt.Errorf("output parameter %q is an absent optional", p.Name)
			}
			val = p.ValueFrom.Default.String()
		}
		out.Parameters = append(out.Parameters, wfv1.Parameter{Name: p.Name, Value: wfv1.AnyStringPtr(val)})
	}
	return out, nil
}

// shouldExecute is controller/steps.go shouldExecute (copied).
func shouldExecute(when string) (bool, error) {
	if when == "" {
		return true, nil
	}
	expression, err := govaluate.NewEvaluableExpression(when)
	if err != nil {
		return false, fmt.Errorf("invalid 'when' expression '%s': %v", when, err)
	}
	tokens := expression.Tokens()
	for i, tok := range tokens {
		if tok.Kind == govaluate.VARIABLE {
			tok.Kind = govaluate.STRING
			tokens[i] = tok
		}
	}
	expression, err = govaluate.NewEvaluableExpressionFromTokens(tokens)
	if err != nil {
		return false, fmt.Errorf("failed to parse 'when' expression '%s': %v", when, err)
	}
	result, err := expression.Evaluate(nil)
	if err != nil {
		return false, fmt.Errorf("failed to evaluate 'when' expression '%s': %v", when, err)
	}
	b, ok := result.(bool)
	if !ok {
		return false, fmt.Errorf("expected boolean evaluation for '%s', got %v", when, result)
	}
	return b, nil
}

// script runs a script template here: its source in a file, run by its
// command, with its environment; stdout is the result.
func (r *Runner) script(ctx context.Context, t *wfv1.Template) (*wfv1.Outputs, error) {
	f, err := os.CreateTemp("", "argorun-script-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(t.Script.Source); err != nil {
		return nil, err
	}
	f.Close()
	args := append(append([]string{}, t.Script.Command[1:]...), f.Name())
	cmd := exec.CommandContext(ctx, t.Script.Command[0], args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range t.Script.Env {
		v := e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			v = r.Secrets[e.ValueFrom.SecretKeyRef.Name+"/"+e.ValueFrom.SecretKeyRef.Key]
		}
		cmd.Env = append(cmd.Env, e.Name+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	result := strings.TrimSpace(stdout.String())
	code := "0"
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return nil, err
		}
		code = fmt.Sprint(ee.ExitCode())
	}
	return &wfv1.Outputs{Result: &result, ExitCode: &code}, nil
}
