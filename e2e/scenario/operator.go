package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	workflowpkg "github.com/argoproj/argo-workflows/v3/pkg/apiclient/workflow"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	wfcommon "github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/argoproj/argo-workflows/v3/workflow/util"
	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/migratekit/migrate/e2e/cluster"
)

// An operator runs `argo` command lines the way the argo CLI does without
// an Argo server: the same flags, parsed the same way, turned into the same
// requests to the workflow service of Argo's API client in Kubernetes mode
// (pkg/apiclient), which runs the server's own code (resume's node
// checks, retry's node reset, node set's output rules) against the API
// server with the operator's kubeconfig. The CLI's command package cannot
// be imported (it embeds the UI), so its flag definitions are mirrored
// here; PopulateSubmitOpts is Argo's own.
type operator struct {
	ctx    context.Context // carries the API client's identity
	client workflowpkg.WorkflowServiceClient
}

// action is what one command line did.
type action struct {
	verb     string         // submit, resume, stop, terminate, retry, node-set
	workflow string         // the workflow it created or acted on
	created  *wfv1.Workflow // for submit
}

// run parses and runs one command line (without the leading "argo").
// files are the scenario's files, for `submit FILE`; name is the name a
// submission gets unless the line gives --name or --generate-name; before
// runs just before a submission or retry is sent, with the workflow's name
// ("" when the API server generates it).
func (o *operator) run(args []string, files map[string][]byte, name string, before func(name string)) (*action, error) {
	var done *action
	root := &cobra.Command{Use: "argo", SilenceUsage: true, SilenceErrors: true}

	var (
		submitOpts     wfv1.SubmitOpts
		parametersFile string
		from           string
	)
	submit := &cobra.Command{
		Use: "submit",
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "" && len(args) != 0 {
				return errors.New("cannot combine --from with file arguments")
			}
			if parametersFile != "" {
				return errors.New("--parameter-file is not supported by the harness; use -p")
			}
			if submitOpts.Name == "" && submitOpts.GenerateName == "" {
				submitOpts.Name = name
			}
			before(submitOpts.Name)
			var created *wfv1.Workflow
			var err error
			if from != "" {
				created, err = o.submitFrom(from, &submitOpts)
			} else {
				created, err = o.submitFiles(args, files, &submitOpts)
			}
			if err != nil {
				return err
			}
			done = &action{verb: "submit", workflow: created.Name, created: created}
			return nil
		},
	}
	util.PopulateSubmitOpts(submit, &submitOpts, &parametersFile, true)
	submit.Flags().StringVar(&from, "from", "", "submit from an existing kind/name")

	var resumeSelector string
	resume := &cobra.Command{
		Use:  "resume WORKFLOW",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel, err := selector(resumeSelector)
			if err != nil {
				return err
			}
			_, err = o.client.ResumeWorkflow(o.ctx, &workflowpkg.WorkflowResumeRequest{
				Name: args[0], Namespace: cluster.Namespace, NodeFieldSelector: sel,
			})
			done = &action{verb: "resume", workflow: args[0]}
			return err
		},
	}
	resume.Flags().StringVar(&resumeSelector, "node-field-selector", "", "selector of node to resume")

	var stopSelector, stopMessage string
	stop := &cobra.Command{
		Use:  "stop WORKFLOW",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel, err := selector(stopSelector)
			if err != nil {
				return err
			}
			_, err = o.client.StopWorkflow(o.ctx, &workflowpkg.WorkflowStopRequest{
				Name: args[0], Namespace: cluster.Namespace, NodeFieldSelector: sel, Message: stopMessage,
			})
			done = &action{verb: "stop", workflow: args[0]}
			return err
		},
	}
	stop.Flags().StringVar(&stopSelector, "node-field-selector", "", "selector of node to stop")
	stop.Flags().StringVar(&stopMessage, "message", "", "message to add to previously running nodes")

	terminate := &cobra.Command{
		Use:  "terminate WORKFLOW",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := o.client.TerminateWorkflow(o.ctx, &workflowpkg.WorkflowTerminateRequest{
				Name: args[0], Namespace: cluster.Namespace,
			})
			done = &action{verb: "terminate", workflow: args[0]}
			return err
		},
	}

	var (
		retrySelector     string
		restartSuccessful bool
		retryParameters   []string
	)
	retry := &cobra.Command{
		Use:  "retry WORKFLOW",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel, err := selector(retrySelector)
			if err != nil {
				return err
			}
			before(args[0])
			_, err = o.client.RetryWorkflow(o.ctx, &workflowpkg.WorkflowRetryRequest{
				Name: args[0], Namespace: cluster.Namespace,
				RestartSuccessful: restartSuccessful, NodeFieldSelector: sel, Parameters: retryParameters,
			})
			done = &action{verb: "retry", workflow: args[0]}
			return err
		},
	}
	retry.Flags().StringArrayVarP(&retryParameters, "parameter", "p", nil, "input parameter to override on the original workflow spec")
	retry.Flags().BoolVar(&restartSuccessful, "restart-successful", false, "restart successful nodes matching the --node-field-selector")
	retry.Flags().StringVar(&retrySelector, "node-field-selector", "", "selector of nodes to reset")

	var (
		setSelector, setPhase, setMessage string
		setOutputs                        []string
	)
	node := &cobra.Command{Use: "node"}
	set := &cobra.Command{
		Use:  "set WORKFLOW",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outputs, err := outputParameters(setOutputs)
			if err != nil {
				return err
			}
			sel, err := selector(setSelector)
			if err != nil {
				return err
			}
			_, err = o.client.SetWorkflow(o.ctx, &workflowpkg.WorkflowSetRequest{
				Name: args[0], Namespace: cluster.Namespace, NodeFieldSelector: sel,
				Message: setMessage, Phase: setPhase, OutputParameters: outputs,
			})
			done = &action{verb: "node-set", workflow: args[0]}
			return err
		},
	}
	set.Flags().StringVar(&setSelector, "node-field-selector", "", "selector of node to set")
	set.Flags().StringVar(&setPhase, "phase", "", "phase to set the node to")
	set.Flags().StringArrayVarP(&setOutputs, "output-parameter", "p", nil, "set a supplied output parameter of the node")
	set.Flags().StringVarP(&setMessage, "message", "m", "", "set the message of the node")
	node.AddCommand(set)

	root.AddCommand(submit, resume, stop, terminate, retry, node)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		return done, err
	}
	if done == nil {
		return nil, fmt.Errorf("argo %s: not a command the harness runs (submit, resume, stop, terminate, retry, node set)", strings.Join(args, " "))
	}
	return done, nil
}

