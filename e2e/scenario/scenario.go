// Package scenario reads and runs e2e scenarios. A scenario is a txtar
// file: its comment says what the scenario proves; scenario.yaml lists what
// an operator does (argo and kubectl command lines, an etcd restart), how
// the pods behave and what each workflow must look like; the other .yaml
// files are installed first unless a step names them. See e2e/README.md.
package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/tools/txtar"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/migratekit/migrate/e2e/kubelet"
)

// Scenario is what an operator does on the cluster, step by step, and
// what each workflow must look like.
type Scenario struct {
	Name  string            `json:"-"` // the file's name without .txtar: the first Workflow's name
	About string            `json:"-"` // the txtar comment
	Files map[string][]byte `json:"-"` // the other .yaml files: installed before the steps, unless a step uses them

	// The short form: submit one WorkflowTemplate and check the run. It
	// is the same as the steps
	//   - argo: submit --from workflowtemplate/NAME [--entrypoint E] [-p k=v]...
	//     pods: PODS
	//   - want: WANT
	WorkflowTemplate string            `json:"workflowTemplate,omitempty"`
	Entrypoint       string            `json:"entrypoint,omitempty"`
	Arguments        map[string]string `json:"arguments,omitempty"` // ${VAR} expands (see Step)
	Pods             []kubelet.Rule    `json:"pods,omitempty"`      // first matching rule wins; unmatched pods succeed
	Want             *Want             `json:"want,omitempty"`

	Steps []Step `json:"steps,omitempty"`

	// Compile compiles a migration config with the migration library and
	// adds its files under run/ (run/migration.yaml, run/workflow.yaml,
	// ...), as `migrate compile -o run` would write them.
	Compile *Compile `json:"compile,omitempty"`

	Timeout metav1.Duration `json:"timeout,omitempty"` // for the whole scenario; default 3m
	// Bug names a known defect of the library under test that makes the
	// run differ from Want: the differences are reported, not failed, and
	// the scenario fails once they are gone, so the line gets removed.
	Bug string `json:"bug,omitempty"`
	// Differs names, by Argo version (v3, v4), a known difference of that
	// version with its upstream reason: like Bug, for one version only.
	Differs map[string]string `json:"differs,omitempty"`
}

// Compile names a migration config among the scenario's files.
//
// Its bookkeeping endpoint is set to the scenario's etcd, as a user names
// theirs: every compiled migration memoizes its steps there.
type Compile struct {
	// Config is a file of the scenario, or else a path in the repository
	// (testdata/migration/configs/single.yaml).
	Config string `json:"config"`
	// More compiles other configs the same way, by directory: {run2:
	// changed.yaml} writes run2/workflow.yaml, run2/units.yaml, ... (a
	// changed config resubmitted in the same scenario).
	More map[string]string `json:"more,omitempty"`
}

// Step is one thing the operator does, or one expectation; exactly one of
// Argo, Kubectl, Await, Want and Etcd is set. In every string, ${WF} is the
// latest workflow, ${WF1}, ${WF2}, ... each one submitted, ${ETCD_URL} the
// scenario's bookkeeping etcd, ${NAMESPACE} the namespace.
type Step struct {
	// Argo is an argo command line: submit, resume, stop, terminate,
	// retry or node set, with the CLI's flags. A submission is named
	// after the scenario (NAME, then NAME-2, ...) unless it gives --name
	// or --generate-name.
	Argo string `json:"argo,omitempty"`
	// Pods are the rules for the pods of the workflow a submit or retry
	// starts (a retry's rules replace the earlier ones).
	Pods []kubelet.Rule `json:"pods,omitempty"`
	// Error is a substring of the error the command must fail with.
	Error string `json:"error,omitempty"`
	// UntilDone repeats Argo (say, a plain resume) each time a node of
	// the latest workflow waits (a suspend node is running), until the
	// workflow completes.
	UntilDone bool `json:"untilDone,omitempty"`

	// Kubectl is `apply -f FILE`, `create -f FILE` or `delete KIND/NAME`,
	// FILE being one of the scenario's files. A created Workflow becomes
	// ${WF}, with Pods as its rules.
	Kubectl string `json:"kubectl,omitempty"`

	// Await waits until a node of the latest workflow has a phase.
	Await *Await `json:"await,omitempty"`

	// Want waits until Workflow (default: the latest) has completed, then
	// checks it.
	Want     *Want  `json:"want,omitempty"`
	Workflow string `json:"workflow,omitempty"`

	// Etcd stops, starts or restarts the bookkeeping etcd.
	Etcd string `json:"etcd,omitempty"`
}

// Await is a node to wait for.
type Await struct {
	Node  Match  `json:"node"`
	Phase string `json:"phase,omitempty"` // default Running
}

