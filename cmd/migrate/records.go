package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/memo"
)

// storeFlags say where the records are.
type storeFlags struct {
	endpoint  string
	prefix    string
	tokenFile string
}

// register adds the flags; name is the endpoint flag's ("endpoint", or
// "etcd" where a config names the endpoint already).
func (f *storeFlags) register(c *cobra.Command, name string) {
	usage := "etcd client URL, e.g. http://migrate-bookkeeping:2379"
	if name == "endpoint" {
		usage += " (required)"
	} else {
		usage += " (default: the config's bookkeeping endpoint)"
	}
	c.Flags().StringVar(&f.endpoint, name, "", usage)
	c.Flags().StringVar(&f.prefix, "prefix", "/migrate", "key prefix the workflows were compiled with")
	c.Flags().StringVar(&f.tokenFile, "token-file", "", "file holding the Authorization header value for etcd (never pass credentials as flags)")
}

func (f *storeFlags) client() (*memo.Client, error) {
	if f.endpoint == "" {
		return nil, cli.ExitErr(cli.ExitUsage, errors.New("--endpoint is required: name the bookkeeping etcd"))
	}
	c := &memo.Client{Endpoint: f.endpoint, Prefix: f.prefix}
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s: no such file", f.tokenFile))
		}
		if err != nil {
			return nil, cli.ExitErr(cli.ExitInternal, err)
		}
		c.Auth = strings.TrimSpace(string(b))
	}
	return c, nil
}

// addRecordsCommands adds the memo record commands: records and gc.
func addRecordsCommands(root *cobra.Command, io *cli.IO) {
	root.AddCommand(newRecordsCmd(io), newGCCmd(io), newPlanCmd(io))
}

func newRecordsCmd(io *cli.IO) *cobra.Command {
	var f storeFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "records [KEY-PREFIX]",
		Short: "List the memo records in etcd",
		Long: `Records lists the memo records kept in etcd by memoized steps (see
docs/records.md): key (below PREFIX/memo/), state, step, attempt, owning
workflow, checksum and etcd revision. KEY-PREFIX narrows the listing.

A value under the prefix that is not a record is reported on stderr with its
key, and the command exits 1 after listing the others.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := f.client()
			if err != nil {
				return err
			}
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			return runRecords(cmd.Context(), io, client, prefix, asJSON)
		},
	}
	f.register(c, "endpoint")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per record")
	return c
}

func list(ctx context.Context, io *cli.IO, client *memo.Client, prefix string) ([]memo.Record, int, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	recs, bad, err := client.List(ctx, prefix)
	if err != nil {
		return nil, 0, cli.ExitErr(cli.ExitInternal, err)
	}
	for _, e := range bad {
		fmt.Fprintln(io.Stderr, "migrate:", e)
	}
	return recs, len(bad), nil
}

func runRecords(ctx context.Context, io *cli.IO, client *memo.Client, prefix string, asJSON bool) error {
	recs, bad, err := list(ctx, io, client, prefix)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(io.Stdout)
		for _, r := range recs {
			if err := enc.Encode(struct {
				Key         string `json:"key"`
				ModRevision int64  `json:"modRevision"`
				memo.Record
			}{strings.TrimPrefix(r.Key, client.MemoPrefix()), r.ModRevision, r}); err != nil {
				return cli.ExitErr(cli.ExitInternal, err)
			}
		}
	} else {
		tw := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tSTATE\tSTEP\tATTEMPT\tOWNER\tCHECKSUM\tREVISION")
		for _, r := range recs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\n", strings.TrimPrefix(r.Key, client.MemoPrefix()),
				r.State, r.Step, r.Attempt, r.Owner.Name, short(r.Checksum), r.ModRevision)
		}
		tw.Flush()
	}
	if bad > 0 {
		return cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%d values under %s are not records", bad, client.MemoPrefix()+prefix))
	}
	return nil
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

func newGCCmd(io *cli.IO) *cobra.Command {
	var f storeFlags
	var keepFile, config string
	var yes bool
	c := &cobra.Command{
		Use:   "gc (--config FILE | --endpoint URL --keep FILE) [--yes]",
		Short: "Delete the memo records no current plan adopts (dry run unless --yes)",
		Long: `Gc deletes the memo records that no current plan adopts: every record
except the complete ones the plan adopts (same key and checksum), and the
pending ones (a running workflow holds them; a vanished one's disappear with
their lease).

With --config the plan is the config's: every memoized step's record with
the checksum the config gives it, in the config's bookkeeping etcd (or the
one --endpoint names). Records of other configs in the same etcd are
garbage to this one: run gc with the config that owns the store.

