package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// Exit codes, documented in the root command's help (see Root).
const (
	ExitOK       = 0
	ExitInvalid  = 1 // the input (DSL, config, YAML) is invalid, or --check found a difference
	ExitUsage    = 2 // the command line is wrong
	ExitInternal = 3 // a bug or an environment failure (I/O)
)

// exitError carries the process exit code chosen by a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitErr wraps err so that the program exits with code; nil stays nil.
func ExitErr(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// IO is what a command may touch of the outside world.
type IO struct {
	Name string // the program's name, in messages

	Stdout, Stderr interface{ Write([]byte) (int, error) }
	// ErrorFormat is how problems are printed: "text" or "json"
	// (--error-format).
	ErrorFormat string
}

// NewIO is the standard output and error of the program name, problems
// as text.
func NewIO(name string) *IO {
	return &IO{Name: name, Stdout: os.Stdout, Stderr: os.Stderr, ErrorFormat: "text"}
}

// Execute runs root with args and returns the process exit code; errors
// are printed on the standard error after the program's name.
func Execute(root *cobra.Command, args []string, io *IO) int {
	// Argo's validator logs its own notes through logrus; problems reach the
	// user as our messages, so keep its chatter off stderr.
	logrus.SetLevel(logrus.ErrorLevel)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err.Error() != "" {
			fmt.Fprintln(io.Stderr, io.Name+":", ee.err)
		}
		return ee.code
	}
	// Errors cobra produces itself (unknown flag, wrong arg count) are usage errors.
	fmt.Fprintln(io.Stderr, io.Name+":", err)
	return ExitUsage
}

// Silence makes cobra leave error printing to Execute.
func Silence(c *cobra.Command) {
	c.SilenceErrors = true
	c.SilenceUsage = true
}

// Count is "1 noun" or "n nouns".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
