package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/argoproj/argo-workflows/v3/pkg/apiclient"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/packer"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/migratekit/migrate/e2e/cluster"
	"github.com/migratekit/migrate/e2e/kubelet"
	"github.com/migratekit/migrate/templates/migration"
)

// Env is where scenarios run.
type Env struct {
	Cluster *cluster.Cluster
	Kubelet *kubelet.Kubelet
	op      *operator
}

// NewEnv returns an Env whose argo commands run with the cluster's admin
// kubeconfig, in its namespace, as `argo` does with that kubeconfig.
func NewEnv(ctx context.Context, c *cluster.Cluster, k *kubelet.Kubelet) (*Env, error) {
	ctx, client, err := apiclient.NewClientFromOpts(apiclient.Opts{
		Context: ctx,
		ClientConfigSupplier: func() clientcmd.ClientConfig {
			rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: c.AdminKubeconfig}
			return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{})
		},
	})
	if err != nil {
		return nil, fmt.Errorf("argo's API client: %w", err)
	}
	return &Env{Cluster: c, Kubelet: k, op: &operator{ctx: ctx, client: client.NewWorkflowServiceClient()}}, nil
}

// Result is what one workflow of a scenario produced.
type Result struct {
	Workflow *wfv1.Workflow // as it ended
	Pods     []string       // pods the controller created for it, agent included
	Runs     []kubelet.Run  // what the kubelet ran, by start time
	Elapsed  time.Duration  // from its submission to the end of its wait
}

// Outcome is what a scenario's run produced.
type Outcome struct {
	Results  []*Result // one per want step, in order
	Problems []string  // every difference from what the steps want
	// Touched says when the harness touched a workflow because the
	// controller lost an operator's write (see settle).
	Touched []string
}

// Last is the result of the last want step.
func (o *Outcome) Last() *Result {
	if len(o.Results) == 0 {
		return nil
	}
	return o.Results[len(o.Results)-1]
}

// state is a scenario's run in progress.
type state struct {
	e         *Env
	s         *Scenario
	files     map[string][]byte
	vars      map[string]string
	workflows []string             // in the order submitted
	submitted map[string]time.Time // by workflow
	etcd      *cluster.Etcd
	deadline  time.Time
	out       *Outcome
}

// Run runs a scenario's steps in order. A step that cannot be done is an
// error; a want that does not hold is a problem of the outcome.
func (e *Env) Run(ctx context.Context, s *Scenario) (*Outcome, error) {
	st := &state{
		e: e, s: s, files: map[string][]byte{},
		vars:      map[string]string{"NAMESPACE": cluster.Namespace},
		submitted: map[string]time.Time{},
		deadline:  time.Now().Add(s.Timeout.Duration),
		out:       &Outcome{},
	}
	for name, data := range s.Files {
		st.files[name] = data
	}
	if s.usesEtcd() {
		etcd, err := cluster.StartEtcd(e.Cluster.Dir, "etcd-"+s.Name)
		if err != nil {
			return st.out, err
		}
		defer etcd.Stop()
		st.etcd = etcd
		st.vars["ETCD_URL"] = etcd.URL
	}
	if s.Compile != nil {
		if err := st.compile("run", s.Compile.Config); err != nil {
			return st.out, err
		}
		for _, dir := range sortedKeys(s.Compile.More) {
			if err := st.compile(dir, s.Compile.More[dir]); err != nil {
				return st.out, err
			}
		}
	}
	if err := st.installUnnamed(ctx); err != nil {
		return st.out, err
	}
	for i, step := range s.Steps {
		if err := st.do(ctx, step); err != nil {
			return st.out, fmt.Errorf("steps[%d] %s: %w", i, describe(step), err)
		}
	}
	return st.out, nil
}

func describe(s Step) string {
	switch {
	case s.Argo != "":
		return "argo " + s.Argo
	case s.Kubectl != "":
		return "kubectl " + s.Kubectl
	case s.Await != nil:
		return "await " + s.Await.Node.String()
	case s.Want != nil:
		return "want"
	default:
		return "etcd " + s.Etcd
	}
}

