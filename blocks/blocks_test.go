package blocks_test

import (
	"strings"
	"testing"

	"github.com/migratekit/migrate/blocks"
	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/etcdgw"
	"github.com/migratekit/migrate/memo"
	"github.com/migratekit/migrate/transpile"
)

// TestStationWithMemo: a station's do can be memoized: the station calls
// the memo wrapper where it would call the step, and the library passes
// Argo's validator and our checks.
func TestStationWithMemo(t *testing.T) {
	lib := dsl.NewLibrary("schema")
	wt := lib.WorkflowTemplate("schema")
	g := etcdgw.New(wt, etcdgw.Config{Endpoint: dsl.Lit("https://etcd:2379")})
	check := dsl.Container[Schema, blocks.CheckResult](wt, "check")
	check.Image("ghcr.io/example/db:1.0").
		Args("check", check.In().Database).
		Outputs(blocks.CheckResult{Done: dsl.FromFile[bool]("/tmp/done")})
	migrate := dsl.Container[Schema, dsl.None](wt, "migrate")
	migrate.Image("ghcr.io/example/db:1.0").Args("migrate", migrate.In().Database)
	once := memo.Wrap(g, "migrate-once", migrate.Template, memo.Spec[Schema]{
		Key: func(in Schema) dsl.Expr[string] { return dsl.Concat(dsl.Lit("schema/"), in.Database) },
	})
	wt.Entrypoint(blocks.NewStation(wt, "main", blocks.Station[Schema]{
		Check: check.Template, Do: once.Template, Fail: blocks.Fail(wt, "fail", "").Template,
	}))
	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(files[0].Data)
	for _, want := range []string{"name: do\n            template: migrate-once", "name: run\n            template: migrate"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("the compiled station lacks %q", want)
		}
	}
}
