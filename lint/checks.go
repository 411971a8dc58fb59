package lint

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Budgets and limits enforced on top of Argo's validator. MaxObjectBytes
// and MaxParamBytes are exported for the compilers that check their inputs
// against them before building objects.
const (
	MaxObjectBytes = 1 << 20   // serialized object; etcd and the API server reject larger ones
	MaxParamBytes  = 256 << 10 // one parameter value; Argo passes them through pod annotations
	MaxMemoKey     = 253       // characters of a memoization key: a ConfigMap data key
)

// memoKeyRegex is what the controller accepts as a memoization key
// (controller/cache/cache.go cacheKeyRegex).
var memoKeyRegex = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)

// memoKeyChars are the characters of a memoization key.
const memoKeyChars = "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// ValidMemoKey reports whether the controller accepts key, a memoization
// key without {{...}} tags (its length aside: see MaxMemoKey).
func ValidMemoKey(key string) bool { return memoKeyRegex.MatchString(key) }

// MemoKeyText reports whether s holds only characters a memoization key
// may have: the literal text around a key's {{...}} tags.
func MemoKeyText(s string) bool { return strings.Trim(s, memoKeyChars) == "" }

// ResourceCondition reports why Argo's executor could not parse cond, a
// resource template's successCondition or failureCondition: a label
// selector over the object's fields, such as "status.phase == Ready"
// (workflow/executor WaitResource, labels.Parse), or nil. A condition with
// a {{...}} tag is substituted first, at run time, and is not checked.
func ResourceCondition(cond string) error {
	if cond == "" || hasTag(cond) {
		return nil
	}
	if _, err := labels.Parse(cond); err != nil {
		return fmt.Errorf("%s", msgResourceCondition(cond, err))
	}
	return nil
}

// checker runs our own checks over one unit.
type checker struct {
	u      *unit
	report func(path, msg string, warning bool)
}

func metaOf(o Object) *metav1.ObjectMeta {
	switch v := o.(type) {
	case *wfv1.WorkflowTemplate:
		return &v.ObjectMeta
	case *wfv1.ClusterWorkflowTemplate:
		return &v.ObjectMeta
	case *wfv1.Workflow:
		return &v.ObjectMeta
	case *wfv1.CronWorkflow:
		return &v.ObjectMeta
	}
	return &metav1.ObjectMeta{}
}

func (c *checker) checkAll() {
	c.checkMeta()
	spec, sp := c.u.spec, c.u.specPath
	for i := range spec.Templates {
		c.checkTemplate(&spec.Templates[i], joinIndex(joinKey(sp, "templates"), i), true)
	}
	if spec.TemplateDefaults != nil {
		c.checkTemplate(spec.TemplateDefaults, joinKey(sp, "templateDefaults"), false)
	}
	c.checkHooks(spec.Hooks, joinKey(sp, "hooks"))
	c.checkMetrics(spec.Metrics, joinKey(sp, "metrics"))
	c.checkSync(spec.Synchronization, joinKey(sp, "synchronization"))
	if spec.RetryStrategy != nil {
		c.checkRetry(spec.RetryStrategy, joinKey(sp, "retryStrategy"))
	}
	if spec.PodGC != nil && spec.PodGC.DeleteDelayDuration != "" {
		c.checkArgoDuration(joinKey(joinKey(sp, "podGC"), "deleteDelayDuration"), "podGC.deleteDelayDuration", spec.PodGC.DeleteDelayDuration)
	}
	if cron, ok := c.u.obj.(*wfv1.CronWorkflow); ok && cron.Spec.StopStrategy != nil {
		c.checkExprField("spec.stopStrategy.expression", cron.Spec.StopStrategy.Expression, scopeCron)
	}
	c.checkSerialized()
}

// checkMeta checks the object's name: a lowercase RFC 1123 subdomain.
func (c *checker) checkMeta() {
	m := metaOf(c.u.obj)
	switch {
	case m.Name != "":
		if len(validation.IsDNS1123Subdomain(m.Name)) > 0 {
			c.report("metadata.name", msgObjectName(c.u.kind, m.Name), false)
		}
	case m.GenerateName != "":
		if len(apivalidation.NameIsDNSSubdomain(m.GenerateName, true)) > 0 {
			c.report("metadata.generateName", msgObjectName(c.u.kind, m.GenerateName), false)
		}
	default:
		c.report("metadata", msgObjectNameMissing(c.u.kind), false)
	}
}

// checkName checks the name of a template, task or step at p: a lowercase
// RFC 1123 label. Argo itself accepts upper case and up to 128 characters.
func (c *checker) checkName(p, what, name string) {
	if name == "" {
		return // Argo reports missing names
	}
	if len(validation.IsDNS1123Label(name)) > 0 {
		c.report(joinKey(p, "name"), msgName(what, name), false)
	}
}