// Want is what a workflow must look like once it has completed.
type Want struct {
	Phase string            `json:"phase"`           // the workflow's final phase
	Nodes map[string]string `json:"nodes,omitempty"` // node path -> phase, or "absent" for no such node
	// Match checks nodes found by display name, template, unit or path.
	Match []Match `json:"match,omitempty"`
	// Order checks that, within each branch (a loop item's subtree, or the
	// whole workflow outside loops), the nodes matched by Then started
	// after the nodes matched by First had finished.
	Order     []Order `json:"order,omitempty"`
	Pods      *int    `json:"pods,omitempty"`      // pods the controller created, agent included
	WorkPods  *int    `json:"workPods,omitempty"`  // pods that ran a step (container, script, resource)
	AgentPods *int    `json:"agentPods,omitempty"` // agent pods (HTTP templates)
	// Runs lists the pods run, by step path, in groups: a group is one
	// path or a list of paths that may run in any order. Every run of a
	// group starts after every run of the groups before it has ended.
	Runs        []Group `json:"runs,omitempty"`
	MaxParallel int     `json:"maxParallel,omitempty"` // most pods running at once
	// Objects are cluster objects that must exist (with fields) or not.
	Objects []Object `json:"objects,omitempty"`
	// Etcd are keys of the bookkeeping etcd.
	Etcd []EtcdWant `json:"etcd,omitempty"`
	// OnceEach: across every workflow of the scenario wanted so far (this
	// one included, each at its latest want), no step template ran more
	// than once for one unit (input "id"): work shared by concurrent
	// workflows was done once. AllWorkPods counts those runs.
	OnceEach    bool `json:"onceEach,omitempty"`
	AllWorkPods *int `json:"allWorkPods,omitempty"`
	// Env checks the environment the work pods' main containers received,
	// as the kubelet resolved it (ConfigMap and Secret keys included).
	Env []EnvWant `json:"env,omitempty"`
}

// EnvWant is an environment variable of the work pods it finds (by
// template and unit id; at least one must be found): its value equals
// Value, or the content of File (a scenario file, or run/units/ID.json for
// a compiled unit), and contains each of Contains.
type EnvWant struct {
	Template string   `json:"template,omitempty"`
	Unit     string   `json:"unit,omitempty"` // the pod's input "id"
	Name     string   `json:"name"`
	Value    *string  `json:"value,omitempty"`
	File     string   `json:"file,omitempty"` // ${VAR} expands
	Contains []string `json:"contains,omitempty"`
}

// Match finds nodes and says what they must be. The finders that are set
// must all hold; attempts of a retried step are not found (their Retry
// node is). Without Count, at least one node must be found, unless NotRun.
type Match struct {
	DisplayName string `json:"displayName,omitempty"`
	Template    string `json:"template,omitempty"`
	// Unit is a unit's id: nodes with an input parameter "unit" whose
	// JSON value has this "id".
	Unit string `json:"unit,omitempty"`
	Path string `json:"path,omitempty"` // step path pattern (path.Match)

	Phase   string `json:"phase,omitempty"`   // every node found has this phase
	Message string `json:"message,omitempty"` // every node found has a message containing this
	NotRun  bool   `json:"notRun,omitempty"`  // no node found, or each Omitted or Skipped
	Count   *int   `json:"count,omitempty"`   // exactly this many nodes found
}

// Order is one "ran before" check.
type Order struct {
	First Match `json:"first"`
	Then  Match `json:"then"`
}

// Object is a cluster object to check.
type Object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"` // default: the scenario's
	Absent     bool   `json:"absent,omitempty"`
	// Fields maps dotted paths (spec.replicas, data.key) to the values
	// they must have.
	Fields map[string]any `json:"fields,omitempty"`
}

// EtcdWant is one key, or the keys under a prefix, of the bookkeeping etcd.
type EtcdWant struct {
	Key      string `json:"key,omitempty"`
	Value    string `json:"value,omitempty"`    // the key holds exactly this
	Contains string `json:"contains,omitempty"` // the key's value contains this
	Absent   bool   `json:"absent,omitempty"`   // no such key
	Prefix   string `json:"prefix,omitempty"`
	Count    *int   `json:"count,omitempty"` // keys under Prefix
}

// Group is one or more step paths that may run in any order.
type Group []string

// UnmarshalJSON accepts a single path or a list of paths.
func (g *Group) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*g = Group{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("a runs entry is a step path or a list of step paths: %w", err)
	}
	*g = many
	return nil
}