// repoRoot is the repository, from the e2e module's packages.
const repoRoot = ".."

// compile adds the migration library's files for config name under dir
// (dir/migration.yaml, dir/workflow.yaml, ..., dir/units/ID.json), its
// bookkeeping pointed at the scenario's etcd.
func (st *state) compile(dir, name string) error {
	data, ok := st.files[name]
	if !ok {
		var err error
		if data, err = os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(name))); err != nil {
			return fmt.Errorf("compile: no file %s in the scenario or the repository: %w", name, err)
		}
	}
	data, err := forScenario(data, st.etcd.URL, st.s.Name, strings.HasSuffix(name, ".json"))
	if err != nil {
		return fmt.Errorf("compile %s: %w", name, err)
	}
	files, run, err := migration.Compile(name, data)
	if err != nil {
		return fmt.Errorf("compile %s: %w", name, err)
	}
	for _, f := range files {
		st.files[dir+"/"+f.Name] = f.Data
	}
	// Each unit as compile encoded it, for wants on what a pod receives
	// (run/units/ID.json): straight from the run, not through the YAML.
	ids, units, err := run.Units()
	if err != nil {
		return err
	}
	for _, id := range ids {
		st.files[dir+"/units/"+id+".json"] = units[id]
	}
	return nil
}

// forScenario is a config (YAML or JSON, kept) as scenario runs it: its
// bookkeeping endpoint, if it has bookkeeping, set to url, the scenario's
// etcd, and every target
// endpoint ending in "#" + the scenario's name. A target's lock is named
// after its endpoint, and scenarios share one namespace: without the
// fragment, scenarios of configs with one target endpoint would take turns
// on its mutex (correct, as two runs on one cluster must, but slow).
func forScenario(config []byte, url, scenario string, asJSON bool) ([]byte, error) {
	var c map[string]any
	if err := yaml.Unmarshal(config, &c); err != nil {
		return nil, err
	}
	targets, _ := c["targets"].(map[string]any)
	for _, t := range targets {
		if t, ok := t.(map[string]any); ok {
			if e, ok := t["endpoint"].(string); ok {
				t["endpoint"] = e + "#" + scenario
			}
		}
	}
	if bk, ok := c["bookkeeping"].(map[string]any); ok {
		bk["endpoint"] = url
	}
	if asJSON {
		return json.Marshal(c)
	}
	return yaml.Marshal(c)
}

