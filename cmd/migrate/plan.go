package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// loadRun reads a migration config and plans it.
func loadRun(io *cli.IO, path string) (*migration.Run, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	cfg, errs := schema.Load(path, data)
	if err := errs.Err(); err != nil {
		return nil, configFailure(io, path, err)
	}
	run, err := migration.Plan(cfg)
	if err != nil {
		return nil, configFailure(io, path, err)
	}
	return run, nil
}

// loadRecordedRun is loadRun for the commands that read records: the
// config must name its bookkeeping etcd (else its runs record nothing, and
// gc would take every record for garbage).
func loadRecordedRun(io *cli.IO, path string) (*migration.Run, error) {
	run, err := loadRun(io, path)
	if err == nil && run.Bookkeeping == "" {
		err = cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s names no bookkeeping etcd, so its runs record nothing: add bookkeeping: {endpoint: URL}", path))
	}
	return run, err
}

func newPlanCmd(io *cli.IO) *cobra.Command {
	var f storeFlags
	var config, output string
	c := &cobra.Command{
		Use:   "plan --config FILE [--etcd URL] [--output text|json]",
		Short: "Show what submitting a migration config would run again and what it would adopt",
		Long: `Plan reads the memo records in the config's bookkeeping etcd (or the one --etcd
names) and prints, per unit and memoized step of the config, what a
submission would do:

  adopt     a complete record with the plan's checksum: the step is skipped
  re-run    a record that cannot be adopted, and why: the step's own settings
            changed, an upstream unit runs again, the step before it does,
            its last run failed, or another workflow holds it
  new       no record: the step runs for the first time
  orphaned  a record of a step the config no longer has (migrate gc
            --config deletes those)

Show it before resubmitting a changed config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return cli.ExitErr(cli.ExitUsage, fmt.Errorf("plan needs --config FILE"))
			}
			if output != "text" && output != "json" {
				return cli.ExitErr(cli.ExitUsage, fmt.Errorf("unknown --output %q: use text or json", output))
			}
			run, err := loadRecordedRun(io, config)
			if err != nil {
				return err
			}
			if f.endpoint == "" {
				f.endpoint = run.Bookkeeping
			}
			client, err := f.client()
			if err != nil {
				return err
			}
			recs, bad, err := list(cmd.Context(), io, client, migration.RecordPrefix)
			if err != nil {
				return err
			}
			changes := run.Changes(recs, client.MemoPrefix())
			if output == "json" {
				enc := json.NewEncoder(io.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(changes); err != nil {
					return cli.ExitErr(cli.ExitInternal, err)
				}
			} else {
				printChanges(io, changes)
			}
			if bad > 0 {
				return cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%d values under %s are not records", bad, client.MemoPrefix()+migration.RecordPrefix))
			}
			return nil
		},
	}
	f.register(c, "etcd")
	c.Flags().StringVar(&config, "config", "", "migration config to plan (required)")
	c.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return c
}

func printChanges(io *cli.IO, changes []migration.Change) {
	tw := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT\tSTEP\tACTION\tWHY")
	count := map[string]int{}
	for _, c := range changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Unit, c.Step, c.Action, c.Why)
		count[c.Action]++
	}
	tw.Flush()
	fmt.Fprintf(io.Stdout, "%d to adopt, %d to re-run, %d new, %d orphaned\n",
		count[migration.ActionAdopt], count[migration.ActionRerun], count[migration.ActionNew], count[migration.ActionOrphaned])
}
