// Package examples holds small workflow libraries that show the DSL at work
// on processes the project's users asked for. Each is compiled to golden
// YAML under testdata/golden and validated in the tests.
package examples

import "github.com/migratekit/migrate/dsl"

// Example is a named, built-in library.
type Example struct {
	Name  string
	About string
	Build func() *dsl.Library
}

// All lists the built-in examples in a stable order.
func All() []Example {
	return []Example{
		{Name: "check-do", About: "idempotent check/do step: do only when check says not done, then prove it", Build: CheckDo},
		{Name: "release", About: "a release behind an approval gate, with an assertion on its input", Build: Release},
		{Name: "fan-out", About: "fan-out over a JSON list from an earlier step, then fan-in", Build: FanOut},
		{Name: "rolling-update", About: "rolling update host by host, with revert on failure", Build: RollingUpdate},
	}
}

// consoleImage is the default image of the examples' tool containers.
const consoleImage = "ghcr.io/migratekit/console:0.1.0"
