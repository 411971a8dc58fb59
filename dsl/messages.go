package dsl

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/lint"
)

// Every message Build reports is made here, so wording stays consistent.

func msgParamsNotStruct(t reflect.Type) string {
	return fmt.Sprintf("parameter type %s is not a struct: use a struct of dsl.Expr fields, or dsl.None", t)
}

func msgParamFieldType(t reflect.Type, sf reflect.StructField) string {
	return fmt.Sprintf("field %s.%s has type %s: parameter fields must be dsl.Expr[T]", t.Name(), sf.Name, sf.Type)
}

func msgFieldNotItem(name string) string {
	return fmt.Sprintf("dsl.Field(%q) applies to a loop item: use it on the item given to ForEach", name)
}

func msgFieldOnNonStruct(t reflect.Type, name string) string {
	return fmt.Sprintf("dsl.Field(%q) on %s, which is not a struct", name, t)
}

func msgFieldType(t reflect.Type, name string, have, want reflect.Type) string {
	return fmt.Sprintf("field %q of %s has type %s, not %s: change the type argument of dsl.Field", name, t, have, want)
}

func msgNoField(t reflect.Type, name string) string {
	return fmt.Sprintf("%s has no field with JSON name %q", t, name)
}

func msgUnsetOperand(op string) string {
	return fmt.Sprintf("operand of %q is not set", op)
}

func msgOutOfLoop(name string) string {
	return fmt.Sprintf("Out() of loop task %q: a loop's outputs are JSON lists, not the callee's types", name)
}

func msgDependsInSteps(name string) string {
	return fmt.Sprintf("step %q: dependencies exist only in DAGs; in steps, order comes from the groups", name)
}

func msgEmptyItems(name string) string {
	return fmt.Sprintf("loop %q has no items: use dsl.Values or dsl.FromList", name)
}

func msgEntrypointElsewhere(tmpl, owner, wt string) string {
	return fmt.Sprintf("entrypoint %q is defined in WorkflowTemplate %q, not %q", tmpl, owner, wt)
}

func msgOnExitElsewhere(tmpl, wt string) string {
	return fmt.Sprintf("exit handler %q must be defined in WorkflowTemplate %q", tmpl, wt)
}

func msgOnExitInputs(tmpl string) string {
	return fmt.Sprintf("exit handler %q has inputs: a workflow exit handler is called without arguments", tmpl)
}

func msgBadDuration(what, v string) string {
	return fmt.Sprintf("%s %q is not a duration: write a Go duration such as \"90s\" or \"10m\", or whole seconds", what, v)
}

func msgOnlyFor(opt, kind string, have ir.Kind) string {
	return fmt.Sprintf("%s applies to %s templates, not to a %s template", opt, kind, have)
}

func msgMemoizeNoKey() string {
	return "memoize needs a key: pass an expression that identifies the inputs"
}

func msgMemoizeKeyLong(n int) string {
	return fmt.Sprintf("memoize key is %d characters; Argo allows at most %d: hash the inputs into the key", n, lint.MaxMemoKey)
}

func msgBadResourceAction(a string) string {
	return fmt.Sprintf("resource action %q is not one of create, apply, patch, delete, get, replace", a)
}

func msgBadName(what, name, why string) string {
	return fmt.Sprintf("%s name %q %s", what, name, why)
}

func msgDuplicate(what, name string, first Pos) string {
	return fmt.Sprintf("duplicate %s name %q (first defined at %s)", what, name, first)
}

func msgNoEntrypoint(wt string) string {
	return fmt.Sprintf("WorkflowTemplate %q has no templates", wt)
}

func msgMissingArg(arg, callee string) string {
	return fmt.Sprintf("missing required argument %q of template %q: set the field, or give it a default:\"...\" tag", arg, callee)
}

func msgArgType(arg, callee string) string {
	return fmt.Sprintf("argument %q of template %q has a different type than the input", arg, callee)
}

func msgUndefinedDep(task, dep, where string) string {
	return fmt.Sprintf("task %q depends on %q, which is not a task of this DAG (it belongs to %s)", task, dep, where)
}

func msgCycle(path []string) string {
	s := ""
	for i, p := range path {
		if i > 0 {
			s += " -> "
		}
		s += p
	}
	return "dependency cycle: " + s
}

func msgNotUpstream(user, producer string) string {
	return fmt.Sprintf("%q uses an output of %q, which is not upstream of it: add %s to its dependencies", user, producer, producer)
}

func msgNotEarlierStep(user, producer string) string {
	return fmt.Sprintf("step %q uses an output of step %q, which does not run in an earlier group", user, producer)
}

func msgForeignCall(user, producer, tmpl string) string {
	return fmt.Sprintf("%q uses an output of %q, which is a call in another template (%s)", user, producer, tmpl)
}

func msgForeignInput(input, owner, user string) string {
	return fmt.Sprintf("input %q of template %q is used in template %q: pass it as an argument", input, owner, user)
}

func msgUndefinedGlobal(name, wt string) string {
	return fmt.Sprintf("workflow parameter %q is not an input of the entrypoint of WorkflowTemplate %q", name, wt)
}

func msgGlobalType(name string, have, want ir.Type) string {
	return fmt.Sprintf("workflow parameter %q is a %s, used as a %s", name, have, want)
}

func msgGlobalNoEntrypoint(name, wt string) string {
	return fmt.Sprintf("workflow parameter %q used, but WorkflowTemplate %q has no entrypoint to declare it", name, wt)
}

func msgWholeItemInExpr() string {
	return "the loop item is an object, and Argo gives expressions only its fields, each as text: " +
		"read a field (dsl.Field or dsl.Get), or pass the item alone as an argument (it is then its JSON text)"
}

func msgItemOutsideLoop() string {
	return "the loop item is used outside its ForEach call"
}