var validName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Load reads a scenario file.
func Load(path string) (*Scenario, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	s := &Scenario{
		Name:  strings.TrimSuffix(filepath.Base(path), ".txtar"),
		About: strings.TrimSpace(string(ar.Comment)),
		Files: map[string][]byte{},
	}
	if !validName.MatchString(s.Name) || len(s.Name) > 50 {
		return nil, fmt.Errorf("%s: the file name is the Workflow's name: lowercase letters, digits and '-', at most 50", path)
	}
	var found bool
	for _, f := range ar.Files {
		switch {
		case f.Name == "scenario.yaml":
			found = true
			if err := yaml.UnmarshalStrict(f.Data, s); err != nil {
				return nil, fmt.Errorf("%s: scenario.yaml: %w", path, err)
			}
		case strings.HasSuffix(f.Name, ".yaml"):
			s.Files[f.Name] = f.Data
		default:
			return nil, fmt.Errorf("%s: unexpected file %s (want scenario.yaml and other .yaml files)", path, f.Name)
		}
	}
	if !found {
		return nil, fmt.Errorf("%s: no scenario.yaml", path)
	}
	if err := s.normalize(); err != nil {
		return nil, fmt.Errorf("%s: scenario.yaml: %w", path, err)
	}
	if s.Timeout.Duration == 0 {
		s.Timeout.Duration = 3 * time.Minute
	}
	return s, nil
}

// Prepare checks a scenario built in Go as Load checks a file's, and
// gives it the default timeout.
func (s *Scenario) Prepare() error {
	if !validName.MatchString(s.Name) || len(s.Name) > 50 {
		return fmt.Errorf("scenario %q: the name is the Workflow's name: lowercase letters, digits and '-', at most 50", s.Name)
	}
	if s.Timeout.Duration == 0 {
		s.Timeout.Duration = 3 * time.Minute
	}
	return s.normalize()
}

// normalize turns the short form into steps and checks every step.
func (s *Scenario) normalize() error {
	short := s.WorkflowTemplate != "" || s.Entrypoint != "" || s.Arguments != nil || s.Pods != nil || s.Want != nil
	if short && len(s.Steps) > 0 {
		return fmt.Errorf("give either workflowTemplate (with want) or steps, not both")
	}
	if short {
		if s.WorkflowTemplate == "" || s.Want == nil {
			return fmt.Errorf("the short form needs workflowTemplate and want")
		}
		line := "submit --from " + shellQuote("workflowtemplate/"+s.WorkflowTemplate)
		if s.Entrypoint != "" {
			line += " --entrypoint " + shellQuote(s.Entrypoint)
		}
		for _, k := range sortedKeys(s.Arguments) {
			line += " -p " + shellQuote(k+"="+s.Arguments[k])
		}
		s.Steps = []Step{{Argo: line, Pods: s.Pods}, {Want: s.Want}}
	}
	if len(s.Steps) == 0 {
		return fmt.Errorf("no steps: give workflowTemplate and want, or steps")
	}
	for i, st := range s.Steps {
		n := 0
		for _, set := range []bool{st.Argo != "", st.Kubectl != "", st.Await != nil, st.Want != nil, st.Etcd != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("steps[%d]: set exactly one of argo, kubectl, await, want, etcd", i)
		}
		if st.Want != nil && st.Want.Phase == "" {
			return fmt.Errorf("steps[%d].want: phase is required", i)
		}
		if st.Etcd != "" && st.Etcd != "stop" && st.Etcd != "start" && st.Etcd != "restart" {
			return fmt.Errorf("steps[%d].etcd: %q, want stop, start or restart", i, st.Etcd)
		}
		if st.Pods != nil && st.Argo == "" && st.Kubectl == "" {
			return fmt.Errorf("steps[%d]: pods go with an argo or kubectl step", i)
		}
		if st.Workflow != "" && st.Want == nil {
			return fmt.Errorf("steps[%d]: workflow goes with want", i)
		}
	}
	for v := range s.Differs {
		if v != "v3" && v != "v4" {
			return fmt.Errorf("differs: %q, want v3 or v4", v)
		}
	}
	return nil
}

// usesEtcd says whether the scenario needs its bookkeeping etcd: it
// compiles a migration config (whose steps keep their records there), or
// its steps name ${ETCD_URL} (files are installed as they are,
// unexpanded), restart it or check it.
func (s *Scenario) usesEtcd() bool {
	if s.Compile != nil {
		return true
	}
	for _, st := range s.Steps {
		if st.Etcd != "" || (st.Want != nil && len(st.Want.Etcd) > 0) || strings.Contains(st.Argo, "ETCD_URL") {
			return true
		}
	}
	return false
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// LoadDir reads every .txtar file of a directory, sorted by name.
func LoadDir(dir string) ([]*Scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, p := range paths {
		s, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenarios in %s", dir)
	}
	return out, nil
}

// expand replaces ${NAME} in s with vars[NAME], and fails on a name it
// does not know.
func expand(s string, vars map[string]string) (string, error) {
	var missing []string
	out := os.Expand(s, func(k string) string {
		v, ok := vars[k]
		if !ok {
			missing = append(missing, k)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown ${%s} in %q", strings.Join(missing, "}, ${"), s)
	}
	return out, nil
}
