package dsl_test

import (
	"bufio"
	"fmt"
	_ "github.com/migratekit/migrate/internal/golden"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/migratekit/migrate/dsl"
)

// Each case builds a library with mistakes. The line that causes a problem
// carries a comment `// want "message"` (or `// warn "message"`) with the
// exact message Build must report at that line; the test fails on any
// problem not announced and any announcement not reported. In a message,
// @-N stands for the line N lines above the comment.

type host struct {
	Host dsl.Expr[string] `desc:"host name"`
}

type ready struct {
	Ready dsl.Expr[bool]
}

type row struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

const img = "busybox:1.36"

func caseDAGStructure() *dsl.Library {
	lib := dsl.NewLibrary("structure")
	wt := lib.WorkflowTemplate("structure")
	probe := dsl.Container[host, ready](wt, "probe").Image(img).Outputs(ready{Ready: dsl.FromFile[bool]("/tmp/ready")})
	other := dsl.DAG[dsl.None, dsl.None](wt, "other") // warn "template \"other\" is defined but never used"
	elsewhere := dsl.Task(other, "elsewhere", probe, host{Host: dsl.Lit("a")})
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	a := dsl.Task(main, "a", probe, host{Host: dsl.Lit("a")})
	b := dsl.Task(main, "b", probe, host{Host: dsl.Lit("b")})
	c := dsl.Task(main, "c", probe, host{Host: dsl.Lit("c")}).After(b)
	b.After(c)                                                                   // want "dependency cycle: b -> c -> b"
	dsl.Task(main, "a", probe, host{Host: dsl.Lit("again")})                     // want "duplicate task name \"a\" (first defined at dsl/errors_test.go:@-4)"
	dsl.Task(main, "d", probe, host{Host: dsl.Lit("d")}).After(elsewhere)        // want "task \"d\" depends on \"elsewhere\", which is not a task of this DAG (it belongs to template \"other\")"
	dsl.Task(main, "e", probe, host{Host: dsl.ToString(a.Out().Ready)})          // want "\"e\" uses an output of \"a\", which is not upstream of it: add a to its dependencies"
	dsl.Task(main, "f", probe, host{}).After(a)                                  // want "missing required argument \"host\" of template \"probe\": set the field, or give it a default:\"...\" tag"
	dsl.Task(main, "g", probe, host{Host: dsl.ToString(a.Out().Ready)}).After(c) // want "\"g\" uses an output of \"a\", which is not upstream of it: add a to its dependencies"
	guarded := dsl.Task(main, "guarded", probe, host{Host: dsl.Lit("g")}).When(dsl.Not(dsl.Lit(false)))
	dsl.Task(main, "i", probe, host{Host: dsl.ToString(guarded.Out().Ready)}).After(guarded) // want "\"i\" uses an output of \"guarded\", which is skipped when its condition is false: wrap the output in dsl.Default, or depend on guarded.Succeeded()"
	dsl.Task(main, "j", probe, host{Host: dsl.ToString(guarded.Out().Ready)}).Depends(dsl.AllOf(guarded.Succeeded(), a.Succeeded()))
	dsl.Task(main, "k", probe, host{Host: dsl.ToString(guarded.Out().Ready)}).Depends(dsl.AnyOf(guarded.Succeeded(), a.Succeeded())) // want "\"k\" uses an output of \"guarded\", which is skipped when its condition is false: wrap the output in dsl.Default, or depend on guarded.Succeeded()"
	dsl.Task(main, "l", probe, host{Host: dsl.Lit("l")}).ContinueOnFailed()                                                          // want "task \"l\": continueOn is for steps; in a DAG, make the next tasks depend on l.Failed() or l.Errored()"
	dsl.Task(main, "h", probe, host{Host: dsl.ToString(elsewhere.Out().Ready)})                                                      // want "\"h\" uses an output of \"elsewhere\", which is a call in another template (other)"
	wt.Entrypoint(main)
	return lib
}

