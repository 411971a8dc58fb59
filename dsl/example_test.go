package dsl_test

import (
	"fmt"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/transpile"
)

type greeting struct {
	Name dsl.Expr[string] `desc:"who to greet" default:"world"`
}

type spoken struct {
	Loud dsl.Expr[bool] `desc:"whether the greeting was shouted"`
}

// A two-step workflow: the second step runs only when the first reports it
// did not shout. Build checks it; transpile renders validated YAML.
func Example() {
	lib := dsl.NewLibrary("hello")
	wt := lib.WorkflowTemplate("hello")

	say := dsl.Container[greeting, spoken](wt, "say")
	say.Image("busybox:1.36").
		Command("sh", "-c", `echo "hello $NAME"; echo false > /tmp/loud`).
		Env("NAME", say.In().Name).
		Outputs(spoken{Loud: dsl.FromFile[bool]("/tmp/loud")})

	main := dsl.DAG[greeting, dsl.None](wt, "main")
	first := dsl.Task(main, "first", say, greeting{Name: main.In().Name})
	dsl.Task(main, "again", say, greeting{Name: dsl.Format("%s, again", main.In().Name)}).
		After(first).
		When(dsl.Not(first.Out().Loud))
	wt.Entrypoint(main)

	built, problems := lib.Build()
	if err := problems.Err(); err != nil {
		fmt.Println(err)
		return
	}
	files, err := transpile.Compile(built)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(files[0].Name)
	fmt.Println(built.WorkflowTemplates[0].Templates[0].DAG[1].When)
	// Output:
	// hello.yaml
	// {{=!(tasks.first.outputs.parameters.loud == "true")}}
}

// Build reports every mistake with the line of the DSL that made it.
func ExampleLibrary_Build() {
	lib := dsl.NewLibrary("broken")
	wt := lib.WorkflowTemplate("broken")
	say := dsl.Container[greeting, dsl.None](wt, "Say").Image("busybox:1.36")
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	a := dsl.Task(main, "a", say, greeting{})
	b := dsl.Task(main, "b", say, greeting{}).After(a)
	a.After(b)
	wt.Entrypoint(main)
	_, problems := lib.Build()
	for _, p := range problems {
		fmt.Println(p.Msg)
	}
	// Output:
	// template name "Say" is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit
	// dependency cycle: a -> b -> a
}