// submitFrom is `argo submit --from kind/name`.
func (o *operator) submitFrom(from string, opts *wfv1.SubmitOpts) (*wfv1.Workflow, error) {
	kind, name, ok := strings.Cut(from, "/")
	if !ok {
		return nil, fmt.Errorf("resource identifier '%s' is malformed. Should be `kind/name`", from)
	}
	wf, err := o.client.SubmitWorkflow(o.ctx, &workflowpkg.WorkflowSubmitRequest{
		Namespace: cluster.Namespace, ResourceKind: kind, ResourceName: name, SubmitOptions: opts,
	})
	if err != nil {
		return nil, fmt.Errorf("Failed to submit workflow: %v", err)
	}
	return wf, nil
}

// submitFiles is `argo submit FILE`, for one workflow.
func (o *operator) submitFiles(paths []string, files map[string][]byte, opts *wfv1.SubmitOpts) (*wfv1.Workflow, error) {
	if len(paths) != 1 {
		return nil, fmt.Errorf("the harness submits one file at a time, got %d", len(paths))
	}
	data, ok := files[paths[0]]
	if !ok {
		return nil, fmt.Errorf("submit %s: no such file in the scenario", paths[0])
	}
	wfs, err := wfcommon.SplitWorkflowYAMLFile(data, true)
	if err != nil {
		return nil, fmt.Errorf("Failed to parse workflow: %v", err)
	}
	if len(wfs) != 1 {
		return nil, fmt.Errorf("submit %s: %d workflows, the harness submits one", paths[0], len(wfs))
	}
	wf := wfs[0]
	wf.Namespace = cluster.Namespace
	if err := util.ApplySubmitOpts(&wf, opts); err != nil {
		return nil, err
	}
	created, err := o.client.CreateWorkflow(o.ctx, &workflowpkg.WorkflowCreateRequest{
		Namespace: wf.Namespace, Workflow: &wf, CreateOptions: &metav1.CreateOptions{},
	})
	if err != nil {
		return nil, fmt.Errorf("Failed to submit workflow: %v", err)
	}
	return created, nil
}

func selector(s string) (string, error) {
	sel, err := fields.ParseSelector(s)
	if err != nil {
		return "", fmt.Errorf("Unable to parse node field selector '%s': %s", s, err)
	}
	return sel.String(), nil
}

// outputParameters encodes `node set -p NAME=VALUE` flags as the CLI does:
// a quoted VALUE is unquoted, the map goes as JSON.
func outputParameters(flags []string) (string, error) {
	if len(flags) == 0 {
		return "", nil
	}
	m := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", fmt.Errorf("expected parameter of the form: NAME=VALUE. Received: %s", f)
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		m[k] = v
	}
	data, err := json.Marshal(m)
	return string(data), err
}

// splitCommand splits a command line into words as a POSIX shell does for
// quotes and backslashes (no expansion, no operators).
func splitCommand(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, fmt.Errorf("unterminated \" in %q", line)
			}
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
