package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/graph"
	"github.com/migratekit/migrate/templates/migration"
)

func newGraphCmd(io *cli.IO) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "graph --config FILE",
		Short: "Draw the run a migration config implies (Mermaid, or DOT)",
		Long: `Graph checks the migration config FILE and prints the run it implies: a node
per step of each work unit, in order, approvals as hexagons, and the steps
the config turns off marked as skipped. Paste the Mermaid into a pull
request to show reviewers what a config change does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, _ := cmd.Flags().GetString("config")
			if path == "" {
				return cli.ExitErr(cli.ExitUsage, fmt.Errorf("graph needs --config FILE"))
			}
			if err := graph.CheckFormat(format); err != nil {
				return cli.ExitErr(cli.ExitUsage, err)
			}
			data, err := readConfig(path)
			if err != nil {
				return err
			}
			_, run, err := migration.Compile(path, data)
			if err != nil {
				return configFailure(io, path, err)
			}
			return cli.ExitErr(cli.ExitInternal, migration.NewGraph(run).Write(io.Stdout, format))
		},
	}
	c.Flags().String("config", "", "migration config to draw")
	c.Flags().StringVar(&format, "format", graph.Mermaid, graph.FormatUsage)
	return c
}
