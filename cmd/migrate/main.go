// Command migrate compiles workflows written with the migrate DSL into Argo
// WorkflowTemplates, validates migration configs and lints Argo YAML.
package main

import (
	"os"

	"github.com/migratekit/migrate/cli"
)

func main() { os.Exit(run(os.Args[1:], cli.NewIO("migrate"))) }
