package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

const rootLong = `migrate turns long-running operational processes, written as a typed Go DSL
plus a validated user config, into static Argo WorkflowTemplates.

Exit codes:
  0  success
  1  invalid input: the DSL, the config or the YAML has problems (all are listed),
     or compile --check found generated files that differ
  2  usage: unknown command or flag, wrong number of arguments
  3  internal error: I/O failure or a bug in migrate

Every problem is printed on the standard output as

  file:line:col: path: message (hint)

leaving out what is unknown; --error-format json prints them instead as one
JSON object {"problems": [{"file", "line", "col", "object", "path",
"message", "hint", "severity"}]}, for CI annotations.`

func newRootCmd(io *cliIO) *cobra.Command {
	root := &cobra.Command{
		Use:   "migrate",
		Short: "Compile typed workflows and migration configs into Argo WorkflowTemplates",
		Long:  rootLong,
	}
	silence(root)
	root.PersistentFlags().StringVar(&io.errorFormat, "error-format", "text", `how to print problems: "text" or "json"`)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if io.errorFormat != "text" && io.errorFormat != "json" {
			return exitErr(exitUsage, fmt.Errorf("--error-format %q: choose text or json", io.errorFormat))
		}
		return nil
	}
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	root.AddCommand(newCompileCmd(io), newGraphCmd(io), newLintCmd(io), newVersionCmd(io))
	addConfigCommands(root, io)
	addRecordsCommands(root, io)
	return root
}
