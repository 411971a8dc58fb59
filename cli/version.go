package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(io *cliIO) *cobra.Command {
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the migrate version and the Argo version it targets",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(io.Stdout, "migrate %s (Argo Workflows API %s)\n", moduleVersion("github.com/migratekit/migrate"), moduleVersion("github.com/argoproj/argo-workflows/v3"))
			return nil
		},
	}
	return c
}

// moduleVersion reports the version of a module linked into this binary.
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if bi.Main.Path == path {
		if bi.Main.Version == "" || bi.Main.Version == "(devel)" {
			return "devel"
		}
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return "unknown"
}
