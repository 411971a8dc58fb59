package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/examples"
	"github.com/migratekit/migrate/internal/outdir"
	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
	"github.com/migratekit/migrate/transpile"
)

type compileFlags struct {
	out    string
	check  string
	config string
	sample bool
	follow bool
	strict bool
}

func newCompileCmd(io *cliIO) *cobra.Command {
	var f compileFlags
	c := &cobra.Command{
		Use:   "compile [LIBRARY...] | compile --config FILE",
		Short: "Compile workflow libraries, or a migration config's run, to Argo YAML",
		Long: `Compile builds the named built-in libraries (all of them by default), checks
them (DSL rules, Argo's validator, migrate's own checks) and writes one YAML
file per WorkflowTemplate to DIR/LIBRARY/NAME.yaml.

With --config, compile checks the migration config FILE and writes its run
to DIR: the migration library's WorkflowTemplate (migration.yaml) and a
Workflow (workflow.yaml) that references it and carries the config's
validated, normalised plan as arguments. Apply the first, create the second.

Nothing is written unless everything is valid: the files go to a temporary
directory beside DIR that replaces DIR at the end. DIR must be new, empty,
or written by compile before: compile keeps a manifest of its files in
DIR/.migrate-manifest and refuses, with exit 1 and nothing changed, a file,
a directory holding any other file (or the config), and a symbolic link
unless --follow is given. A compile killed half way leaves DIR as it was or
complete; the next compile removes or restores what it left beside DIR.
With --check, nothing is written
at all: the command compares DIR with what it would write and exits 1 with a
unified diff when they differ (the CI use).

The migration library is the same for every config, and its tests have run
Argo's validator on it in full: with --config, compile checks the Workflow
with Argo's validator against the library's interface and does not walk the
library again. --strict walks it again (docs/performance.md).

Libraries: ` + strings.Join(exampleNames(), ", "),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (f.config != "" || f.sample) && len(args) > 0 || f.config != "" && f.sample {
				return exitErr(exitUsage, errors.New("give one of --config, --sample or library names"))
			}
			return runCompile(io, f, args)
		},
	}
	c.Flags().StringVar(&f.config, "config", "", "compile the run of this migration config instead of the libraries")
	c.Flags().BoolVar(&f.sample, "sample", false, "compile the run of the built-in sample config (the one migrate init writes)")
	c.Flags().StringVarP(&f.out, "output", "o", "out", "directory to write the YAML to")
	c.Flags().BoolVar(&f.follow, "follow", false, "when -o is a symbolic link, write into the directory it points to")
	c.Flags().StringVar(&f.check, "check", "", "compare DIR with the generated files instead of writing")
	c.Flags().BoolVar(&f.strict, "strict", false, "with --config or --sample: run Argo's validator in full on the library and the Workflow")
	return c
}

// libraries lists the built-in libraries: the migration library and the
// examples.
func libraries() []examples.Example {
	return append([]examples.Example{{Name: "migration", About: "the datastore migration library", Build: migration.Library}}, examples.All()...)
}

func exampleNames() []string {
	var names []string
	for _, e := range libraries() {
		names = append(names, e.Name)
	}
	return names
}

// compileExamples builds and compiles the named libraries into a map from
// file path (LIBRARY/NAME.yaml) to content.
func compileExamples(io *cliIO, names []string) (map[string][]byte, error) {
	all := libraries()
	if len(names) == 0 {
		names = exampleNames()
	}
	files := map[string][]byte{}
	var problems []diagnostic
	for _, name := range names {
		var ex *examples.Example
		for i := range all {
			if all[i].Name == name {
				ex = &all[i]
			}
		}
		if ex == nil {
			return nil, exitErr(exitUsage, fmt.Errorf("unknown library %q: choose from %s", name, strings.Join(exampleNames(), ", ")))
		}
		built, errs := ex.Build().Build()
		for _, w := range errs.Warnings() {
			fmt.Fprintln(io.Stderr, w)
		}
		if err := errs.Err(); err != nil {
			d, _ := diagnostics(err)
			problems = append(problems, d...)
			continue
		}
		out, err := transpile.Compile(built)
		if err != nil {
			d, ok := diagnostics(err)
			if !ok {
				return nil, exitErr(exitInternal, fmt.Errorf("%s: %w", name, err))
			}
			problems = append(problems, d...)
			continue
		}
		for _, f := range out {
			files[name+"/"+f.Name] = f.Data
		}
	}
	if len(problems) > 0 {
		printProblems(io, problems)
		return nil, exitErr(exitInvalid, fmt.Errorf("%s in the libraries", count(len(problems), "problem")))
	}
	return files, nil
}

func runCompile(io *cliIO, f compileFlags, names []string) error {
	var files map[string][]byte
	var err error
	switch {
	case f.sample:
		files, err = compileRun(io, "sample.yaml", schema.Sample(), f.strict)
	case f.config != "":
		var data []byte
		if data, err = readConfig(f.config); err == nil {
			files, err = compileRun(io, f.config, data, f.strict)
		}
	default:
		files, err = compileExamples(io, names)
	}
	if err != nil {
		return err
	}
	if f.check != "" {
		return checkDir(io, f.check, files)
	}
	w := outdir.Writer{Follow: f.follow, Warn: func(s string) { fmt.Fprintln(io.Stderr, "migrate: warning:", s) }}
	if f.config != "" {
		w.Protect = []string{f.config}
	}
	if _, err := w.Write(f.out, files); err != nil {
		if d, ok := diagnostics(err); ok {
			printProblems(io, d)
			return exitErr(exitInvalid, errors.New("nothing written"))
		}
		return exitErr(exitInternal, err)
	}
	fmt.Fprintf(io.Stdout, "wrote %d files to %s\n", len(files), f.out)
	return nil
}

// checkDir compares dir with files and prints a unified diff of every
// difference; a file in dir that would not be generated counts too.
func checkDir(io *cliIO, dir string, files map[string][]byte) error {
	have := map[string][]byte{}
	root := dir // reading through a link is safe: --check writes nothing
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		root = r
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		have[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exitErr(exitInternal, err)
	}
	names := map[string]bool{}
	for n := range have {
		names[n] = true
	}
	for n := range files {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	differ := 0
	for _, n := range sorted {
		if bytes.Equal(have[n], files[n]) {
			continue
		}
		differ++
		io.Stdout.Write(diff.Diff(filepath.Join(dir, n)+" (on disk)", have[n], filepath.Join(dir, n)+" (generated)", files[n]))
	}
	if differ > 0 {
		return exitErr(exitInvalid, fmt.Errorf("%d of %d files in %s differ from the generated ones: run migrate compile -o %s", differ, len(sorted), dir, dir))
	}
	fmt.Fprintf(io.Stdout, "%s is up to date (%d files)\n", dir, len(sorted))
	return nil
}

// compileRun compiles the run of a migration config.
func compileRun(io *cliIO, path string, data []byte, strict bool) (map[string][]byte, error) {
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
func configFailure(io *cliIO, path string, err error) error {
	var cfg schema.ErrorList
	if !errors.As(err, &cfg) {
		return exitErr(exitInternal, err)
	}
	d, _ := diagnostics(cfg)
	printProblems(io, d)
	return exitErr(exitInvalid, fmt.Errorf("%s in %s", count(len(d), "problem"), path))
}
