package dsl_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// The mistakes Go's type checker catches never reach Build: an unknown
// argument, an argument of the wrong type, an output of the wrong type in a
// condition. This test compiles a program with exactly those mistakes and
// requires the compiler to reject each at its line.
const badProgram = `package bad

import "github.com/migratekit/migrate/dsl"

type in struct {
	Host dsl.Expr[string]
}

type out struct {
	Count dsl.Expr[int]
}

func Build() {
	lib := dsl.NewLibrary("bad")
	wt := lib.WorkflowTemplate("bad")
	t := dsl.Container[in, out](wt, "t").Image("busybox")
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	a := dsl.Task(main, "a", t, in{Hots: dsl.Lit("x")})
	dsl.Task(main, "b", t, in{Host: dsl.Lit(42)})
	dsl.Task(main, "c", t, in{Host: dsl.Lit("y")}).When(a.Out().Count)
	dsl.Task(main, "d", t, out{Count: dsl.Lit(1)})
}
`

func TestTypeErrorsFailGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go compiler")
	}
	dir, err := os.MkdirTemp("testdata", "typeerr-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "bad.go"), []byte(badProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, "./"+filepath.ToSlash(dir))
	outb, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go build accepted the program:\n%s", outb)
	}
	got := string(outb)
	for _, want := range []string{
		`bad.go:18:\d+: unknown field Hots in struct literal`,
		`bad.go:19:\d+: cannot use dsl.Lit\(42\) .* as dsl.Expr\[string\] value`,
		`bad.go:20:\d+: cannot use a.Out\(\).Count .* as dsl.Expr\[bool\] value`,
		`bad.go:21:\d+: in call to dsl.Task, type out of out\{…\} does not match inferred type in for I`,
	} {
		if !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("compiler output lacks %q:\n%s", want, got)
		}
	}
}