func caseNames() *dsl.Library {
	lib := dsl.NewLibrary("names")
	wt := lib.WorkflowTemplate("Names")                                           // want "WorkflowTemplate name \"Names\" is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit"
	lib.WorkflowTemplate("names-" + strings.Repeat("x", 58)).Entrypoint(nil2(wt)) // want "WorkflowTemplate name \"names-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is 64 characters long; the limit is 63" "WorkflowTemplate \"names-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" has no templates" "entrypoint \"pause\" is defined in WorkflowTemplate \"Names\", not \"names-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""
	t := dsl.Container[dsl.None, dsl.None](wt, "Step_One").Image(img)             // want "template name \"Step_One\" is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit"
	dsl.Container[dsl.None, dsl.None](wt, "Step_One").Image(img)                  // warn "template \"Step_One\" is defined but never used" want "template name \"Step_One\" is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit" "duplicate template name \"Step_One\" (first defined at dsl/errors_test.go:@-1)"
	dsl.Container[dsl.None, dsl.None](wt, "never-called").Image(img)              // warn "template \"never-called\" is defined but never used"
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "Run", t, dsl.None{}) // want "task name \"Run\" is not a lowercase RFC 1123 name: use a-z, 0-9 and '-', starting and ending with a letter or digit"
	wt.Entrypoint(main)
	return lib
}

// nil2 gives the second WorkflowTemplate an entrypoint that lives in the
// first, a mistake Build reports.
func nil2(wt *dsl.WorkflowTemplate) dsl.Callable {
	return dsl.Suspend[dsl.None, dsl.None](wt, "pause") // warn "template \"pause\" is defined but never used"
}

func caseReferences() *dsl.Library {
	lib := dsl.NewLibrary("refs")
	wt := lib.WorkflowTemplate("refs")
	probe := dsl.Container[host, ready](wt, "probe").Image(img).Outputs(ready{Ready: dsl.FromFile[bool]("/tmp/ready")})
	echo := dsl.Container[host, dsl.None](wt, "echo").Image(img)
	echo.Args(probe.In().Host)                                                // want "input \"host\" of template \"probe\" is used in template \"echo\": pass it as an argument"
	probe.Args(dsl.Global[string](wt, "region"), dsl.Global[int](wt, "host")) // want "workflow parameter \"region\" is not an input of the entrypoint of WorkflowTemplate \"refs\"" "workflow parameter \"host\" is a string, used as a int"
	main := dsl.DAG[host, dsl.None](wt, "main")
	in := main.In()
	dsl.Task(main, "probe", probe, host{Host: in.Host})
	loop := dsl.ForEach(main, "each", echo, dsl.Values(row{Name: "a", Count: 1}), func(item dsl.Expr[row]) host {
		return host{Host: dsl.Field[string](item, "name")}
	})
	loop.Out() // want "Out() of loop task \"each\": a loop's outputs are JSON lists, not the callee's types"
	dsl.ForEach(main, "each2", echo, dsl.Values(row{Name: "b"}), func(item dsl.Expr[row]) host {
		return host{Host: dsl.Field[string](item, "count")} // want "field \"count\" of dsl_test.row has type int, not string: change the type argument of dsl.Field"
	})
	dsl.ForEach(main, "each3", echo, dsl.Values(row{Name: "c"}), func(item dsl.Expr[row]) host {
		return host{Host: dsl.Field[string](item, "nmae")} // want "dsl_test.row has no field with JSON name \"nmae\""
	})
	var kept dsl.Expr[row]
	dsl.ForEach(main, "each4", echo, dsl.Values(row{Name: "d"}), func(item dsl.Expr[row]) host { // want "the loop item is an object, and Argo gives expressions only its fields, each as text: read a field (dsl.Field or dsl.Get), or pass the item alone as an argument (it is then its JSON text)"
		kept = item
		return host{Host: dsl.ToString(dsl.Len(item))}
	})
	dsl.Task(main, "after", echo, host{Host: dsl.Field[string](kept, "name")}) // want "the loop item is used outside its ForEach call"
	dsl.ForEach(main, "each5", echo, dsl.Values(row{Name: "e"}), func(item dsl.Expr[row]) host {
		return host{Host: dsl.ToJSON(item)} // the whole item as text is its JSON: fine
	})
	gate := dsl.Task(main, "gate", dsl.Suspend[dsl.None, dsl.None](wt, "gate"), dsl.None{})
	dsl.Task(main, "after-gate", echo, host{Host: gate.Result()}).After(gate) // want "Result() of \"gate\": the suspend template \"gate\" has no result; only container, script and HTTP templates have one: read one of its outputs instead"
	wt.Entrypoint(main)
	return lib
}