// installUnnamed applies the scenario's own .yaml files no step names (the
// compiled ones are applied by steps, as a user would).
func (st *state) installUnnamed(ctx context.Context) error {
	var names []string
	for name := range st.s.Files {
		if st.s.Compile != nil && name == st.s.Compile.Config {
			continue
		}
		named := false
		for _, step := range st.s.Steps {
			for _, w := range strings.Fields(step.Argo + " " + step.Kubectl) {
				if w == name {
					named = true
				}
			}
		}
		if !named {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		objs, err := cluster.DecodeYAML(st.files[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, o := range objs {
			if err := st.e.Cluster.Objects.Apply(ctx, cluster.Namespace, o); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

func (st *state) do(ctx context.Context, step Step) error {
	switch {
	case step.Argo != "" && step.UntilDone:
		return st.untilDone(ctx, step)
	case step.Argo != "":
		return st.operate(ctx, step)
	case step.Kubectl != "":
		return st.kubectl(ctx, step)
	case step.Await != nil:
		return st.await(ctx, step.Await)
	case step.Want != nil:
		return st.want(ctx, step)
	default:
		return st.etcdStep(step.Etcd)
	}
}

// nextName is the name the next submission gets: the scenario's, then
// NAME-2, NAME-3, ...
func (st *state) nextName() string {
	if len(st.workflows) == 0 {
		return st.s.Name
	}
	return fmt.Sprintf("%s-%d", st.s.Name, len(st.workflows)+1)
}

func (st *state) track(wf string) {
	for _, w := range st.workflows {
		if w == wf {
			return
		}
	}
	st.workflows = append(st.workflows, wf)
	st.vars["WF"+strconv.Itoa(len(st.workflows))] = wf
	st.vars["WF"] = wf
	st.submitted[wf] = time.Now()
}

// words expands a step's command line and splits it into words, without
// the program's name if the line starts with it.
func (st *state) words(line, program string) ([]string, error) {
	line, err := expand(line, st.vars)
	if err != nil {
		return nil, err
	}
	args, err := splitCommand(line)
	if err != nil {
		return nil, err
	}
	if len(args) > 0 && args[0] == program {
		args = args[1:]
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("empty command line")
	}
	return args, nil
}

func (st *state) argo(step Step) (string, error) {
	args, err := st.words(step.Argo, "argo")
	if err != nil {
		return "", err
	}
	planned := ""
	a, err := st.e.op.run(args, st.files, st.nextName(), func(name string) {
		if name != "" && (step.Pods != nil || args[0] == "submit") {
			st.e.Kubelet.Plan(name, step.Pods)
			planned = name
		}
	})
	if step.Error != "" {
		if err == nil {
			return "", fmt.Errorf("succeeded, want an error containing %q", step.Error)
		}
		if !strings.Contains(err.Error(), step.Error) {
			return "", fmt.Errorf("error %q, want one containing %q", err, step.Error)
		}
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if a.verb == "submit" {
		if planned != a.workflow {
			st.e.Kubelet.Plan(a.workflow, step.Pods)
		}
		st.track(a.workflow)
	}
	return a.workflow, nil
}

func (st *state) kubectl(ctx context.Context, step Step) error {
	args, err := st.words(step.Kubectl, "kubectl")
	if err != nil {
		return err
	}
	objects := st.e.Cluster.Objects
	switch {
	case len(args) == 2 && args[0] == "delete":
		return objects.Delete(ctx, cluster.Namespace, args[1])
	case len(args) >= 3 && len(args)%2 == 1 && (args[0] == "apply" || args[0] == "create"):
		var objs []*unstructured.Unstructured
		for i := 1; i < len(args); i += 2 {
			if args[i] != "-f" {
				return fmt.Errorf("kubectl %s: want -f FILE, not %s", args[0], args[i])
			}
			data, ok := st.files[args[i+1]]
			if !ok {
				return fmt.Errorf("no file %s in the scenario", args[i+1])
			}
			more, err := cluster.DecodeYAML(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[i+1], err)
			}
			objs = append(objs, more...)
		}
		for _, o := range objs {
			isWorkflow := o.GetKind() == "Workflow"
			if isWorkflow && o.GetName() != "" {
				st.e.Kubelet.Plan(o.GetName(), step.Pods)
			}
			if args[0] == "apply" {
				if err := objects.Apply(ctx, cluster.Namespace, o); err != nil {
					return err
				}
				if isWorkflow {
					st.track(o.GetName())
				}
				continue
			}
			created, err := objects.Create(ctx, cluster.Namespace, o)
			if err != nil {
				return err
			}
			if isWorkflow {
				st.e.Kubelet.Plan(created.GetName(), step.Pods)
				st.track(created.GetName())
			}
		}
		return nil
	}
	return fmt.Errorf("the harness runs kubectl apply -f FILE..., create -f FILE... and delete RESOURCE/NAME")
}

func (st *state) latest() (string, error) {
	if len(st.workflows) == 0 {
		return "", fmt.Errorf("no workflow submitted yet")
	}
	return st.workflows[len(st.workflows)-1], nil
}

// poll calls f every 200 ms until it says done, the scenario's time is up
// or ctx ends.
func (st *state) poll(ctx context.Context, f func() (bool, error)) error {
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		if time.Now().After(st.deadline) {
			return fmt.Errorf("timed out after %s (the scenario's timeout)", st.s.Timeout.Duration)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (st *state) get(ctx context.Context, name string) (*wfv1.Workflow, error) {
	return st.e.Cluster.Argo.ArgoprojV1alpha1().Workflows(cluster.Namespace).Get(ctx, name, metav1.GetOptions{})
}

// quiet waits until the controller has not written the latest workflow
// for a second (at most 15 s), as an operator who reads a workflow before
// acting on it does. A resume or node set that races a write of the
// controller can be lost: Argo then drops its own update ("Failed to
// re-apply update: must never update completed node") and does not look
// at the workflow again before its 20-minute resync.
func (st *state) quiet(ctx context.Context) error {
	name, err := st.latest()
	if err != nil {
		return err
	}
	version, since, deadline := "", time.Now(), time.Now().Add(15*time.Second)
	for time.Now().Before(deadline) {
		wf, err := st.get(ctx, name)
		if err != nil {
			return err
		}
		if wf.ResourceVersion != version {
			version, since = wf.ResourceVersion, time.Now()
		} else if time.Since(since) >= time.Second {
			return nil
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// operate runs an argo step as an operator does: before a resume or node
// set it waits for the controller to be quiet (see quiet), and after one
// that completes nodes it waits for the controller to act (see settle).
func (st *state) operate(ctx context.Context, step Step) error {
	if verb := strings.Fields(step.Argo)[0]; verb == "resume" || verb == "node" {
		if err := st.quiet(ctx); err != nil {
			return err
		}
	}
	name, err := st.argo(step)
	if err != nil || step.Error != "" || !completesNodes(step.Argo) {
		return err
	}
	return st.settle(ctx, name, step.Argo)
}

// completesNodes reports whether an argo command line completes nodes the
// controller must then act on: a resume, or a node set of a phase.
func completesNodes(line string) bool {
	f := strings.Fields(line)
	return f[0] == "resume" || f[0] == "node" && slices.ContainsFunc(f, func(w string) bool {
		return w == "--phase" || strings.HasPrefix(w, "--phase=")
	})
}

// settleWait is how long the controller may take to write a workflow after
// an operator completed one of its nodes; it writes within a second or two
// when it saw the write.
const settleWait = 20 * time.Second

// settle waits until the controller has acted on an operator's write that
// completed nodes of workflow name: it writes the workflow again, or the
// workflow ends. When it does neither within settleWait, the controller
// has lost the write (an Argo bug: its stale copy conflicts with the
// operator's write, "Failed to re-apply update: must never update
// completed node", and nothing makes it read the workflow again before
// its 20-minute resync; see e2e/README.md). settle then does what an
// operator would do about a stuck workflow that shows the node completed:
// it touches the workflow (an annotation), which makes the controller read
// it again, and the outcome records it.
func (st *state) settle(ctx context.Context, name, line string) error {
	wf, err := st.get(ctx, name)
	if err != nil {
		return err
	}
	version, deadline := wf.ResourceVersion, time.Now().Add(settleWait)
	for !wf.Status.Phase.Completed() && wf.ResourceVersion == version {
		if time.Now().After(deadline) {
			return st.touch(ctx, name, line)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		if wf, err = st.get(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// touch annotates workflow name, which makes the controller read it again,
// and records why in the outcome.
func (st *state) touch(ctx context.Context, name, line string) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"e2e.migrate/touched":%q}}}`, time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := st.e.Cluster.Argo.ArgoprojV1alpha1().Workflows(cluster.Namespace).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("touching %s after the controller did not act on `argo %s`: %w", name, line, err)
	}
	st.out.Touched = append(st.out.Touched, fmt.Sprintf("%s: the controller did not write the workflow within %s of `argo %s`; touched it", name, settleWait, line))
	return nil
}

// untilDone runs the step's argo command whenever a suspend node of the
// latest workflow is running, until the workflow completes.
func (st *state) untilDone(ctx context.Context, step Step) error {
	name, err := st.latest()
	if err != nil {
		return err
	}
	return st.poll(ctx, func() (bool, error) {
		wf, err := st.get(ctx, name)
		if err != nil {
			return false, err
		}
		if wf.Status.Phase.Completed() {
			return true, nil
		}
		// Over 1 MiB the controller keeps the nodes compressed.
		if err := packer.DecompressWorkflow(wf); err != nil {
			return false, err
		}
		for _, n := range wf.Status.Nodes {
			if n.Type == wfv1.NodeTypeSuspend && n.Phase == wfv1.NodeRunning {
				// As a single resume (see operate); and as an operator
				// does, retry a resume that lost its race with the
				// controller's updates ("timed out waiting for the
				// condition") at the next poll.
				if err := st.operate(ctx, step); err != nil && !strings.Contains(err.Error(), "timed out waiting for the condition") {
					return false, err
				}
				return false, nil
			}
		}
		return false, nil
	})
}

func (st *state) await(ctx context.Context, a *Await) error {
	name, err := st.latest()
	if err != nil {
		return err
	}
	phase := a.Phase
	if phase == "" {
		phase = string(wfv1.NodeRunning)
	}
	var wf *wfv1.Workflow
	err = st.poll(ctx, func() (bool, error) {
		if wf, err = st.get(ctx, name); err != nil {
			return false, err
		}
		for _, n := range a.Node.find(wf) {
			if string(n.Phase) == phase {
				return true, nil
			}
		}
		if wf.Status.Phase.Completed() {
			return false, fmt.Errorf("workflow %s ended %s before a node of %s was %s", name, wf.Status.Phase, a.Node, phase)
		}
		return false, nil
	})
	if err != nil && wf != nil {
		st.out.Results = append(st.out.Results, st.result(wf))
	}
	return err
}

func (st *state) result(wf *wfv1.Workflow) *Result {
	return &Result{
		Workflow: wf,
		Pods:     st.e.Kubelet.Pods(wf.Name),
		Runs:     st.e.Kubelet.Runs(wf.Name),
		Elapsed:  time.Since(st.submitted[wf.Name]),
	}
}

func (st *state) want(ctx context.Context, step Step) error {
	name, err := st.latest()
	if step.Workflow != "" {
		name, err = expand(step.Workflow, st.vars)
	}
	if err != nil {
		return err
	}
	var wf *wfv1.Workflow
	err = st.poll(ctx, func() (bool, error) {
		var err error
		wf, err = st.get(ctx, name)
		return err == nil && wf.Status.Phase.Completed(), err
	})
	if wf != nil {
		st.out.Results = append(st.out.Results, st.result(wf))
	}
	if err != nil {
		phase := wfv1.WorkflowPhase("")
		if wf != nil {
			phase = wf.Status.Phase
		}
		return fmt.Errorf("workflow %s still %q: %w", name, phase, err)
	}
	r := st.out.Last()
	var problems []string
	problems = append(problems, Check(step.Want, r)...)
	problems = append(problems, st.checkObjects(ctx, step.Want.Objects)...)
	problems = append(problems, st.checkEtcd(ctx, step.Want.Etcd)...)
	problems = append(problems, st.checkEnv(step.Want.Env, r.Runs)...)
	problems = append(problems, st.checkAll(step.Want)...)
	for _, p := range problems {
		st.out.Problems = append(st.out.Problems, name+": "+p)
	}
	return nil
}

// checkAll checks the work pods of every workflow wanted so far (each at
// its latest result) against OnceEach and AllWorkPods.
func (st *state) checkAll(w *Want) []string {
	if !w.OnceEach && w.AllWorkPods == nil {
		return nil
	}
	latest := map[string]*Result{}
	for _, r := range st.out.Results {
		latest[r.Workflow.Name] = r
	}
	var problems []string
	ran := map[string][]string{} // template/unit -> pods
	total := 0
	for _, name := range sortedKeys(latest) {
		for _, run := range latest[name].Runs {
			if run.Agent {
				continue
			}
			total++
			key := run.Template + "/" + run.Inputs["id"]
			ran[key] = append(ran[key], run.Pod)
		}
	}
	if w.OnceEach {
		for _, key := range sortedKeys(ran) {
			if len(ran[key]) > 1 {
				problems = append(problems, fmt.Sprintf("%s ran %d times: %s", key, len(ran[key]), strings.Join(ran[key], ", ")))
			}
		}
	}
	if w.AllWorkPods != nil && total != *w.AllWorkPods {
		problems = append(problems, fmt.Sprintf("%d work pods ran in all workflows, want %d", total, *w.AllWorkPods))
	}
	return problems
}

// checkEnv compares what the work pods received with the wants.
func (st *state) checkEnv(wants []EnvWant, runs []kubelet.Run) []string {
	var problems []string
	for i, w := range wants {
		what := fmt.Sprintf("env[%d] (%s of template %q unit %q)", i, w.Name, w.Template, w.Unit)
		want := w.Value
		if w.File != "" {
			name, err := expand(w.File, st.vars)
			if err != nil {
				problems = append(problems, what+": "+err.Error())
				continue
			}
			data, ok := st.files[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: no file %s", what, name))
				continue
			}
			text := string(data)
			want = &text
		}
		found := 0
		for _, r := range runs {
			if r.Agent || (w.Template != "" && r.Template != w.Template) || (w.Unit != "" && r.Inputs["id"] != w.Unit) {
				continue
			}
			found++
			got, ok := r.Env[w.Name]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: pod %s has no %s", what, r.Pod, w.Name))
			case want != nil && got != *want:
				problems = append(problems, fmt.Sprintf("%s: pod %s has %q, want %q", what, r.Pod, got, *want))
			}
			for _, c := range w.Contains {
				if ok && !strings.Contains(got, c) {
					problems = append(problems, fmt.Sprintf("%s: pod %s has %q, which lacks %q", what, r.Pod, got, c))
				}
			}
		}
		if found == 0 {
			problems = append(problems, what+": no work pod found")
		}
	}
	return problems
}

func (st *state) etcdStep(what string) error {
	switch what {
	case "stop":
		st.etcd.Stop()
		return nil
	case "start":
		return st.etcd.Start()
	default:
		st.etcd.Stop()
		return st.etcd.Start()
	}
}

func (st *state) checkObjects(ctx context.Context, objects []Object) []string {
	var problems []string
	for _, o := range objects {
		ns := o.Namespace
		if ns == "" {
			ns = cluster.Namespace
		}
		what := fmt.Sprintf("%s %s", o.Kind, o.Name)
		gv, err := schema.ParseGroupVersion(o.APIVersion)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: apiVersion: %v", what, err))
			continue
		}
		ri, _, err := st.e.Cluster.Objects.Resource(gv.WithKind(o.Kind), ns)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		got, err := ri.Get(ctx, o.Name, metav1.GetOptions{})
		switch {
		case o.Absent && err == nil:
			problems = append(problems, fmt.Sprintf("%s exists, want it absent", what))
			continue
		case o.Absent && apierrors.IsNotFound(err):
			continue
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		for _, f := range sortedKeys(o.Fields) {
			v, found := fieldAt(got.Object, strings.Split(f, "."))
			if !found {
				problems = append(problems, fmt.Sprintf("%s: no field %s", what, f))
				continue
			}
			if a, b := jsonText(v), jsonText(o.Fields[f]); a != b {
				problems = append(problems, fmt.Sprintf("%s: %s is %s, want %s", what, f, a, b))
			}
		}
	}
	return problems
}

func (st *state) checkEtcd(ctx context.Context, wants []EtcdWant) []string {
	if len(wants) == 0 {
		return nil
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{st.etcd.URL}, DialTimeout: 5 * time.Second})
	if err != nil {
		return []string{fmt.Sprintf("etcd: %v", err)}
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var problems []string
	for _, w := range wants {
		if w.Prefix != "" {
			resp, err := c.Get(ctx, w.Prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
			if err != nil {
				problems = append(problems, fmt.Sprintf("etcd prefix %s: %v", w.Prefix, err))
				continue
			}
			if w.Count != nil && len(resp.Kvs) != *w.Count {
				var keys []string
				for _, kv := range resp.Kvs {
					keys = append(keys, string(kv.Key))
				}
				problems = append(problems, fmt.Sprintf("etcd prefix %s: %d keys, want %d: %s", w.Prefix, len(resp.Kvs), *w.Count, strings.Join(keys, " ")))
			}
			continue
		}
		resp, err := c.Get(ctx, w.Key)
		if err != nil {
			problems = append(problems, fmt.Sprintf("etcd key %s: %v", w.Key, err))
			continue
		}
		switch {
		case w.Absent && len(resp.Kvs) > 0:
			problems = append(problems, fmt.Sprintf("etcd key %s exists (%q), want it absent", w.Key, resp.Kvs[0].Value))
		case w.Absent:
		case len(resp.Kvs) == 0:
			problems = append(problems, fmt.Sprintf("etcd key %s: absent", w.Key))
		case w.Value != "" && string(resp.Kvs[0].Value) != w.Value:
			problems = append(problems, fmt.Sprintf("etcd key %s is %q, want %q", w.Key, resp.Kvs[0].Value, w.Value))
		case w.Contains != "" && !strings.Contains(string(resp.Kvs[0].Value), w.Contains):
			problems = append(problems, fmt.Sprintf("etcd key %s is %q, want it to contain %q", w.Key, resp.Kvs[0].Value, w.Contains))
		}
	}
	return problems
}

// fieldAt is the value at a dotted path of an object; a number selects an
// item of a list (spec.template.spec.containers.0.image).
func fieldAt(v any, path []string) (any, bool) {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[p]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// Dump describes a result for a failure message: the workflow's nodes in
// the order they started, then the pods as the kubelet ran them.
func Dump(r *Result) string {
	var b strings.Builder
	wf := r.Workflow
	fmt.Fprintf(&b, "workflow %s: %s %s\n", wf.Name, wf.Status.Phase, wf.Status.Message)
	nodes := make([]wfv1.NodeStatus, 0, len(wf.Status.Nodes))
	for _, n := range wf.Status.Nodes {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool {
		if !nodes[i].StartedAt.Equal(&nodes[j].StartedAt) {
			return nodes[i].StartedAt.Before(&nodes[j].StartedAt)
		}
		return nodes[i].Name < nodes[j].Name
	})
	fmt.Fprintf(&b, "nodes:\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %-50s %-10s %-10s %s\n", kubelet.NodePath(wf.Name, n.Name), n.Type, n.Phase, n.Message)
	}
	fmt.Fprintf(&b, "pods created: %d\n", len(r.Pods))
	var t0 time.Time
	if len(r.Runs) > 0 {
		t0 = r.Runs[0].Start
	}
	fmt.Fprintf(&b, "runs (seconds from the first):\n")
	for _, run := range r.Runs {
		name := run.Node
		if run.Agent {
			name = "(agent)"
		}
		end := "running"
		if !run.End.IsZero() {
			end = fmt.Sprintf("%6.2f", run.End.Sub(t0).Seconds())
		}
		fmt.Fprintf(&b, "  %6.2f %s %-50s exit %d %s\n", run.Start.Sub(t0).Seconds(), end, name, run.Exit, run.Error)
		for _, k := range sortedKeys(run.Inputs) {
			fmt.Fprintf(&b, "           input %s = %q\n", k, run.Inputs[k])
		}
	}
	return b.String()
}
