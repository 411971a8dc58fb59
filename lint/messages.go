package lint

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Every message lint shows is built here, so wording stays consistent.
// A message says what is wrong, then how to fix it, after a semicolon.

func msgUnsupportedType(t reflect.Type) string {
	return fmt.Sprintf("cannot lint a %v; pass a *WorkflowTemplate, *ClusterWorkflowTemplate, *Workflow or *CronWorkflow", t)
}

func msgNilObject(t reflect.Type) string {
	return fmt.Sprintf("nil %v; pass a non-nil object", t)
}

func msgDuplicateObject(id, firstFile string) string {
	if firstFile != "" {
		return fmt.Sprintf("%s is defined twice (first in %s); rename or remove one of them", id, firstFile)
	}
	return fmt.Sprintf("%s is defined twice; rename or remove one of them", id)
}

func msgObjectName(kind, name string) string {
	return fmt.Sprintf("%s name %q is not a lowercase RFC 1123 name (%s); use e.g. %q",
		kind, name, nameReason(name, 253, true), suggestName(name, 253))
}

func msgObjectNameMissing(kind string) string {
	if kind == "Workflow" {
		return "metadata.name or metadata.generateName is required; set one of them"
	}
	return fmt.Sprintf("%s has no metadata.name; set one", kind)
}

func msgName(what, name string) string {
	return fmt.Sprintf("%s name %q is not a lowercase RFC 1123 label (%s); use e.g. %q (Argo accepts it, but node and pod names derived from it break)",
		what, name, nameReason(name, 63, false), suggestName(name, 63))
}