func (c *checker) checkTemplate(t *wfv1.Template, p string, named bool) {
	if named {
		c.checkName(p, "template", t.Name)
	}
	if t.Suspend != nil && t.Suspend.Duration != "" {
		c.checkArgoDuration(joinKey(joinKey(p, "suspend"), "duration"), "suspend.duration", t.Suspend.Duration)
	}
	if t.RetryStrategy != nil {
		c.checkRetry(t.RetryStrategy, joinKey(p, "retryStrategy"))
	}
	if t.Memoize != nil {
		c.checkMemoize(t.Memoize, joinKey(p, "memoize"))
	}
	if t.Timeout != "" && !hasTag(t.Timeout) {
		if _, err := time.ParseDuration(t.Timeout); err != nil {
			c.report(joinKey(p, "timeout"), msgGoDuration("timeout", t.Timeout), false)
		}
	}
	c.checkSync(t.Synchronization, joinKey(p, "synchronization"))
	c.checkMetrics(t.Metrics, joinKey(p, "metrics"))
	if t.HTTP != nil && t.HTTP.SuccessCondition != "" {
		c.checkExprField(joinKey(joinKey(p, "http"), "successCondition"), t.HTTP.SuccessCondition, scopeHTTP)
	}
	if r := t.Resource; r != nil {
		for field, cond := range map[string]string{"successCondition": r.SuccessCondition, "failureCondition": r.FailureCondition} {
			if err := ResourceCondition(cond); err != nil {
				c.report(joinKey(joinKey(p, "resource"), field), err.Error(), false)
			}
		}
	}
	if t.DAG != nil {
		dagPath := joinKey(p, "dag")
		for j := range t.DAG.Tasks {
			task := &t.DAG.Tasks[j]
			tp := joinIndex(joinKey(dagPath, "tasks"), j)
			c.checkName(tp, "task", task.Name)
			c.checkWhen(joinKey(tp, "when"), task.When)
			c.checkHooks(task.Hooks, joinKey(tp, "hooks"))
			if task.Inline != nil {
				c.checkTemplate(task.Inline, joinKey(tp, "inline"), false)
			}
		}
		c.checkDepends(t.DAG, dagPath)
	}
	for g := range t.Steps {
		for k := range t.Steps[g].Steps {
			step := &t.Steps[g].Steps[k]
			sp := joinIndex(joinIndex(joinKey(p, "steps"), g), k)
			c.checkName(sp, "step", step.Name)
			c.checkWhen(joinKey(sp, "when"), step.When)
			c.checkHooks(step.Hooks, joinKey(sp, "hooks"))
			if step.Inline != nil {
				c.checkTemplate(step.Inline, joinKey(sp, "inline"), false)
			}
		}
	}
}

// checkArgoDuration checks a duration Argo parses with
// wfv1.ParseStringToDuration: whole seconds ("30") or a Go duration ("1m30s").
func (c *checker) checkArgoDuration(p, field, v string) {
	if hasTag(v) {
		return
	}
	if _, err := wfv1.ParseStringToDuration(v); err != nil {
		c.report(p, msgArgoDuration(field, v), false)
	}
}

func (c *checker) checkRetry(rs *wfv1.RetryStrategy, p string) {
	c.checkIntOrString(joinKey(p, "limit"), "retryStrategy.limit", rs.Limit)
	if b := rs.Backoff; b != nil {
		bp := joinKey(p, "backoff")
		if b.Duration == "" {
			c.report(bp, msgBackoffNoDuration(), false)
		} else {
			c.checkArgoDuration(joinKey(bp, "duration"), "retryStrategy.backoff.duration", b.Duration)
		}
		if b.MaxDuration != "" {
			c.checkArgoDuration(joinKey(bp, "maxDuration"), "retryStrategy.backoff.maxDuration", b.MaxDuration)
		}
		if b.Cap != "" {
			c.checkArgoDuration(joinKey(bp, "cap"), "retryStrategy.backoff.cap", b.Cap)
		}
		c.checkIntOrString(joinKey(bp, "factor"), "retryStrategy.backoff.factor", b.Factor)
	}
	if rs.Expression != "" {
		c.checkExprField(joinKey(p, "expression"), rs.Expression, scopeRetry)
	}
}

// checkIntOrString checks a count given as a string: the controller parses
// it as an integer once tags are substituted.
func (c *checker) checkIntOrString(p, field string, v *intstr.IntOrString) {
	if v == nil || v.Type != intstr.String || hasTag(v.StrVal) {
		return
	}
	if _, err := strconv.Atoi(v.StrVal); err != nil {
		c.report(p, msgNotInteger(field, v.StrVal), false)
	}
}

