package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Main is the main function of a program over the DSL libraries libs: a
// platform team's own build of its processes, for CI. It offers
//
//	NAME compile [LIBRARY...] -o DIR   write the YAML, one file per WorkflowTemplate
//	NAME compile --check DIR           exit 1 with a diff when DIR is out of date
//	NAME lint PATH...                  check Argo YAML, ours or hand-written
//	NAME graph [LIBRARY...]            draw each DAG and steps template (Mermaid, DOT)
//	NAME version
//
// with migrate's exit codes and problem format (file:line:col: message,
// or --error-format json).
func Main(name string, libs ...Library) { os.Exit(Run(NewIO(name), os.Args[1:], libs...)) }

// Run runs the command line args of Main's program and returns its exit
// code.
func Run(io *IO, args []string, libs ...Library) int {
	root := Root(io, "Compile "+strings.Join(names(libs), ", ")+" to Argo WorkflowTemplates", "")
	root.AddCommand(CompileCmd(io, libs, nil), GraphCmd(io, libs), LintCmd(io), VersionCmd(io))
	return Execute(root, args, io)
}

// rootAbout is the first paragraph of a program's help unless Root is
// given one.
const rootAbout = `%s compiles workflows written with migrate's typed Go DSL into static
Argo WorkflowTemplates.`

// rootRules is the rest of every program's help.
const rootRules = `Exit codes:
  0  success
  1  invalid input: the DSL, the config or the YAML has problems (all are listed),
     or compile --check found generated files that differ
  2  usage: unknown command or flag, wrong number of arguments
  3  internal error: I/O failure or a bug

Every problem is printed on the standard output as

  file:line:col: path: message (hint)

leaving out what is unknown; --error-format json prints them instead as one
JSON object {"problems": [{"file", "line", "col", "object", "path",
"message", "hint", "severity"}]}, for CI annotations.`

// Root is a program's root command, without subcommands: the
// --error-format flag, the exit codes and the problem format in its help,
// after about ("" for the default first paragraph).
func Root(io *IO, short, about string) *cobra.Command {
	if about == "" {
		about = fmt.Sprintf(rootAbout, io.Name)
	}
	long := about + "\n\n" + rootRules
	root := &cobra.Command{Use: io.Name, Short: short, Long: long}
	Silence(root)
	root.PersistentFlags().StringVar(&io.ErrorFormat, "error-format", "text", `how to print problems: "text" or "json"`)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if io.ErrorFormat != "text" && io.ErrorFormat != "json" {
			return ExitErr(ExitUsage, fmt.Errorf("--error-format %q: choose text or json", io.ErrorFormat))
		}
		return nil
	}
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	return root
}