// nameReason says why name is not an RFC 1123 label (or subdomain, when
// dots are allowed).
func nameReason(name string, maxLen int, dots bool) string {
	var why []string
	if len(name) > maxLen {
		why = append(why, fmt.Sprintf("longer than %d characters", maxLen))
	}
	if strings.ToLower(name) != name {
		why = append(why, "upper-case letters")
	}
	allowed := "lowercase letters, digits and '-'"
	if dots {
		allowed = "lowercase letters, digits, '-' and '.'"
	}
	if strings.Trim(strings.ToLower(name), "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" || !dots && strings.Contains(name, ".") {
		why = append(why, "only "+allowed+" are allowed")
	}
	if name != "" && (strings.IndexAny(name[:1], "-.") >= 0 || strings.IndexAny(name[len(name)-1:], "-.") >= 0) {
		why = append(why, "must start and end with a letter or digit")
	}
	if len(why) == 0 {
		why = append(why, "only "+allowed+" are allowed")
	}
	return strings.Join(why, ", ")
}

// suggestName lowercases name and replaces what RFC 1123 forbids with '-'.
func suggestName(name string, maxLen int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || (maxLen > 63 && r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	s = strings.Trim(s, "-.")
	if s == "" {
		s = "x"
	}
	return s
}

func msgWhenSyntax(when, parsed string, substituted bool, err error) string {
	m := fmt.Sprintf("invalid when expression %q: %v", when, err)
	if substituted {
		m += fmt.Sprintf(" (parsed as %q: Argo substitutes {{...}} first, then parses with govaluate)", parsed)
	}
	return m + `; write a govaluate condition such as "{{tasks.check.outputs.result}} == done" using ==, !=, <, >, &&, ||, !, =~, in (...)`
}

func msgWhenEval(when string, err error) string {
	return fmt.Sprintf("when %q fails to evaluate: %v; make both sides of each operator the same type (numbers, strings or booleans)", when, err)
}

func msgWhenNotBool(when string, result any) string {
	return fmt.Sprintf("when %q evaluates to %v, not a boolean; write a condition (e.g. a comparison) that is true or false", when, result)
}

func msgUnterminatedTag(s string, offset int) string {
	return fmt.Sprintf("unterminated {{ at %q; close it with }} (Argo fails the node when it substitutes this string)", excerpt(s, offset))
}

func msgExprEmpty(what string) string {
	return fmt.Sprintf("empty %s; write an expression or remove it", what)
}

func msgExprSyntax(what, src string, err error) string {
	return fmt.Sprintf("invalid %s %q: %s; fix the expr-lang syntax (https://expr-lang.org/docs/language-definition)", what, src, firstLine(err))
}

func msgExprCompile(what, src string, err error) string {
	return fmt.Sprintf("invalid %s %q: %s; fix the call or the operand types", what, src, firstLine(err))
}

func msgExprUnknownFunc(what, src, name, suggestion string, argoFuncs bool) string {
	m := fmt.Sprintf("%s %q calls unknown function %s", what, src, name)
	if suggestion != "" {
		m += fmt.Sprintf("; did you mean %s?", suggestion)
	} else {
		m += ";"
	}
	if argoFuncs {
		return m + " Argo provides the expr-lang builtins, asInt, asFloat, jsonpath, toJson and sprig.*"
	}
	return m + fmt.Sprintf(" only the expr-lang builtins are available in a %s", what)
}

func msgExprUnknownVar(what, src, name string, roots []string, suggestion string) string {
	m := fmt.Sprintf("%s %q uses unknown name %s", what, src, name)
	if suggestion != "" {
		m += fmt.Sprintf("; did you mean %s?", suggestion)
	} else {
		m += ";"
	}
	return m + fmt.Sprintf(" variables here are %s", strings.Join(roots, ", "))
}

func msgExprUnknownSprig(src, name, suggestion string) string {
	m := fmt.Sprintf("{{= }} expression %q calls sprig.%s, which Argo does not provide", src, name)
	if suggestion != "" {
		return m + fmt.Sprintf("; did you mean sprig.%s?", suggestion)
	}
	return m + "; use a function from sprig's generic function map (env and expandenv are removed)"
}

func msgDependsSyntax(depends, evalLogic string, err error) string {
	return fmt.Sprintf("invalid depends %q (evaluated as %q): %s; combine task names and results such as a.Succeeded with &&, || and !",
		depends, evalLogic, firstLine(err))
}

func msgArgoDuration(field, v string) string {
	return fmt.Sprintf("%s %q is not a duration; write whole seconds (\"30\") or a Go duration (\"90s\", \"10m\", \"1h30m\")", field, v)
}

func msgGoDuration(field, v string) string {
	return fmt.Sprintf("%s %q is not a Go duration; write e.g. \"90s\", \"10m\" or \"24h\" (Argo parses it with time.ParseDuration: no plain numbers, no days)", field, v)
}

func msgBackoffNoDuration() string {
	return `retryStrategy.backoff has no duration, so the controller fails the retry; set backoff.duration (e.g. "10s")`
}

func msgNotInteger(field, v string) string {
	return fmt.Sprintf("%s %q is not an integer; write a number or a {{...}} that yields one", field, v)
}

func msgMemoKeyMissing() string {
	return "memoize.key is empty, so every run misses the cache; set a key derived from the inputs, e.g. \"{{inputs.parameters.version}}\""
}

func msgMemoKeyTooLong(n int, templated bool) string {
	if templated {
		return fmt.Sprintf("memoize.key has more than %d characters besides its {{...}} tags; a ConfigMap key holds at most %d; shorten it or hash it (e.g. {{=sprig.sha256sum(...)}})", MaxMemoKey, MaxMemoKey)
	}
	return fmt.Sprintf("memoize.key is %d characters; a ConfigMap key holds at most %d; shorten it or hash it (e.g. {{=sprig.sha256sum(...)}})", n, MaxMemoKey)
}

func msgMemoKeyChars(key string) string {
	return fmt.Sprintf("memoize.key %q has characters the controller rejects; use letters, digits and '-', starting with a letter or digit", excerpt(key, 0))
}

func msgMemoCacheMissing() string {
	return "memoize.cache.configMap.name is required; name the ConfigMap that stores the cache"
}

func msgDeprecatedSync(singular, plural string) string {
	return fmt.Sprintf("synchronization.%s is deprecated since Argo v3.6 and removed in v4; use synchronization.%s (a list)", singular, plural)
}

func msgObjectTooLarge(n int) string {
	return fmt.Sprintf("object is %d bytes serialized, over the %d-byte budget; split it into several WorkflowTemplates", n, MaxObjectBytes)
}

func msgParamTooLarge(name string, n int) string {
	return fmt.Sprintf("parameter %q value is %d bytes, over the %d-byte budget; pass large data as an artifact", name, n, MaxParamBytes)
}

func msgUnknownField(field string, known []string) string {
	m := fmt.Sprintf("unknown field %q", field)
	if s := closestName(field, known); s != "" {
		return m + fmt.Sprintf("; did you mean %q?", s)
	}
	return m + "; remove it or check the spelling and indentation"
}

func msgDuplicateKey(key string, firstLine int) string {
	return fmt.Sprintf("key %q is repeated (first on line %d), and the last one silently wins; remove one", key, firstLine)
}

func msgYAML(err error) string {
	return fmt.Sprintf("invalid YAML: %s", strings.TrimPrefix(firstLine(err), "yaml: "))
}

func msgDecode(kind string, err error) string {
	m := fmt.Sprintf("cannot decode %s: %s", kind, firstLine(err))
	if strings.Contains(m, "cannot unmarshal bool into") {
		return m + "; quote the value (YAML 1.1, which kubectl uses, reads unquoted y, n, yes, no, on and off as booleans)"
	}
	return m + "; fix the field's type"
}

func msgNoKind() string {
	return "document has no apiVersion/kind, so it is not checked; add them or remove the document"
}

func msgUnsupportedKind(apiVersion, kind string) string {
	return fmt.Sprintf("%s %s is not checked (lint knows Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow)", apiVersion, kind)
}

func msgFileTooLarge() string {
	return fmt.Sprintf("the file is larger than %d MiB, more than lint reads (an Argo object is at most 1 MiB); split it, or check that this is the right file", MaxFileBytes>>20)
}

func msgTotalTooLarge() string {
	return fmt.Sprintf("not read: the files before it are %d MiB already, the most one lint run reads; lint fewer files at a time", MaxTotalBytes>>20)
}

func msgTooManyTasks(n, max int) string {
	return fmt.Sprintf("the template has %d tasks or steps, more than the %d lint checks in one template (Argo's validator takes time that grows faster than the number of tasks; not checked further); split it into nested DAG templates", n, max)
}

func msgTotalTooManyTasks(max int) string {
	return fmt.Sprintf("with this object the files hold more than %d tasks or steps in all, the most one lint run checks, so nothing was checked; lint fewer files at a time", max)
}

func msgReadFile(err error) string {
	return fmt.Sprintf("cannot read file: %v", err)
}

func msgArgoPanic(r any) string {
	return fmt.Sprintf("Argo's validator crashed on this object (%v); this is a bug in Argo, check the object for unusual values", r)
}

// argoRedundant matches an Argo context prefix followed by a more precise one.
var argoRedundant = regexp.MustCompile(`^templates\.\S+ templates\.`)

// argoHints suggest a fix for Argo validator messages, first match wins.
var argoHints = []struct {
	re   *regexp.Regexp
	hint func(m []string) string
}{
	{regexp.MustCompile(`template name '([^']*)' undefined`), func(m []string) string {
		return fmt.Sprintf("define a template named %q in spec.templates, or fix the name", m[1])
	}},
	{regexp.MustCompile(`template reference (\S+)\.(\S+) not found`), func(m []string) string {
		return fmt.Sprintf("fix templateRef, or lint the WorkflowTemplate %q that defines template %q together with this file", m[1], m[2])
	}},
	{regexp.MustCompile(`workflowtemplates\.argoproj\.io "([^"]+)" not found`), func(m []string) string {
		return fmt.Sprintf("fix workflowTemplateRef.name, or lint the WorkflowTemplate %q together with this file", m[1])
	}},
	{regexp.MustCompile(`dependency '([^']*)' not defined`), func(m []string) string {
		return fmt.Sprintf("add a task named %q to this DAG, or remove it from depends", m[1])
	}},
	{regexp.MustCompile(`dependency cycle detected: (\S+)`), func(m []string) string {
		return fmt.Sprintf("these tasks wait for each other (%s); remove one of the dependencies", m[1])
	}},
	{regexp.MustCompile(`failed to resolve \{\{workflow\.parameters\.([^}]*)\}\}`), func(m []string) string {
		return fmt.Sprintf("declare %q in spec.arguments.parameters (a submitted Workflow only has the parameters it declares), or fix the name", m[1])
	}},
	{regexp.MustCompile(`failed to resolve \{\{inputs\.parameters\.([^}]*)\}\}`), func(m []string) string {
		return fmt.Sprintf("declare %q in this template's inputs.parameters, or fix the name", m[1])
	}},
	{regexp.MustCompile(`failed to resolve \{\{((?:tasks|steps)\.[^.}]+)[^}]*\}\}`), func(m []string) string {
		return fmt.Sprintf("%s is not in scope here: check the name and that it runs before this one (depends)", m[1])
	}},
	{regexp.MustCompile(`failed to resolve \{\{([^}]*)\}\}`), func(m []string) string {
		return fmt.Sprintf("{{%s}} is not a variable Argo defines here; check the spelling and where it is used", m[1])
	}},
	{regexp.MustCompile(`inputs\.parameters\.(\S+) was not supplied`), func(m []string) string {
		return fmt.Sprintf("pass %q in the caller's arguments.parameters (for the entrypoint: spec.arguments.parameters), or give the input a default value", m[1])
	}},
	{regexp.MustCompile(`missing dependency '([^']*)'`), func(m []string) string {
		return fmt.Sprintf("the argument uses an output of %q, so add %q to this task's depends", m[1], m[1])
	}},
	{regexp.MustCompile(`spec\.entrypoint is required`), func([]string) string {
		return "set spec.entrypoint to the template to run"
	}},
	{regexp.MustCompile(`is not unique`), func([]string) string { return "rename one of them" }},
	{regexp.MustCompile(`must have at least one task`), func([]string) string { return "add a task or remove the template" }},
	{regexp.MustCompile(`image may not be empty`), func([]string) string { return "set the image (or one in spec.templateDefaults)" }},
	{regexp.MustCompile(`is not a valid RetryPolicy`), func([]string) string {
		return "use Always, OnFailure, OnError or OnTransientError"
	}},
	{regexp.MustCompile(`Expression required`), func([]string) string {
		return `give the hook an expression, e.g. workflow.status == "Running"`
	}},
	{regexp.MustCompile(`name must consist of alpha-numeric`), func([]string) string {
		return "use lowercase letters, digits and '-'"
	}},
	{regexp.MustCompile(`template '[^']*' type is unknown|template type unspecified`), func([]string) string {
		return "give the template a body such as container, script, dag or steps"
	}},
}

func msgCycleHint(cycle []string) string {
	return fmt.Sprintf("these tasks wait for each other in a loop (%s); remove one of these dependencies", strings.Join(cycle, " -> "))
}

func msgUndefinedTaskHint(name string) string {
	return fmt.Sprintf("no task is named %q in this DAG; add it or fix the name in depends", name)
}

func msgDuplicateTaskHint(name string) string {
	return fmt.Sprintf("two tasks are named %q; rename one of them", name)
}

// msgArgoWith is msgArgo with a fix that depends on the object.
func msgArgoWith(raw, hint string) string {
	return "Argo validator: " + trimArgoContext(raw) + "; " + hint
}

// msgArgo turns an Argo validator error into our message: the most precise
// part of Argo's text plus a fix when one is known.
func msgArgo(raw string) string {
	m := "Argo validator: " + trimArgoContext(raw)
	for _, h := range argoHints {
		if sub := h.re.FindStringSubmatch(raw); sub != nil {
			return m + "; " + h.hint(sub)
		}
	}
	return m
}

// trimArgoContext drops the outer "templates.X " prefixes Argo stacks up
// while it descends into called templates, keeping the innermost one.
func trimArgoContext(s string) string {
	for argoRedundant.MatchString(s) {
		s = s[strings.IndexByte(s, ' ')+1:]
	}
	return s
}

// excerpt returns up to 40 bytes of s from offset, on one line.
func excerpt(s string, offset int) string {
	s = s[offset:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// firstLine returns the first line of err's message (expr-lang appends a
// source excerpt on further lines).
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func msgResourceCondition(cond string, err error) string {
	return fmt.Sprintf("condition %q does not parse as Argo's executor reads it (a label selector over the object's fields, e.g. \"status.phase == Ready\"): %v", cond, err)
}
