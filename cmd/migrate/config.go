package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// addConfigCommands adds the commands about migration configs: validate,
// schema and init.
func addConfigCommands(root *cobra.Command, io *cli.IO) {
	root.AddCommand(newValidateCmd(io), newSchemaCmd(io), newInitCmd(io))
}

func newValidateCmd(io *cli.IO) *cobra.Command {
	var strict bool
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check migration configs (YAML or JSON) and report every problem",
		Long: `Validate checks migration configs: the YAML or JSON itself, the JSON Schema
(migrate schema prints it), the rules that relate one part of a config to
another, such as a replayer naming a target that exists, and everything
compile --config checks of the run the config expands to (the sizes of its
units and workflow parameters). It reports every
problem, not just the first, as

  file:line:col: json.path: what is wrong (how to fix it)

and exits 1 when there is any. A valid config is summarised as the work
items it expands to.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(io, args, strict)
		},
	}
	c.Flags().BoolVar(&strict, "strict", false, "run Argo's validator in full on the library and the Workflow, as compile --strict")
	return c
}

func runValidate(io *cli.IO, files []string, strict bool) error {
	var problems []cli.Diagnostic
	for _, file := range files {
		data, err := readConfig(file)
		if err != nil {
			return err
		}
		cfg, errs := schema.Load(file, data)
		if len(errs) > 0 {
			d, _ := diagnostics(errs)
			problems = append(problems, d...)
			continue
		}
		// What compile finds beyond the config's own rules (the sizes of
		// what the plan expands to), validate finds too: it runs the same
		// checks.
		if _, err := migration.Check(file, data, migration.Options{Strict: strict}); err != nil {
			var cfgErrs schema.ErrorList
			if !errors.As(err, &cfgErrs) {
				return cli.ExitErr(cli.ExitInternal, err) // as compile: not the config's fault
			}
			d, _ := diagnostics(cfgErrs)
			problems = append(problems, d...)
			continue
		}
		plan, err := schema.Normalize(cfg)
		if err != nil {
			return cli.ExitErr(cli.ExitInternal, fmt.Errorf("%s: %w", file, err))
		}
		fmt.Fprintf(io.Stdout, "%s: ok: %s, %s, %s, %s, %s\n", file,
			cli.Count(len(plan.Targets), "target"), cli.Count(len(plan.Sources), "source"),
			cli.Count(len(plan.Snapshots), "snapshot"), cli.Count(len(plan.Migrations), "migration item"),
			cli.Count(len(plan.Replays), "replay"))
	}
	if len(problems) > 0 {
		cli.PrintProblems(io, problems)
		return cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s in %s", cli.Count(len(problems), "problem"), cli.Count(len(files), "file")))
	}
	return nil
}

// readConfig reads at most one byte more than a config may have, so that a
// huge file is refused by schema.Load without being read whole.
func readConfig(file string) ([]byte, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s: no such file", file))
	}
	if err != nil {
		return nil, cli.ExitErr(cli.ExitInternal, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, schema.MaxFileSize+1))
	if err != nil {
		return nil, cli.ExitErr(cli.ExitInternal, fmt.Errorf("read %s: %w", file, err))
	}
	return data, nil
}

func newSchemaCmd(io *cli.IO) *cobra.Command {
	var unit bool
	c := &cobra.Command{
		Use:   "schema [--unit]",
		Short: "Print the JSON Schema of migration configs (or of work units)",
		Long: `Schema prints the JSON Schema (draft 2020-12) of migration configs. The rules
that relate one part of a config to another are in it too, as CEL expressions
under x-migrate-validations.

Editors with the YAML language server complete and check a config that starts
with

  # yaml-language-server: $schema=` + schema.SchemaURL + `

or, with a copy saved by "migrate schema > migration.schema.json",

  # yaml-language-server: $schema=./migration.schema.json

A JSON config can name the schema in its "$schema" key instead.

With --unit it prints the JSON Schema of a work unit instead: the JSON a
step of the migration library finds in MIGRATE_UNIT, the contract between
the library and the migration console (` + migration.UnitVersion + `).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := schema.JSONSchema()
			if unit {
				out = migration.UnitJSONSchema()
			}
			_, err := io.Stdout.Write(out)
			if err != nil {
				return cli.ExitErr(cli.ExitInternal, err)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&unit, "unit", false, "print the JSON Schema of a work unit (MIGRATE_UNIT) instead")
	return c
}

func newInitCmd(io *cli.IO) *cobra.Command {
	var out string
	var force bool
	c := &cobra.Command{
		Use:   "init [-o FILE]",
		Short: "Write a commented sample migration config",
		Long: `Init writes a commented sample migration config that validates, to start
from. It writes migration.yaml unless -o names another file ("-o -" prints
it). It does not overwrite a file that exists unless --force is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "-" {
				if _, err := io.Stdout.Write(schema.Sample()); err != nil {
					return cli.ExitErr(cli.ExitInternal, err)
				}
				return nil
			}
			if err := writeNew(out, schema.Sample(), force); err != nil {
				return err
			}
			fmt.Fprintf(io.Stdout, "wrote %s; check it with: migrate validate %s\n", out, out)
			return nil
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "migration.yaml", `file to write, or "-" for standard output`)
	c.Flags().BoolVar(&force, "force", false, "overwrite the file if it exists")
	return c
}

// writeNew writes data to a temporary file next to path and moves it into
// place, so that path is never left half written. Without force it refuses
// to replace an existing file: the temporary file is hard-linked to path,
// which fails when path exists.
func writeNew(path string, data []byte, force bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return cli.ExitErr(cli.ExitInternal, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once it is renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return cli.ExitErr(cli.ExitInternal, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return cli.ExitErr(cli.ExitInternal, err)
	}
	if err := tmp.Close(); err != nil {
		return cli.ExitErr(cli.ExitInternal, err)
	}
	exists := cli.ExitErr(cli.ExitUsage, fmt.Errorf("%s exists; use --force to overwrite it, or -o to write another file", path))
	if force {
		if err := os.Rename(tmp.Name(), path); err != nil {
			return cli.ExitErr(cli.ExitInternal, err)
		}
		return nil
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return exists
	}
	// The file system has no hard links: check, then rename.
	if _, err := os.Lstat(path); err == nil {
		return exists
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return cli.ExitErr(cli.ExitInternal, err)
	}
	return nil
}
