package argorun

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"sigs.k8s.io/yaml"

	_ "github.com/migratekit/migrate/internal/golden"
)

// The runner's semantics on a small DAG, written as Argo YAML: a skipped
// task's output is absent (?? applies), an omitted branch inherits its
// parent's failure, successCondition sees the request and the response.
const dag = `
- name: main
  inputs: {parameters: [{name: url}]}
  outputs:
    parameters:
      - name: got
        valueFrom: {expression: "tasks.skipped.outputs.parameters.x ?? tasks.call.outputs.result"}
  dag:
    tasks:
      - name: call
        template: call
        arguments: {parameters: [{name: url, value: "{{inputs.parameters.url}}"}]}
      - name: skipped
        template: pod
        depends: call
        when: "{{=tasks.call.outputs.result == 'nope'}}"
      - name: failing
        template: fail
        arguments: {parameters: [{name: url, value: "{{inputs.parameters.url}}"}]}
      - name: after-failing
        template: pod
        depends: failing.Succeeded
- name: call
  inputs: {parameters: [{name: url}]}
  http:
    url: "{{inputs.parameters.url}}/ok"
    method: GET
    headers: [{name: X-Who, value: "{{workflow.uid}}"}]
    successCondition: 'response.statusCode == 200 && request.headers["X-Who"][0] == "u1"'
- name: fail
  inputs: {parameters: [{name: url}]}
  retryStrategy: {limit: 2}
  http:
    url: "{{inputs.parameters.url}}/ok"
    method: GET
    successCondition: "response.body == 'other'"
- name: pod
  outputs: {parameters: [{name: x, valueFrom: {path: /x}}]}
  container: {image: busybox}
`

func TestRunner(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	defer srv.Close()
	var tmpls []wfv1.Template
	if err := yaml.Unmarshal([]byte(dag), &tmpls); err != nil {
		t.Fatal(err)
	}
	r := &Runner{Templates: tmpls, Globals: map[string]string{"workflow.uid": "u1"}, Pods: map[string]Pod{}}
	n := r.Run(context.Background(), "wf", "main", map[string]string{"url": srv.URL})
	if n.Phase != wfv1.NodeFailed {
		t.Errorf("DAG %s, want Failed: the omitted after-failing inherits failing's failure", n.Phase)
	}
	if c := n.Child("call"); c.Phase != wfv1.NodeSucceeded || *c.Outputs.Result != "hello" {
		t.Errorf("call: %s %s", c.Phase, c.Message)
	}
	if c := n.Child("skipped"); c.Phase != wfv1.NodeSkipped {
		t.Errorf("skipped: %s", c.Phase)
	}
	if c := n.Child("failing"); c.Phase != wfv1.NodeFailed || c.Attempts != 3 {
		t.Errorf("failing: %s after %d attempts, want Failed after 3", c.Phase, c.Attempts)
	}
	if c := n.Child("after-failing"); c.Phase != wfv1.NodeOmitted {
		t.Errorf("after-failing: %s", c.Phase)
	}
	if r.Requests.Load() != 4 || r.PodsRun.Load() != 0 {
		t.Errorf("%d requests and %d pods, want 4 and 0", r.Requests.Load(), r.PodsRun.Load())
	}
	// Without the failing branch the outputs resolve, ?? over the skipped output.
	tmpls[0].DAG.Tasks = tmpls[0].DAG.Tasks[:2]
	r = &Runner{Templates: tmpls, Globals: map[string]string{"workflow.uid": "u1"}}
	n = r.Run(context.Background(), "wf", "main", map[string]string{"url": srv.URL})
	if got, _ := n.Output("got"); n.Phase != wfv1.NodeSucceeded || got != "hello" {
		t.Errorf("DAG %s %s, output %q, want Succeeded and hello", n.Phase, n.Message, got)
	}
}
