package cli_test

import (
	"github.com/migratekit/migrate/cli"
)

// A program over a user's library: here its graph command, as `ops graph`
// would run it. A main function calls cli.Main("ops", lib) instead.
func ExampleRun() {
	lib := cli.Library{Name: "hosts", About: "host upgrades", Build: hosts}
	cli.Run(cli.NewIO("ops"), []string{"graph", "hosts"}, lib)
	// Output:
	// flowchart TD
	//   classDef skipped stroke-dasharray: 4 4,color:#999,stroke:#bbb
	//   n0["two/first: one"]
	//   n1["two/second: one"]
	//   n2["one/drain: drain"]
	//   n3["one/upgrade: upgrade"]
	//   n4["one/check: check"]
	//   n0 --> n1
	//   n2 --> n3
	//   n3 --> n4
}