func caseSteps() *dsl.Library {
	lib := dsl.NewLibrary("steps")
	wt := lib.WorkflowTemplate("steps")
	probe := dsl.Container[host, ready](wt, "probe").Image(img).Outputs(ready{Ready: dsl.FromFile[bool]("/tmp/ready")})
	main := dsl.Steps[dsl.None, dsl.None](wt, "main")
	a := dsl.Task(main, "a", probe, host{Host: dsl.Lit("a")})
	dsl.Parallel(main, "b", probe, host{Host: dsl.Lit("b")}).When(a.Out().Ready) // want "step \"b\" uses an output of step \"a\", which does not run in an earlier group"
	dsl.Task(main, "c", probe, host{Host: dsl.Lit("c")}).After(a)                // want "step \"c\": dependencies exist only in DAGs; in steps, order comes from the groups"
	d := dsl.Task(main, "d", probe, host{Host: dsl.Lit("d")}).When(a.Out().Ready)
	dsl.Task(main, "e", probe, host{Host: dsl.ToString(d.Out().Ready)}) // want "\"e\" uses an output of \"d\", which is skipped when its condition is false: wrap the output in dsl.Default, or depend on d.Succeeded()"
	dsl.Task(main, "f", probe, host{Host: dsl.ToString(dsl.Default(d.Out().Ready, false))})
	dsl.Task(main, "g", probe, host{Host: dsl.Format("%s-%s", dsl.Lit("x"))}) // want "format \"%s-%s\" does not match its 1 arguments: use one %s per argument, %% for a percent sign"
	wt.Entrypoint(main)
	return lib
}

type typedIn struct {
	Count dsl.Expr[int]     `default:"two"`
	Mode  dsl.Expr[string]  `enum:"fast,safe" default:"slow"`
	Ratio dsl.Expr[float64] `enum:"0.5,half" default:"0.5"`
	Level dsl.Expr[string]  `enum:"low,high"`
}

