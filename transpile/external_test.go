package transpile_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/transpile"
)

type notifyIn struct {
	Channel dsl.Expr[string] `desc:"where to post"`
	Text    dsl.Expr[string] `desc:"what to post"`
}

type ticketOut struct {
	ID dsl.Expr[string] `desc:"ticket id"`
}

// platform declares the shared WorkflowTemplate another team installs:
// "notify" posts a message, "open-ticket" returns a ticket id.
func platform(lib *dsl.Library) (notify dsl.Template[notifyIn, dsl.None], ticket dsl.Template[notifyIn, ticketOut]) {
	shared := lib.External("platform-steps")
	return dsl.Declare[notifyIn, dsl.None](shared, "notify"), dsl.Declare[notifyIn, ticketOut](shared, "open-ticket")
}

// TestExternal: calls of an External WorkflowTemplate's declared templates
// are typed templateRefs, its outputs are read like any, and compile emits
// only the library's own WorkflowTemplates.
func TestExternal(t *testing.T) {
	lib := dsl.NewLibrary("uses-platform")
	notify, ticket := platform(lib)
	wt := lib.WorkflowTemplate("release").ServiceAccount("release")
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	tk := dsl.Task(main, "ticket", ticket, notifyIn{Channel: dsl.Lit("#ops"), Text: dsl.Lit("release starts")})
	dsl.Task(main, "notify", notify, notifyIn{Channel: dsl.Lit("#ops"), Text: dsl.Concat(dsl.Lit("ticket "), tk.Out().ID)}).After(tk)
	wt.Entrypoint(main)

	built, errs := lib.Build()
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := transpile.Compile(built)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "release.yaml" {
		t.Fatalf("compile wrote %v, want release.yaml only", names(files))
	}
	golden.Check(t, filepath.Join("testdata", "external", "release.yaml"), files[0].Data)
}

// TestExternalMisuse: an External WorkflowTemplate has declared templates
// only; Declare belongs to External ones; a declared template's inputs are
// checked at the call like any.
func TestExternalMisuse(t *testing.T) {
	lib := dsl.NewLibrary("misuse")
	notify, _ := platform(lib)
	shared := lib.External("other-steps")
	dsl.Container[notifyIn, dsl.None](shared, "post").Image("busybox")
	shared.Entrypoint(notify)
	wt := lib.WorkflowTemplate("release")
	dsl.Declare[notifyIn, dsl.None](wt, "notify-here")
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "notify", notify, notifyIn{Channel: dsl.Lit("#ops")})
	wt.Entrypoint(main)
	_, errs := lib.Build()
	got := errs.Error()
	for _, want := range []string{
		`WorkflowTemplate "other-steps" is External: it cannot have the container template "post"`,
		`WorkflowTemplate "other-steps" is External: it cannot have an entrypoint`,
		`dsl.Declare of "notify-here" in WorkflowTemplate "release", which this library builds`,
		`missing required argument "text" of template "notify"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Build errors lack %q:\n%s", want, got)
		}
	}
}

func names(files []transpile.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}
