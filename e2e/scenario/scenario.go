// Package scenario reads and runs e2e scenarios. A scenario is a txtar
// file: its comment says what the scenario proves; scenario.yaml names the
// WorkflowTemplate to submit, its arguments, how the pods behave and what
// the run must look like; any other .yaml file is installed first (extra
// WorkflowTemplates, ConfigMaps, ...).
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

// Scenario is one run of a workflow with scripted pods.
type Scenario struct {
	Name  string            `json:"-"` // the file's name without .txtar: the Workflow's name
	About string            `json:"-"` // the txtar comment
	Files map[string][]byte `json:"-"` // the other .yaml files, installed before the run

	WorkflowTemplate string            `json:"workflowTemplate"`    // submitted as a Workflow referencing it
	Arguments        map[string]string `json:"arguments,omitempty"` // ${VAR} expands to the cluster's values (ETCD_URL)
	Pods             []kubelet.Rule    `json:"pods,omitempty"`      // first matching rule wins; unmatched pods succeed
	Approve          []string          `json:"approve,omitempty"`   // suspend nodes (step path patterns) to resume when reached
	Timeout          metav1.Duration   `json:"timeout,omitempty"`   // default 3m
	Want             Want              `json:"want"`
	// Bug names a known defect of the library under test that makes the
	// run differ from Want: the differences are reported, not failed, and
	// the scenario fails once they are gone, so the line gets removed.
	Bug string `json:"bug,omitempty"`
}

// Want is what the run must look like.
type Want struct {
	Phase string            `json:"phase"`           // the workflow's final phase
	Nodes map[string]string `json:"nodes,omitempty"` // node path -> phase, or "absent" for no such node
	Pods  *int              `json:"pods,omitempty"`  // pods the controller created, agent included
	// Runs lists the pods run, by step path, in groups: a group is one
	// path or a list of paths that may run in any order. Every run of a
	// group starts after every run of the groups before it has ended.
	Runs        []Group `json:"runs,omitempty"`
	MaxParallel int     `json:"maxParallel,omitempty"` // most pods running at once
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
	if s.WorkflowTemplate == "" || s.Want.Phase == "" {
		return nil, fmt.Errorf("%s: scenario.yaml needs workflowTemplate and want.phase", path)
	}
	if s.Timeout.Duration == 0 {
		s.Timeout.Duration = 3 * time.Minute
	}
	return s, nil
}

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

// expand replaces ${NAME} in s with vars[NAME].
func expand(s string, vars map[string]string) string {
	return os.Expand(s, func(k string) string { return vars[k] })
}