func msgOutputNotSet(out, tmpl string) string {
	return fmt.Sprintf("output %q of template %q is not defined: set it in Outputs", out, tmpl)
}

func msgOutputsMissing(tmpl string) string {
	return fmt.Sprintf("template %q declares outputs but never calls Outputs", tmpl)
}

func msgOutputSource(out, from string, kind ir.Kind) string {
	return fmt.Sprintf("output %q: %s outputs are not available in a %s template", out, from, kind)
}

func msgBadWord(v any) string {
	return fmt.Sprintf("%T is not a string or a dsl.Expr", v)
}

func msgFormat(text string) string {
	return fmt.Sprintf("format and arguments do not match: %q", text)
}

func msgUnused(tmpl string) string {
	return fmt.Sprintf("template %q is defined but never used", tmpl)
}

func msgNoImage(tmpl string) string {
	return fmt.Sprintf("template %q has no image: call Image", tmpl)
}

func msgNoURL(tmpl string) string {
	return fmt.Sprintf("HTTP template %q has no URL: call URL", tmpl)
}

func msgNoManifest(tmpl string) string {
	return fmt.Sprintf("resource template %q has no manifest", tmpl)
}

func msgEmptyBody(tmpl string, kind ir.Kind) string {
	return fmt.Sprintf("%s template %q has no tasks", kind, tmpl)
}

func msgItemType(name string) string {
	return fmt.Sprintf("loop %q: items cannot be encoded as JSON", name)
}

func msgWhenInLoopOrder(name string) string {
	return fmt.Sprintf("call %q: a step's condition may not use outputs of its own group", name)
}

func msgMaybeSkipped(user, producer string) string {
	return fmt.Sprintf("%q uses an output of %q, which is skipped when its condition is false: wrap the output in dsl.Default, or depend on %s.Succeeded()", user, producer, producer)
}

func msgContinueOnInDAG(name string) string {
	return fmt.Sprintf("task %q: continueOn is for steps; in a DAG, make the next tasks depend on %s.Failed() or %s.Errored()", name, name, name)
}

func msgExprCheck(field, text string, err error) string {
	first, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Sprintf("%s: expression %s does not compile in Argo's environment: %s", field, text, first)
}

func msgUnknownVariable(field, path string) string {
	return fmt.Sprintf("%s: %s is not a variable in reach here", field, path)
}

func msgDuplicateHook(call, name string) string {
	return fmt.Sprintf("call %q has two hooks named %q (\"exit\" is the OnExit hook)", call, name)
}

func msgFormatArgs(format string, n int) string {
	return fmt.Sprintf("format %q does not match its %d arguments: use one %%s per argument, %%%% for a percent sign", format, n)
}

func msgMemoizeKeyChars(key string) string {
	return fmt.Sprintf("memoize key %q has characters Argo rejects (it allows letters, digits and '-'): use dsl.Sha256 of the inputs", key)
}

func msgRetryScope(v string) string {
	return fmt.Sprintf("retry condition uses %s: Argo evaluates it with dsl.Retries and the dsl.LastRetry* variables only", v)
}

func msgParallelism(n int64) string {
	return fmt.Sprintf("Parallelism(%d): give 1 or more (Argo reads 0 as no bound on a template, and as start-nothing on a workflow; leave the option out for no bound)", n)
}

func msgRetryLimit(n int) string {
	return fmt.Sprintf("Retry{Limit: %d}: give 0 or more retries", n)
}

func msgBadDefault(field, deflt string, typ ir.Type) string {
	return fmt.Sprintf("field %s: default:%q is not a %s: give a default of the field's type", field, deflt, typ)
}

func msgDefaultNotInEnum(field, deflt string, enum []string) string {
	return fmt.Sprintf("field %s: default:%q is not one of its enum (%s)", field, deflt, strings.Join(enum, ", "))
}

func msgEnumValueType(field, v string, typ ir.Type) string {
	return fmt.Sprintf("field %s: enum value %q is not a %s", field, v, typ)
}

func msgArgNotInEnum(arg, tmpl, v string, enum []string) string {
	return fmt.Sprintf("argument %q of template %q is %q, not one of its enum (%s)", arg, tmpl, v, strings.Join(enum, ", "))
}

func msgMemoizeKeyPart(part string) string {
	return fmt.Sprintf("memoize key part %q has characters Argo refuses in a key: use letters, digits and '-' (or Sha256 of the parts)", part)
}

func msgStopOnFailureKind(k ir.Kind) string {
	return fmt.Sprintf("StopOnFailure is for steps templates, not %s: Argo stops a loop at its first failure only there; make the loop's parent a dsl.Steps", k)
}

func msgLoopKeepsGoing(loop, dag string) string {
	return fmt.Sprintf("loop %q runs one item at a time in DAG %q, and a DAG keeps starting a loop's items after one failed (its failFast only decides its phase): to stop at the first failure, put the loop in a dsl.Steps template With(dsl.StopOnFailure()); FailFast(false) on the DAG says going on is meant", loop, dag)
}

func msgExternalBody(wt, what string) string {
	return fmt.Sprintf("WorkflowTemplate %q is External: it cannot have %s; declare its templates with dsl.Declare, or build it with Library.WorkflowTemplate", wt, what)
}

func msgDeclareNotExternal(name, wt string) string {
	return fmt.Sprintf("dsl.Declare of %q in WorkflowTemplate %q, which this library builds: declare templates only in a WorkflowTemplate from Library.External, and define this one with Container, DAG, ...", name, wt)
}

func msgNoResult(call, tmpl, what string) string {
	return fmt.Sprintf("Result() of %q: %s %q has no result; only container, script and HTTP templates have one: read one of its outputs instead", call, what, tmpl)
}