// caseBuildChecks: values Argo would take, fail with, or read otherwise at
// run time are refused at Build, at the line that wrote them.
func caseBuildChecks() *dsl.Library {
	lib := dsl.NewLibrary("checks")
	wt := lib.WorkflowTemplate("checks")
	typed := dsl.Container[typedIn, dsl.None](wt, "typed").Image(img) // want "field count: default:\"two\" is not a int: give a default of the field's type" "field mode: default:\"slow\" is not one of its enum (fast, safe)" "field ratio: enum value \"half\" is not a float"
	probe := dsl.Container[host, dsl.None](wt, "probe").Image(img)
	probe.With(dsl.Parallelism(0))                                                        // want "Parallelism(0): give 1 or more (Argo reads 0 as no bound on a template, and as start-nothing on a workflow; leave the option out for no bound)"
	probe.With(dsl.Retry{Limit: -1})                                                      // want "Retry{Limit: -1}: give 0 or more retries"
	probe.With(dsl.Memoize(dsl.Concat(dsl.Lit("snap/"), probe.In().Host), "cache", "1h")) // want "memoize key part \"snap/\" has characters Argo refuses in a key: use letters, digits and '-' (or Sha256 of the parts)"
	apply := dsl.Resource[dsl.None, dsl.None](wt, "apply", "apply").Manifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	apply.SuccessWhen("status.phase ~ Ready") // want "SuccessWhen: condition \"status.phase ~ Ready\" does not parse as Argo's executor reads it (a label selector over the object's fields, e.g. \"status.phase == Ready\"): unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"
	apply.FailureWhen("status.failed > 0")
	serial := dsl.DAG[dsl.None, dsl.None](wt, "serial").With(dsl.Parallelism(1), dsl.StopOnFailure())                  // want "StopOnFailure is for steps templates, not dag: Argo stops a loop at its first failure only there; make the loop's parent a dsl.Steps"
	dsl.ForEach(serial, "each", probe, dsl.Values("a", "b"), func(it dsl.Expr[string]) host { return host{Host: it} }) // warn "loop \"each\" runs one item at a time in DAG \"serial\", and a DAG keeps starting a loop's items after one failed (its failFast only decides its phase): to stop at the first failure, put the loop in a dsl.Steps template With(dsl.StopOnFailure()); FailFast(false) on the DAG says going on is meant"
	steps := dsl.Steps[dsl.None, dsl.None](wt, "steps").With(dsl.Parallelism(1), dsl.StopOnFailure())
	dsl.ForEach(steps, "each", probe, dsl.Values("a", "b"), func(it dsl.Expr[string]) host { return host{Host: it} })
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "serial", serial, dsl.None{})
	dsl.Task(main, "steps", steps, dsl.None{})
	dsl.Task(main, "typed", typed, typedIn{Level: dsl.Lit("medium")}) // want "argument \"level\" of template \"typed\" is \"medium\", not one of its enum (low, high)"
	dsl.Task(main, "typed-ok", typed, typedIn{Level: dsl.Lit("low"), Mode: dsl.Lit("fast")})
	dsl.Task(main, "probe", probe, host{Host: dsl.Lit("a")})
	dsl.Task(main, "apply", apply, dsl.None{})
	wt.Entrypoint(main)
	return lib
}

func caseTemplates() *dsl.Library {
	lib := dsl.NewLibrary("tmpl")
	wt := lib.WorkflowTemplate("tmpl")
	noImage := dsl.Container[dsl.None, dsl.None](wt, "no-image")         // want "template \"no-image\" has no image: call Image"
	noOut := dsl.Container[dsl.None, ready](wt, "no-outputs").Image(img) // want "template \"no-outputs\" declares outputs but never calls Outputs"
	wrongSrc := dsl.Container[dsl.None, ready](wt, "wrong-source").Image(img).
		Outputs(ready{Ready: dsl.FromJSONPath[bool]("{.status.ready}")}) // want "output \"ready\": jsonPath outputs are not available in a container template"
	unset := dsl.Container[dsl.None, ready](wt, "unset-output").Image(img).Outputs(ready{}) // want "output \"ready\" of template \"unset-output\" is not defined: set it in Outputs"
	wait := dsl.Suspend[dsl.None, dsl.None](wt, "wait").Duration("ten minutes")             // want "suspend duration \"ten minutes\" is not a duration: write a Go duration such as \"90s\" or \"10m\", or whole seconds"
	memo := dsl.Container[host, dsl.None](wt, "memo").Image(img).
		With(dsl.Memoize(dsl.Lit(strings.Repeat("k", 300)), "memo-cache", "forever")) // want "memoize maxAge \"forever\" is not a duration: write a Go duration such as \"90s\" or \"10m\", or whole seconds" "memoize key is 300 characters; Argo allows at most 253: hash the inputs into the key"
	badKey := dsl.Container[host, dsl.None](wt, "bad-key").Image(img).
		With(dsl.Memoize(dsl.Lit("source/repo"), "memo-cache", "3600"), dsl.Timeout("1d")) // want "memoize key \"source/repo\" has characters Argo rejects (it allows letters, digits and '-'): use dsl.Sha256 of the inputs" "memoize maxAge \"3600\" is not a duration: write a Go duration such as \"90s\" or \"10m\", or whole seconds" "timeout \"1d\" is not a duration: write a Go duration such as \"90s\" or \"10m\", or whole seconds"
	retryIn := dsl.Container[host, dsl.None](wt, "retry-inputs").Image(img)
	retryIn.With(dsl.Retry{Limit: 2, If: retryIn.In().Host.Equals("x")}) // want "retry condition uses inputs.parameters.host: Argo evaluates it with dsl.Retries and the dsl.LastRetry* variables only"
	bad := dsl.Resource[dsl.None, dsl.None](wt, "bad-action", "explode") // want "resource action \"explode\" is not one of create, apply, patch, delete, get, replace" "resource template \"bad-action\" has no manifest"
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	dsl.Task(main, "no-image", noImage, dsl.None{})
	dsl.Task(main, "no-outputs", noOut, dsl.None{})
	dsl.Task(main, "wrong-source", wrongSrc, dsl.None{})
	dsl.Task(main, "unset-output", unset, dsl.None{})
	dsl.Task(main, "wait", wait, dsl.None{})
	dsl.Task(main, "memo", memo, host{Host: dsl.Lit("x")})
	dsl.Task(main, "bad-action", bad, dsl.None{})
	dsl.Task(main, "bad-key", badKey, host{Host: dsl.Lit("k")})
	dsl.Task(main, "retry-inputs", retryIn, host{Host: dsl.Lit("r")})
	empty := dsl.DAG[dsl.None, dsl.None](wt, "empty") // want "dag template \"empty\" has no tasks"
	dsl.Task(main, "empty", empty, dsl.None{})
	wt.Entrypoint(main)
	return lib
}

