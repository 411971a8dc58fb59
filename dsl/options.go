package dsl

import (
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/migratekit/migrate/internal/ir"
)

// TemplateOption sets an optional part of a template. Options apply to any
// kind of template.
type TemplateOption interface {
	apply(d *tmplDef, pos Pos)
}

type optionFunc func(d *tmplDef, pos Pos)

func (f optionFunc) apply(d *tmplDef, pos Pos) { f(d, pos) }

// RetryPolicy says which failures are retried.
type RetryPolicy = wfv1.RetryPolicy

// Retry policies.
const (
	RetryAlways           = wfv1.RetryPolicyAlways
	RetryOnFailure        = wfv1.RetryPolicyOnFailure
	RetryOnError          = wfv1.RetryPolicyOnError
	RetryOnTransientError = wfv1.RetryPolicyOnTransientError
)

// Backoff spaces retries out: Duration, then Duration*Factor, ... at most
// MaxDuration in all. Durations are Go durations ("10s", "2m").
type Backoff struct {
	Duration    string
	Factor      int
	MaxDuration string
}

// Retry is a template's retry strategy.
type Retry struct {
	Limit   int
	Policy  RetryPolicy
	Backoff *Backoff
	// If is evaluated after a failed attempt; the template is retried only
	// when it is true. Use the LastRetry* variables.
	If Expr[bool]
}

func (r Retry) apply(d *tmplDef, pos Pos) {
	if r.Limit < 0 {
		d.misuse(pos, msgRetryLimit(r.Limit))
	}
	limit := intstr.FromInt(r.Limit)
	rs := &wfv1.RetryStrategy{Limit: &limit, RetryPolicy: r.Policy}
	if r.Backoff != nil {
		b := &wfv1.Backoff{}
		if r.Backoff.Duration != "" {
			if !validDuration(r.Backoff.Duration) {
				d.misuse(pos, msgBadDuration("retry backoff duration", r.Backoff.Duration))
			}
			b.Duration = r.Backoff.Duration
		}
		if r.Backoff.Factor != 0 {
			f := intstr.FromInt(r.Backoff.Factor)
			b.Factor = &f
		}
		if r.Backoff.MaxDuration != "" {
			if !validDuration(r.Backoff.MaxDuration) {
				d.misuse(pos, msgBadDuration("retry backoff maxDuration", r.Backoff.MaxDuration))
			}
			b.MaxDuration = r.Backoff.MaxDuration
		}
		rs.Backoff = b
	}
	if r.If.IsSet() {
		d.retryIf = r.If.n
		d.retryIfPos = pos
	}
	d.t.RetryStrategy = rs
}

// validDuration reports whether Argo accepts s where it reads durations
// with wfv1.ParseStringToDuration (suspend, retry backoff): a Go duration
// or a whole number of seconds.
func validDuration(s string) bool {
	if _, err := time.ParseDuration(s); err == nil {
		return true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Deadline fails the template when it runs longer than seconds.
func Deadline(seconds int64) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) { d.t.ActiveDeadlineSeconds = &seconds })
}

// goDuration reports whether s is a Go duration, the only form Argo
// accepts for a template's timeout and a memoize maxAge ("3600" and "1d"
// are rejected at run time).
func goDuration(s string) bool {
	_, err := time.ParseDuration(s)
	return err == nil
}

// Timeout fails the template's pod when it runs longer than the duration
// (a Go duration such as "45m").
func Timeout(duration string) TemplateOption {
	return optionFunc(func(d *tmplDef, pos Pos) {
		if !goDuration(duration) {
			d.misuse(pos, msgBadDuration("timeout", duration))
		}
		d.t.Timeout = duration
	})
}

// Parallelism bounds how many of a DAG's or steps' children run at once;
// Parallelism(1) runs a loop one item at a time. n must be 1 or more: Argo
// reads 0 as no bound on a template (and as "start nothing" on a workflow).
func Parallelism(n int64) TemplateOption {
	return optionFunc(func(d *tmplDef, pos Pos) {
		if n < 1 {
			d.misuse(pos, msgParallelism(n))
			return
		}
		d.t.Parallelism = &n
	})
}

// FailFast(false) lets a DAG schedule new tasks after one failed.
func FailFast(on bool) TemplateOption {
	return optionFunc(func(d *tmplDef, pos Pos) {
		if d.kind != ir.KindDAG {
			d.misuse(pos, msgOnlyFor("FailFast", "DAG", d.kind))
			return
		}
		d.t.FailFast = &on
	})
}

// StopOnFailure makes a steps template start nothing new once one of its
// children failed or errored: a loop in it with Parallelism(n) stops at
// the first failed item, and the template fails when the running ones are
// done. It is Argo's template-level failFast, which stops a loop only in a
// steps template: a DAG's failFast decides the DAG's phase but keeps
// scheduling a loop's items, and template-level failFast on a DAG leaves
// the workflow Running (v3.7.18). Build refuses it on other kinds.
func StopOnFailure() TemplateOption {
	return optionFunc(func(d *tmplDef, pos Pos) {
		if d.kind != ir.KindSteps {
			d.misuse(pos, msgStopOnFailureKind(d.kind))
			return
		}
		on := true
		d.t.FailFast = &on
	})
}

// ServiceAccount runs the template's pod as this service account.
func ServiceAccount(name string) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) { d.t.ServiceAccountName = name })
}

// PodSecurityContext sets the security context of the template's pod.
func PodSecurityContext(sc *corev1.PodSecurityContext) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) { d.t.SecurityContext = sc })
}

// Labels adds labels to the template's pod.
func Labels(kv map[string]string) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) {
		if d.t.Metadata.Labels == nil {
			d.t.Metadata.Labels = map[string]string{}
		}
		for k, v := range kv {
			d.t.Metadata.Labels[k] = v
		}
	})
}

// NodeSelector constrains where the template's pod runs.
func NodeSelector(kv map[string]string) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) { d.t.NodeSelector = kv })
}

// Lock is a mutex or a semaphore held while a template or workflow runs.
type Lock struct {
	mutex     []any
	semConfig string
	semKey    string
	pos       Pos
}

// Mutex is a lock held by one workflow or template at a time. Its name is
// the concatenation of parts (strings or Exprs), so that one lock can exist
// per cluster, say.
func Mutex(parts ...any) Lock { return Lock{mutex: parts, pos: callerPos()} }

// Semaphore is a lock held by at most n holders, where n is the value of key
// in the ConfigMap configMap.
func Semaphore(configMap, key string) Lock {
	return Lock{semConfig: configMap, semKey: key, pos: callerPos()}
}

// Synchronize holds the locks while the template runs.
func Synchronize(locks ...Lock) TemplateOption {
	return optionFunc(func(d *tmplDef, _ Pos) { d.locks = locks })
}

// Memoize caches the template's outputs in the ConfigMap configMap under key;
// a later call with the same key within maxAge (a Go duration) reuses them
// instead of running the template. Argo accepts keys of letters, digits and
// '-' only: Sha256 of the inputs makes a safe key.
func Memoize(key Expr[string], configMap, maxAge string) TemplateOption {
	return optionFunc(func(d *tmplDef, pos Pos) {
		if !key.IsSet() {
			d.misuse(pos, msgMemoizeNoKey())
			return
		}
		if maxAge != "" && !goDuration(maxAge) {
			d.misuse(pos, msgBadDuration("memoize maxAge", maxAge))
		}
		d.memoKey = key.n
		d.memoPos = pos
		d.t.Memoize = &wfv1.Memoize{MaxAge: maxAge, Cache: &wfv1.Cache{ConfigMap: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: configMap},
		}}}
	})
}
