package main

import (
	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/cli"
)

const about = `migrate turns long-running operational processes, written as a typed Go DSL
plus a validated user config, into static Argo WorkflowTemplates.`

func newRootCmd(io *cli.IO) *cobra.Command {
	root := cli.Root(io, "Compile typed workflows and migration configs into Argo WorkflowTemplates", about)
	root.AddCommand(newCompileCmd(io), newGraphCmd(io), cli.LintCmd(io), cli.VersionCmd(io))
	addConfigCommands(root, io)
	addRecordsCommands(root, io)
	return root
}

// run executes the command line and returns the process exit code.
func run(args []string, io *cli.IO) int { return cli.Execute(newRootCmd(io), args, io) }