var wantRE = regexp.MustCompile(`^\s*[^/\s].*// (want|warn) (.*)$`)
var relLine = regexp.MustCompile(`@[-+]\d+`) // a line relative to the comment's

var quotedRE = regexp.MustCompile(`(want|warn)|"((?:[^"\\]|\\.)*)"`)

// wants reads the announcements of this file: "line: [warning: ]message".
func wants(t *testing.T) []string {
	f, err := os.Open("errors_test.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		m := wantRE.FindStringSubmatch(sc.Text())
		if m == nil || strings.Contains(sc.Text(), "wantRE") {
			continue
		}
		prefix := ""
		for _, q := range quotedRE.FindAllStringSubmatch(m[1]+" "+m[2], -1) {
			switch q[1] {
			case "want":
				prefix = ""
				continue
			case "warn":
				prefix = "warning: "
				continue
			}
			msg := relLine.ReplaceAllStringFunc(q[2], func(rel string) string {
				n, _ := strconv.Atoi(rel[1:])
				return strconv.Itoa(line + n)
			})
			msg = strings.ReplaceAll(strings.ReplaceAll(msg, `\"`, `"`), `\\`, `\`)
			out = append(out, fmt.Sprintf("dsl/errors_test.go:%d: %s%s", line, prefix, msg))
		}
	}
	return out
}

func TestBuildErrors(t *testing.T) {
	var got []string
	for _, build := range []func() *dsl.Library{caseDAGStructure, caseNames, caseReferences, caseSteps, caseTemplates, caseBuildChecks} {
		built, errs := build().Build()
		if errs.Err() == nil || built != nil {
			t.Errorf("Build accepted a library with errors")
		}
		for _, e := range errs {
			got = append(got, e.Error())
		}
	}
	want := wants(t)
	sort.Strings(got)
	sort.Strings(want)
	missing, extra := difference(want, got), difference(got, want)
	for _, m := range missing {
		t.Errorf("not reported: %s", m)
	}
	for _, e := range extra {
		t.Errorf("unexpected: %s", e)
	}
}

// difference returns the elements of a not in b, as multisets.
func difference(a, b []string) []string {
	count := map[string]int{}
	for _, x := range b {
		count[x]++
	}
	var out []string
	for _, x := range a {
		if count[x] > 0 {
			count[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}
