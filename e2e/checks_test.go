package e2e

import (
	"strings"
	"testing"

	"github.com/migratekit/migrate/e2e/scenario"
)

// extraChecks are Go assertions for what a scenario file cannot say.
var extraChecks = map[string]func(t *testing.T, out *scenario.Outcome){
	// The agent really sent the requests: the value put into etcd came
	// back in get's response, which the next step received.
	"http-agent-etcd": func(t *testing.T, out *scenario.Outcome) {
		for _, run := range out.Last().Runs {
			if run.Step == "use" && !strings.Contains(run.Inputs["response"], `"value":"aGVsbG8="`) {
				t.Errorf("use received %q, want etcd's range response holding the value put", run.Inputs["response"])
			}
		}
	},
}
