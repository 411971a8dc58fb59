package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/migratekit/migrate/cli"
	"github.com/migratekit/migrate/examples"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// newCompileCmd is cli's compile over the built-in libraries, with the
// run of a migration config as another source (--config, --sample).
func newCompileCmd(io *cli.IO) *cobra.Command {
	var config string
	var sample, strict bool
	src := &cli.Source{
		Use: "compile --config FILE",
		Help: `With --config, compile checks the migration config FILE and writes its run
to DIR: the migration library's WorkflowTemplate (migration.yaml) and a
Workflow (workflow.yaml) that references it and carries the config's
validated, normalised plan as arguments. Apply the first, create the second.
DIR must not hold the config.

The migration library is the same for every config, and its tests have run
Argo's validator on it in full: with --config, compile checks the Workflow
with Argo's validator against the library's interface and does not walk the
library again. --strict walks it again (docs/performance.md).`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&config, "config", "", "compile the run of this migration config instead of the libraries")
			fs.BoolVar(&sample, "sample", false, "compile the run of the built-in sample config (the one migrate init writes)")
			fs.BoolVar(&strict, "strict", false, "with --config or --sample: run Argo's validator in full on the library and the Workflow")
		},
		Files: func(io *cli.IO, args []string) (map[string][]byte, []string, bool, error) {
			if (config != "" || sample) && len(args) > 0 || config != "" && sample {
				return nil, nil, false, cli.ExitErr(cli.ExitUsage, errors.New("give one of --config, --sample or library names"))
			}
			switch {
			case sample:
				files, err := compileRun(io, "sample.yaml", schema.Sample(), strict)
				return files, nil, true, err
			case config != "":
				data, err := readConfig(config)
				if err != nil {
					return nil, nil, true, err
				}
				files, err := compileRun(io, config, data, strict)
				return files, []string{config}, true, err
			}
			return nil, nil, false, nil
		},
	}
	c := cli.CompileCmd(io, libraries(), src)
	c.Short = "Compile workflow libraries, or a migration config's run, to Argo YAML"
	return c
}

// libraries lists the built-in libraries: the migration library and the
// examples.
func libraries() []cli.Library {
	libs := []cli.Library{{Name: "migration", About: "the datastore migration library", Build: migration.Library}}
	for _, e := range examples.All() {
		libs = append(libs, cli.Library{Name: e.Name, About: e.About, Build: e.Build})
	}
	return libs
}

// compileRun compiles the run of a migration config.
func compileRun(io *cli.IO, path string, data []byte, strict bool) (map[string][]byte, error) {
	out, _, err := migration.CompileWith(path, data, migration.Options{Strict: strict})
	if err != nil {
		return nil, configFailure(io, path, err)
	}
	files := map[string][]byte{}
	for _, f := range out {
		files[f.Name] = f.Data
	}
	return files, nil
}

// configFailure reports why the run of the config at path did not compile:
// the config's problems (exit 1), or a failure of migrate (exit 3).
func configFailure(io *cli.IO, path string, err error) error {
	var cfg schema.ErrorList
	if !errors.As(err, &cfg) {
		return cli.ExitErr(cli.ExitInternal, err)
	}
	d, _ := diagnostics(cfg)
	cli.PrintProblems(io, d)
	return cli.ExitErr(cli.ExitInvalid, fmt.Errorf("%s in %s", cli.Count(len(d), "problem"), path))
}

// diagnostics is cli.Diagnostics, and a migration config's problems.
func diagnostics(err error) ([]cli.Diagnostic, bool) {
	var cfg schema.ErrorList
	if !errors.As(err, &cfg) {
		return cli.Diagnostics(err)
	}
	var out []cli.Diagnostic
	for _, e := range cfg {
		out = append(out, cli.Diagnostic{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Path: e.Path, Message: e.Msg, Hint: e.Hint, Severity: "error"})
	}
	return out, true
}
