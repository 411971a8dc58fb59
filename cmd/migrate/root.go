package main

import (
	"github.com/spf13/cobra"
)

const rootLong = `migrate turns long-running operational processes, written as a typed Go DSL
plus a validated user config, into static Argo WorkflowTemplates.

Exit codes:
  0  success
  1  invalid input: the DSL, the config or the YAML has problems (all are listed),
     or compile --check found generated files that differ
  2  usage: unknown command or flag, wrong number of arguments
  3  internal error: I/O failure or a bug in migrate`

func newRootCmd(io *cliIO) *cobra.Command {
	root := &cobra.Command{
		Use:   "migrate",
		Short: "Compile typed workflows and migration configs into Argo WorkflowTemplates",
		Long:  rootLong,
	}
	silence(root)
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	root.AddCommand(newCompileCmd(io), newGraphCmd(io), newLintCmd(io), newVersionCmd(io))
	addConfigCommands(root, io)
	addRecordsCommands(root, io)
	return root
}
