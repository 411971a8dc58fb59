package dsl

import "github.com/migratekit/migrate/internal/ir"

func argoVar[T any](name string, typ ir.Type) Expr[T] {
	return Expr[T]{n: &refNode{kind: refVar, name: name, typ: typ}}
}

// Workflow variables Argo provides in every template.
var (
	WorkflowName      = argoVar[string]("workflow.name", ir.String)
	WorkflowNamespace = argoVar[string]("workflow.namespace", ir.String)
	WorkflowUID       = argoVar[string]("workflow.uid", ir.String)
	// WorkflowStatus is the workflow's phase; meaningful in exit handlers.
	WorkflowStatus            = argoVar[string]("workflow.status", ir.String)
	WorkflowCreationTimestamp = argoVar[string]("workflow.creationTimestamp", ir.String)
	WorkflowDuration          = argoVar[float64]("workflow.duration", ir.Float)
)

// Variables available in a retryStrategy expression, and only there: the
// number of retries so far and the previous attempt.
var (
	Retries           = argoVar[int]("retries", ir.Int)
	LastRetryExitCode = argoVar[int]("lastRetry.exitCode", ir.Int)
	LastRetryStatus   = argoVar[string]("lastRetry.status", ir.String)
	LastRetryDuration = argoVar[float64]("lastRetry.duration", ir.Float)
	LastRetryMessage  = argoVar[string]("lastRetry.message", ir.String)
)
