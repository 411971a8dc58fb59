package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// Exit codes, documented in the root command's help.
const (
	exitOK       = 0
	exitInvalid  = 1 // the input (DSL, config, YAML) is invalid, or --check found a difference
	exitUsage    = 2 // the command line is wrong
	exitInternal = 3 // a bug or an environment failure (I/O)
)

// exitError carries the process exit code chosen by a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitErr wraps err so that migrate exits with code.
func exitErr(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// cliIO is what a command may touch of the outside world.
type cliIO struct {
	Stdout, Stderr interface{ Write([]byte) (int, error) }
	errorFormat    string // how problems are printed: "text" or "json" (--error-format)
}

func newCLIIO() *cliIO { return &cliIO{Stdout: os.Stdout, Stderr: os.Stderr, errorFormat: "text"} }

// run executes the command line and returns the process exit code.
func run(args []string, io *cliIO) int {
	// Argo's validator logs its own notes through logrus; problems reach the
	// user as our messages, so keep its chatter off stderr.
	logrus.SetLevel(logrus.ErrorLevel)
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err.Error() != "" {
			fmt.Fprintln(io.Stderr, "migrate:", ee.err)
		}
		return ee.code
	}
	// Errors cobra produces itself (unknown flag, wrong arg count) are usage errors.
	fmt.Fprintln(io.Stderr, "migrate:", err)
	return exitUsage
}

// silence makes cobra leave error printing to run.
func silence(c *cobra.Command) {
	c.SilenceErrors = true
	c.SilenceUsage = true
}
