// Package schema defines the migration config a user writes, checks it, and
// expands it into a plan of work items.
//
// A config names targets (clusters to migrate to), sources (clusters to
// migrate from, each with an optional capture proxy and snapshots, each
// snapshot with migrations of metadata and documents), replayers (one per
// target), approvals, the traffic switch and the teardown. The Go types in
// types.go are the definition: their comments become the descriptions of
// the JSON Schema, and the CEL rules declared next to them (x-migrate-
// validations in the schema) check what the schema alone cannot, such as a
// replayer naming a target that exists.
//
// The entry points:
//
//   - Load reads YAML or JSON and reports every problem with its
//     file:line:col, JSON path, message and hint (an ErrorList).
//   - Validate checks a Config built in Go the same way.
//   - Normalize applies the defaults and expands a Config into a Plan.
//   - JSONSchema returns the JSON Schema; Sample a commented config.
//
// # Editors
//
// The YAML language server (VS Code, IntelliJ, Neovim, ...) completes and
// checks a config whose first line is
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/migratekit/migrate/main/schema/migration.schema.json
//
// or, offline, a copy written by "migrate schema > migration.schema.json":
//
//	# yaml-language-server: $schema=./migration.schema.json
//
// A JSON config names the schema in its "$schema" key.
//
// # Regenerating
//
// migration.schema.json is generated from the types and committed; a test
// fails when it is out of date. After changing types.go run
//
//	go test ./schema -update
//
// which also rewrites the expected problems of the invalid fixtures and the
// plans of the valid ones in testdata/configs (review the diff).
package schema
