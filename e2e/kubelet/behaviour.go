package kubelet

import (
	"path"
	"regexp"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Behaviour is what one pod's main container does.
type Behaviour struct {
	Exit    int               `json:"exit,omitempty"`    // exit code of the main container
	Message string            `json:"message,omitempty"` // its termination message
	Outputs map[string]string `json:"outputs,omitempty"` // content of each output parameter's file, by parameter name
	Stdout  string            `json:"stdout,omitempty"`  // what it prints: outputs.result when the workflow uses it
	Error   string            `json:"error,omitempty"`   // the executor fails with this message: Argo marks the node Error, not Failed
	Delay   metav1.Duration   `json:"delay,omitempty"`   // how long it runs
}

// Rule gives a behaviour to the pods it matches. Every matcher set must
// match; an empty rule matches every pod.
type Rule struct {
	Template string            `json:"template,omitempty"` // template name
	Node     string            `json:"node,omitempty"`     // node path pattern (path.Match), e.g. update-hosts.host(1:h2).post-check
	Item     string            `json:"item,omitempty"`     // a loop item on the node's path
	Inputs   map[string]string `json:"inputs,omitempty"`   // input parameter values
	// Times limits the rule to the first Times attempts of each step it
	// matches (retries of one step count together); 0 means every attempt.
	Times int `json:"times,omitempty"`
	Behaviour
}

// Step is what rules are matched against.
type Step struct {
	Template string
	Path     string // node path without the workflow's name and without retry attempts
	Inputs   map[string]string
}

// plan holds the rules of one workflow and counts the attempts each rule
// has answered, per step.
type plan struct {
	mu    sync.Mutex
	rules []Rule
	used  []map[string]int
}

func newPlan(rules []Rule) *plan {
	p := &plan{rules: rules, used: make([]map[string]int, len(rules))}
	for i := range p.used {
		p.used[i] = map[string]int{}
	}
	return p
}

// behaviour returns the behaviour of the first rule that matches s and is
// not used up; the default is to succeed at once with no outputs.
func (p *plan) behaviour(s Step) Behaviour {
	if p == nil {
		return Behaviour{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.rules {
		if !r.matches(s) {
			continue
		}
		if r.Times > 0 && p.used[i][s.Path] >= r.Times {
			continue
		}
		p.used[i][s.Path]++
		return r.Behaviour
	}
	return Behaviour{}
}

func (r Rule) matches(s Step) bool {
	if r.Template != "" && r.Template != s.Template {
		return false
	}
	if r.Node != "" {
		if ok, _ := path.Match(r.Node, s.Path); !ok {
			return false
		}
	}
	if r.Item != "" && !regexp.MustCompile(`\(\d+:`+regexp.QuoteMeta(r.Item)+`\)`).MatchString(s.Path) {
		return false
	}
	for k, v := range r.Inputs {
		if got, ok := s.Inputs[k]; !ok || got != v {
			return false
		}
	}
	return true
}

var attemptSuffix = regexp.MustCompile(`\(\d+\)(\.|$)`)

// StepPath turns a node name into the path rules and expectations use: the
// workflow's name and retry attempts ("(0)", "(1)") are dropped, loop items
// ("(1:h2)") are kept.
func StepPath(workflow, nodeName string) string {
	p := NodePath(workflow, nodeName)
	return attemptSuffix.ReplaceAllString(p, "$1")
}

// NodePath is a node's name without the workflow's name: "task.sub" for
// DAGs, "[0].step" for steps templates; the root node's path is ".".
func NodePath(workflow, nodeName string) string {
	if nodeName == workflow {
		return "."
	}
	if rest, ok := strings.CutPrefix(nodeName, workflow); ok {
		switch {
		case strings.HasPrefix(rest, "."): // a DAG's task: wf.task
			return rest[1:]
		case strings.HasPrefix(rest, "["): // a steps template's step: wf[0].step
			return rest
		}
	}
	return nodeName
}