With --keep FILE the plan is a list, one record per line: its key (below
PREFIX/memo/) and its checksum, separated by white space; # starts a
comment.

Without --yes nothing is deleted: the command prints what it would delete.
A record that changed since it was listed is kept.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var keep memo.Keep
			switch {
			case config != "" && keepFile != "":
				return cli.ExitErr(cli.ExitUsage, errors.New("--config and --keep both name the plan: give one"))
			case config != "":
				run, err := loadRecordedRun(io, config)
				if err != nil {
					return err
				}
				if f.endpoint == "" {
					f.endpoint = run.Bookkeeping
				}
				keep = run.Keep()
			case keepFile != "":
				var err error
				if keep, err = readKeepFile(keepFile); err != nil {
					return err
				}
			default:
				return cli.ExitErr(cli.ExitUsage, errors.New("gc needs the plan: --config FILE, or --keep FILE listing what the current plans adopt"))
			}
			client, err := f.client()
			if err != nil {
				return err
			}
			return runGC(cmd.Context(), io, client, keep, yes)
		},
	}
	f.register(c, "endpoint")
	c.Flags().StringVar(&config, "config", "", "migration config whose plan says what to keep")
	c.Flags().StringVar(&keepFile, "keep", "", "file listing KEY CHECKSUM of every record the current plans adopt")
	c.Flags().BoolVar(&yes, "yes", false, "delete; without it gc only prints what it would delete")
	return c
}

func readKeepFile(keepFile string) (memo.Keep, error) {
	fh, err := os.Open(keepFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s: no such file", keepFile))
	}
	if err != nil {
		return nil, cli.ExitErr(cli.ExitInternal, err)
	}
	defer fh.Close()
	keep, err := memo.ReadKeep(keepFile, fh)
	if err != nil {
		return nil, cli.ExitErr(cli.ExitInvalid, err)
	}
	return keep, nil
}

func runGC(ctx context.Context, io *cli.IO, client *memo.Client, keep memo.Keep, yes bool) error {
	recs, bad, err := list(ctx, io, client, "")
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	garbage := memo.Garbage(recs, client.MemoPrefix(), keep)
	deleted := 0
	for _, r := range garbage {
		key := strings.TrimPrefix(r.Key, client.MemoPrefix())
		why := gcReason(r, keep[key])
		if !yes {
			fmt.Fprintf(io.Stdout, "would delete %s (%s)\n", key, why)
			continue
		}
		ok, err := client.Delete(ctx, r)
		if err != nil {
			return cli.ExitErr(cli.ExitInternal, err)
		}
		if !ok {
			fmt.Fprintf(io.Stdout, "kept %s: it changed since it was listed\n", key)
			continue
		}
		deleted++
		fmt.Fprintf(io.Stdout, "deleted %s (%s)\n", key, why)
	}
	switch {
	case !yes:
		fmt.Fprintf(io.Stdout, "%d of %d records are not adopted by the plan; run with --yes to delete them\n", len(garbage), len(recs))
	default:
		fmt.Fprintf(io.Stdout, "deleted %d of %d records\n", deleted, len(recs))
	}
	if bad > 0 {
		return cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%d values under %s are not records and were left alone", bad, client.MemoPrefix()))
	}
	return nil
}

func gcReason(r memo.Record, planned string) string {
	switch {
	case r.State != memo.Complete:
		return r.State
	case planned == "":
		return "no plan adopts this key"
	}
	return fmt.Sprintf("checksum %s, the plan adopts %s", short(r.Checksum), short(planned))
}
