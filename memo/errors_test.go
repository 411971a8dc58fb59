package memo_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/memo"
)

// line is the line it is called from.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

// restoreStep defines the step these tests wrap in wt.
func restoreStep(wt *dsl.WorkflowTemplate) dsl.Template[RestoreIn, RestoreOut] {
	restore := dsl.Container[RestoreIn, RestoreOut](wt, "restore-snapshot")
	return restore.Image("busybox").Outputs(RestoreOut{Restored: dsl.FromFile[string]("/tmp/restored")}).Template
}

func restoreKey(RestoreIn) dsl.Expr[string] { return dsl.Lit("restore") }

// wrapRestore is a library holding the restore step wrapped with spec.
func wrapRestore(spec memo.Spec[RestoreIn]) (*dsl.Library, *dsl.WorkflowTemplate, *memo.Wrapped[RestoreIn, RestoreOut]) {
	lib := dsl.NewLibrary("sums")
	wt := lib.WorkflowTemplate("sums")
	g := etcdgw.New(wt, etcdgw.Config{Endpoint: dsl.Lit("https://etcd:2379")})
	return lib, wt, memo.Wrap(g, "restore", restoreStep(wt), spec)
}

// TestMisuse: mistakes in a gateway's Config or a wrapper's Spec are Build
// errors at the user's call (not inside etcdgw or memo), each reported
// once, and with nothing else about the same mistake.
func TestMisuse(t *testing.T) {
	endpoint := etcdgw.Config{Endpoint: dsl.Lit("https://etcd:2379")}
	key := restoreKey
	for _, tc := range []struct {
		name string
		cfg  etcdgw.Config
		spec memo.Spec[RestoreIn]
		want []string // messages, at the line of the gateway ("new:") or of the wrapper ("wrap:")
	}{{
		name: "no endpoint, no key",
		spec: memo.Spec[RestoreIn]{},
		want: []string{
			`new: etcdgw.New: Config.Endpoint is not set`,
			`wrap: memo.Wrap "restore": Spec.Key is not set`,
		},
	}, {
		name: "credentials half given",
		cfg:  etcdgw.Config{Endpoint: dsl.Lit("https://etcd:2379"), AuthSecret: "etcd-auth", TimeoutSeconds: -1, Retries: -2},
		spec: memo.Spec[RestoreIn]{Key: key},
		want: []string{
			`new: etcdgw.New: Config.AuthSecret and Config.AuthKey go together`,
			`new: etcdgw.New: Config.Retries is -2`,
			`new: etcdgw.New: Config.TimeoutSeconds is -1`,
		},
	}, {
		name: "checksum leaves an input out",
		cfg:  endpoint,
		spec: memo.Spec[RestoreIn]{Key: key, Checksum: func(in RestoreIn) dsl.Expr[string] { return memo.Checksum(in.Snapshot) }},
		want: []string{
			`wrap: memo.Wrap "restore": Spec.Checksum leaves out input "upstream"`,
		},
	}, {
		name: "exclusion of no input",
		cfg:  endpoint,
		spec: memo.Spec[RestoreIn]{Key: key, Exclude: []string{"upstream", "snapshots"}},
		want: []string{
			`wrap: memo.Wrap "restore": Spec.Exclude names "snapshots", which is not an input of the step (its inputs: snapshot, upstream)`,
		},
	}, {
		name: "named exclusion",
		cfg:  endpoint,
		spec: memo.Spec[RestoreIn]{Key: key, Checksum: func(in RestoreIn) dsl.Expr[string] { return memo.Checksum(in.Snapshot) }, Exclude: []string{"upstream"}},
	}, {
		name: "default checksum",
		cfg:  endpoint,
		spec: memo.Spec[RestoreIn]{Key: key},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			lib := dsl.NewLibrary("misuse")
			wt := lib.WorkflowTemplate("misuse")
			newLine, g := line(), etcdgw.New(wt, tc.cfg)
			wrapLine, w := line(), memo.Wrap(g, "restore", restoreStep(wt), tc.spec)
			main := dsl.DAG[RestoreIn, dsl.None](wt, "main")
			dsl.Task(main, "restore", w, main.In())
			wt.Entrypoint(main)
			_, errs := lib.Build()
			var got []string
			for _, e := range errs {
				where := fmt.Sprintf("%s:%d", e.Pos.File, e.Pos.Line)
				switch where {
				case fmt.Sprintf("memo/errors_test.go:%d", newLine):
					where = "new"
				case fmt.Sprintf("memo/errors_test.go:%d", wrapLine):
					where = "wrap"
				}
				got = append(got, where+": "+e.Msg)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Build reported %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("problem %d:\n got %s\nwant %s...", i, got[i], want)
				}
			}
		})
	}
}

// TestDefaultChecksum: without a Checksum, the wrapper's checksum reads
// every input of the step that is not excluded.
func TestDefaultChecksum(t *testing.T) {
	for _, tc := range []struct {
		exclude []string
		want    []string // inputs named in memo-acquire's checksum argument
	}{
		{nil, []string{"snapshot", "upstream"}},
		{[]string{"upstream"}, []string{"snapshot"}},
	} {
		lib, wt, w := wrapRestore(memo.Spec[RestoreIn]{Key: restoreKey, Exclude: tc.exclude})
		wt.Entrypoint(w)
		built, errs := lib.Build()
		if err := errs.Err(); err != nil {
			t.Fatal(err)
		}
		var sum string
		for _, tmpl := range built.WorkflowTemplates[0].Templates {
			for _, c := range tmpl.DAG {
				if c.Name != "acquire" {
					continue
				}
				for _, a := range c.Arguments {
					if a.Name == "checksum" {
						sum = a.Value
					}
				}
			}
		}
		for _, in := range []string{"snapshot", "upstream"} {
			reads := strings.Contains(sum, "inputs.parameters.'"+in+"'") || strings.Contains(sum, "inputs.parameters."+in)
			if reads != slices.Contains(tc.want, in) {
				t.Errorf("exclude %v: checksum reads %s: %v, want %v\n%s", tc.exclude, in, reads, !reads, sum)
			}
		}
	}
}

// TestChainedChecksum: Wrapped.Checksum is the checksum the wrapper
// records, over the arguments of a call, for a downstream input.
func TestChainedChecksum(t *testing.T) {
	_, _, w := wrapRestore(memo.Spec[RestoreIn]{Key: restoreKey})
	args := RestoreIn{Snapshot: dsl.Lit("snap-1"), Upstream: dsl.Lit("sum-0")}
	got := w.Checksum(args).String()
	for _, want := range []string{`"snapshot"`, `"snap-1"`, `"upstream"`, `"sum-0"`, "sha256"} {
		if !strings.Contains(got, want) {
			t.Errorf("Checksum(args) = %s, lacks %s", got, want)
		}
	}
	if strings.Contains(got, "inputs.parameters") {
		t.Errorf("Checksum(args) reads the wrapper's inputs, not the call's arguments: %s", got)
	}
}