func (c *checker) checkMemoize(m *wfv1.Memoize, p string) {
	kp := joinKey(p, "key")
	if strings.TrimSpace(m.Key) == "" {
		c.report(kp, msgMemoKeyMissing(), false)
	} else if tags, open := scanTags(m.Key); open < 0 {
		literal := substituteTags(m.Key, tags, "")
		switch {
		case len(literal) > MaxMemoKey:
			c.report(kp, msgMemoKeyTooLong(len(m.Key), len(tags) > 0), false)
		case len(tags) == 0 && !ValidMemoKey(m.Key):
			c.report(kp, msgMemoKeyChars(m.Key), false)
		case len(tags) > 0 && (!MemoKeyText(literal) ||
			tags[0].start > 0 && strings.HasPrefix(m.Key, "-")):
			c.report(kp, msgMemoKeyChars(m.Key), false)
		}
	}
	if m.MaxAge != "" && !hasTag(m.MaxAge) {
		if _, err := time.ParseDuration(m.MaxAge); err != nil {
			c.report(joinKey(p, "maxAge"), msgGoDuration("memoize.maxAge", m.MaxAge), false)
		}
	}
	if m.Cache == nil || m.Cache.ConfigMap == nil || m.Cache.ConfigMap.Name == "" {
		c.report(joinKey(p, "cache"), msgMemoCacheMissing(), false)
	}
}

// checkSync warns about the singular lock fields Argo deprecated in v3.6.
func (c *checker) checkSync(s *wfv1.Synchronization, p string) {
	if s == nil {
		return
	}
	if s.Mutex != nil {
		c.report(joinKey(p, "mutex"), msgDeprecatedSync("mutex", "mutexes"), true)
	}
	if s.Semaphore != nil {
		c.report(joinKey(p, "semaphore"), msgDeprecatedSync("semaphore", "semaphores"), true)
	}
}

func (c *checker) checkMetrics(m *wfv1.Metrics, p string) {
	if m == nil {
		return
	}
	for i, prom := range m.Prometheus {
		if prom != nil {
			c.checkWhen(joinKey(joinIndex(joinKey(p, "prometheus"), i), "when"), prom.When)
		}
	}
}

func (c *checker) checkHooks(hooks wfv1.LifecycleHooks, p string) {
	names := make([]string, 0, len(hooks))
	for name := range hooks {
		names = append(names, string(name))
	}
	sort.Strings(names)
	for _, name := range names {
		h := hooks[wfv1.LifecycleEvent(name)]
		if h.Expression != "" {
			c.checkExprField(joinKey(joinKey(p, name), "expression"), h.Expression, scopeHook)
		}
	}
}

// checkExprField checks a field that holds a whole expr-lang program.
func (c *checker) checkExprField(p, src string, scope exprScope) {
	if hasTag(src) {
		return // substituted before evaluation; tags are checked by checkTags
	}
	for _, m := range checkExpr(src, scope) {
		c.report(p, m, false)
	}
}

// checkSerialized checks what needs the object as the API server sees it:
// its size, the size of each parameter value, and every {{...}} tag in the
// spec.
func (c *checker) checkSerialized() {
	b := c.u.serialized()
	if len(b) > MaxObjectBytes {
		c.report("metadata.name", msgObjectTooLarge(len(b)), false)
	}
	hasTags := bytes.Contains(b, []byte("{{"))
	if !hasTags && len(b) <= MaxParamBytes {
		return
	}
	root, _ := c.u.tree().(map[string]any)
	c.walk(root["spec"], "spec")
}

func (c *checker) walk(v any, p string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			cp := joinKey(p, k)
			if k == "parameters" {
				c.checkParamSizes(child, cp)
			}
			c.walk(child, cp)
		}
	case []any:
		for i, child := range x {
			c.walk(child, joinIndex(p, i))
		}
	case string:
		if hasTag(x) {
			c.checkTags(p, x)
		}
	}
}

func (c *checker) checkParamSizes(v any, p string) {
	list, _ := v.([]any)
	for i, item := range list {
		m, _ := item.(map[string]any)
		for _, f := range []string{"value", "default"} {
			if s, ok := m[f].(string); ok && len(s) > MaxParamBytes {
				name, _ := m["name"].(string)
				c.report(joinKey(joinIndex(p, i), f), msgParamTooLarge(name, len(s)), false)
			}
		}
	}
}

func hasTag(s string) bool { return strings.Contains(s, "{{") }
