package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// VersionCmd prints the program's version, migrate's and the Argo
// version it targets.
func VersionCmd(io *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version and the Argo version it targets",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			const self = "github.com/migratekit/migrate"
			argo := moduleVersion("github.com/argoproj/argo-workflows/v3")
			if io.Name == "migrate" {
				fmt.Fprintf(io.Stdout, "migrate %s (Argo Workflows API %s)\n", moduleVersion(self), argo)
				return nil
			}
			fmt.Fprintf(io.Stdout, "%s %s (migrate %s, Argo Workflows API %s)\n", io.Name, mainVersion(), moduleVersion(self), argo)
			return nil
		},
	}
	return c
}

// mainVersion is the version of the binary's main module.
func mainVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return moduleVersion(bi.Main.Path)
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
