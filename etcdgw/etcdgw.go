// Package etcdgw builds the DSL templates that keep workflow bookkeeping in
// etcd: requests to etcd's v3 JSON gateway (/v3/kv/range, /v3/kv/txn,
// /v3/lease/grant) sent by Argo HTTP templates, and typed readers of the
// gateway's answers. Packages memo and latch are built on it.
//
// # No pod per operation
//
// An Argo HTTP template is executed by the workflow's agent (one pod per
// workflow, started once, shared by every HTTP template of the workflow), not
// by a pod of its own: a bookkeeping operation costs one HTTP request and no
// pod. Config.Image selects the fallback back-end instead: the same request
// sent by curl from a script container, one pod per operation, for clusters
// where the agent cannot reach etcd.
//
// # What the gateway sends back
//
// Keys and values are base64 in both directions; int64 fields (revisions,
// counts, lease ids) are JSON strings; proto3 JSON leaves out fields at
// their zero value: a failed transaction has no "succeeded" field, an empty
// range has neither "kvs" nor "count". The readers below compare
// "succeeded" with true and "count" with a number in a string, so that a
// missing field reads as false or as no match, never as an error.
//
// # Credentials
//
// Credentials come from a Kubernetes Secret only: Config.AuthSecret names a
// Secret whose key Config.AuthKey holds the value of the Authorization header
// (an etcd auth token, or the bearer token of an authenticating proxy in
// front of etcd). Nothing secret is ever a parameter. See docs/records.md.
package etcdgw

import (
	"fmt"

	"github.com/migratekit/migrate/dsl"
)

// Config says where the records live and how to reach them. Endpoint is
// required; the zero value of every other field has a documented default.
type Config struct {
	// Endpoint is the base URL of etcd's client port, e.g.
	// dsl.Lit("https://etcd.migrate.svc:2379") or a workflow parameter.
	Endpoint dsl.Expr[string]
	// Prefix is prepended to every key; default "/migrate".
	Prefix string
	// AuthSecret and AuthKey name the Secret key whose value is sent as the
	// AuthHeader header (default "Authorization"). Empty: no credentials.
	AuthSecret, AuthKey, AuthHeader string
	// TimeoutSeconds bounds each request; default 10.
	TimeoutSeconds int64
	// Retries is how often a request that could not be sent, or got no 200
	// answer, is tried again (etcd restarting, a lost connection); default 8,
	// with a backoff from 1s doubling up to 2m in all.
	Retries int
	// Image selects the container back-end: each operation runs curl in a
	// script container of this image, which needs sh, curl and jq, instead
	// of an HTTP template: one pod per operation. Empty: HTTP templates, no
	// pod per operation.
	Image string
}

// DefaultPrefix is the key prefix when Config.Prefix is empty.
const DefaultPrefix = "/migrate"

func (c Config) prefix() string {
	if c.Prefix == "" {
		return DefaultPrefix
	}
	return c.Prefix
}

// Gateway creates, on first use, the bookkeeping templates of one
// WorkflowTemplate and hands them out typed. Templates that are never used
// are never created.
type Gateway struct {
	wt  *dsl.WorkflowTemplate
	cfg Config

	made map[string]any
}

func init() { dsl.Helper() } // positions land on the user's calls

// New returns the gateway of wt configured by cfg. Mistakes in cfg are
// Build errors at this call, each reported once.
func New(wt *dsl.WorkflowTemplate, cfg Config) *Gateway {
	if !cfg.Endpoint.IsSet() {
		wt.Misuse("etcdgw.New: Config.Endpoint is not set: give etcd's client URL, e.g. dsl.Lit(\"https://etcd.migrate.svc:2379\") or a workflow parameter")
		// Keep the templates free of further errors about the same mistake.
		cfg.Endpoint = dsl.Lit("https://endpoint-not-set.invalid")
	}
	if (cfg.AuthSecret == "") != (cfg.AuthKey == "") {
		wt.Misuse("etcdgw.New: Config.AuthSecret and Config.AuthKey go together: name the Secret and its key holding the Authorization value, or neither")
	}
	if cfg.AuthHeader != "" && cfg.AuthSecret == "" {
		wt.Misuse("etcdgw.New: Config.AuthHeader is set without Config.AuthSecret: there is no credential to send in it")
	}
	if cfg.TimeoutSeconds < 0 {
		wt.Misuse(fmt.Sprintf("etcdgw.New: Config.TimeoutSeconds is %d: give a positive number of seconds, or 0 for the default 10", cfg.TimeoutSeconds))
		cfg.TimeoutSeconds = 0
	}
	if cfg.Retries < 0 {
		wt.Misuse(fmt.Sprintf("etcdgw.New: Config.Retries is %d: give 0 for the default 8, or a positive count", cfg.Retries))
		cfg.Retries = 0
	}
	return &Gateway{wt: wt, cfg: cfg, made: map[string]any{}}
}

// WorkflowTemplate is the WorkflowTemplate the templates are added to.
func (g *Gateway) WorkflowTemplate() *dsl.WorkflowTemplate { return g.wt }

// Key is the full etcd key of a path below the configured prefix: prefix +
// "/" + path.
func (g *Gateway) Key(path ...dsl.Expr[string]) dsl.Expr[string] {
	parts := []dsl.Expr[string]{dsl.Lit(g.cfg.prefix())}
	for _, p := range path {
		parts = append(parts, dsl.Lit("/"), p)
	}
	return dsl.Concat(parts...)
}

// Prefix is the configured key prefix.
func (g *Gateway) Prefix() string { return g.cfg.prefix() }

// Once returns the template made by mk under name, making it on first use:
// how packages built on the gateway share templates within one
// WorkflowTemplate.
func Once[T any](g *Gateway, name string, mk func() T) T {
	if t, ok := g.made[name]; ok {
		return t.(T)
	}
	t := mk()
	g.made[name] = t
	return t
}
