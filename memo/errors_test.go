package memo_test

import (
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/memo"
)

// TestMisuse: a Spec without a key or a checksum, or a gateway without an
// endpoint, is a Build error with a position, not a panic.
func TestMisuse(t *testing.T) {
	lib := dsl.NewLibrary("misuse")
	wt := lib.WorkflowTemplate("misuse")
	g := etcdgw.New(wt, etcdgw.Config{})
	create := dsl.Container[IndexIn, IndexOut](wt, "create-index")
	create.Image("busybox").Outputs(IndexOut{Index: dsl.FromFile[string]("/tmp/index")})
	w := memo.Wrap(g, "index", create.Template, memo.Spec[IndexIn]{})
	main := dsl.DAG[IndexIn, dsl.None](wt, "main")
	dsl.Task(main, "index", w, main.In())
	wt.Entrypoint(main)
	_, errs := lib.Build()
	got := errs.Error()
	for _, want := range []string{
		`missing required argument "key" of template "memo-acquire"`,
		`missing required argument "checksum" of template "memo-acquire"`,
		`url`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Build errors lack %q:\n%s", want, got)
		}
	}
	for _, e := range errs {
		if !e.Pos.IsValid() {
			t.Errorf("error without a position: %v", e)
		}
	}
}
