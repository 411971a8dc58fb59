package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/migratekit/migrate/dsl"
	"github.com/migratekit/migrate/internal/ir"
	"github.com/migratekit/migrate/internal/outdir"
	"github.com/migratekit/migrate/transpile"
)

// Library is a DSL library a program compiles: Build is called when the
// library is compiled, not before.
type Library struct {
	Name  string
	About string // one line, for help
	Build func() *dsl.Library
}

// Source is another input compile accepts besides library names, chosen
// by flags of its own: migrate's --config and --sample.
type Source struct {
	Use  string // the usage line's alternative, e.g. "compile --config FILE"
	Help string // a paragraph for compile's help
	// Flags registers the source's flags.
	Flags func(*pflag.FlagSet)
	// Files returns the files to write and the paths compile must not
	// overwrite; ok is false when the source's flags were not given, and
	// compile compiles libraries instead. args are compile's arguments.
	Files func(io *IO, args []string) (files map[string][]byte, protect []string, ok bool, err error)
}

// CompileCmd is the compile command over libs, and over src when it is
// not nil.
func CompileCmd(io *IO, libs []Library, src *Source) *cobra.Command {
	var out, check string
	var follow bool
	use := "compile [LIBRARY...]"
	long := `Compile builds the named libraries (all of them by default), checks
them (DSL rules, Argo's validator, migrate's own checks) and writes one YAML
file per WorkflowTemplate to DIR/LIBRARY/NAME.yaml.
`
	if src != nil {
		use += " | " + src.Use
		long += "\n" + src.Help + "\n"
	}
	long += `
Nothing is written unless everything is valid: the files go to a temporary
directory beside DIR that replaces DIR at the end. DIR must be new, empty,
or written by compile before: compile keeps a manifest of its files in
DIR/.migrate-manifest and refuses, with exit 1 and nothing changed, a file,
a directory holding any other file, and a symbolic link unless --follow is
given. A compile killed half way leaves DIR as it was or complete; the
next compile removes or restores what it left beside DIR. With --check,
nothing is written at all: the command compares DIR with what it would
write and exits 1 with a unified diff when they differ (the CI use).

Libraries: ` + strings.Join(names(libs), ", ")
	c := &cobra.Command{
		Use:   use,
		Short: "Compile workflow libraries to Argo YAML",
		Long:  long,
		RunE: func(cmd *cobra.Command, args []string) error {
			var files map[string][]byte
			var protect []string
			ok := false
			if src != nil {
				var err error
				if files, protect, ok, err = src.Files(io, args); err != nil {
					return err
				}
			}
			if !ok {
				var err error
				if files, err = CompileLibraries(io, libs, args); err != nil {
					return err
				}
			}
			if check != "" {
				return CheckDir(io, check, files)
			}
			w := outdir.Writer{Follow: follow, Protect: protect, Warn: func(s string) { fmt.Fprintln(io.Stderr, io.Name+": warning:", s) }}
			if _, err := w.Write(out, files); err != nil {
				if d, ok := Diagnostics(err); ok {
					PrintProblems(io, d)
					return ExitErr(ExitInvalid, errors.New("nothing written"))
				}
				return ExitErr(ExitInternal, err)
			}
			fmt.Fprintf(io.Stdout, "wrote %d files to %s\n", len(files), out)
			return nil
		},
	}
	if src != nil {
		src.Flags(c.Flags())
	}
	c.Flags().StringVarP(&out, "output", "o", "out", "directory to write the YAML to")
	c.Flags().BoolVar(&follow, "follow", false, "when -o is a symbolic link, write into the directory it points to")
	c.Flags().StringVar(&check, "check", "", "compare DIR with the generated files instead of writing")
	return c
}

func names(libs []Library) []string {
	var out []string
	for _, l := range libs {
		out = append(out, l.Name)
	}
	return out
}

// lookup returns the named libraries, all of them when none is named.
func lookup(libs []Library, want []string) ([]Library, error) {
	if len(want) == 0 {
		return libs, nil
	}
	var out []Library
	for _, name := range want {
		i := slices.IndexFunc(libs, func(l Library) bool { return l.Name == name })
		if i < 0 {
			return nil, ExitErr(ExitUsage, fmt.Errorf("unknown library %q: choose from %s", name, strings.Join(names(libs), ", ")))
		}
		out = append(out, libs[i])
	}
	return out, nil
}

// CompileLibraries builds and compiles the named libraries (all when none
// is named) into a map from file path (LIBRARY/NAME.yaml) to content. Build
// warnings go to the standard error; the problems of every library are
// printed, and make the error an exit 1.
func CompileLibraries(io *IO, libs []Library, want []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := buildEach(io, libs, want, true, func(lib Library, built *ir.Library) ([]Diagnostic, error) {
		out, err := transpile.Compile(built)
		if err != nil {
			d, ok := Diagnostics(err)
			if !ok {
				return nil, ExitErr(ExitInternal, fmt.Errorf("%s: %w", lib.Name, err))
			}
			return d, nil
		}
		for _, f := range out {
			files[lib.Name+"/"+f.Name] = f.Data
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// buildEach builds the named libraries (all when none is named) and calls
// f with each one that builds; with warn, Build's warnings go to the
// standard error. The problems of every library, Build's and f's, are
// printed together, and make the error an exit 1.
func buildEach(io *IO, libs []Library, want []string, warn bool, f func(Library, *ir.Library) ([]Diagnostic, error)) error {
	chosen, err := lookup(libs, want)
	if err != nil {
		return err
	}
	var problems []Diagnostic
	for _, lib := range chosen {
		built, errs := lib.Build().Build()
		if warn {
			for _, w := range errs.Warnings() {
				fmt.Fprintln(io.Stderr, w)
			}
		}
		if err := errs.Err(); err != nil {
			d, _ := Diagnostics(err)
			problems = append(problems, d...)
			continue
		}
		d, err := f(lib, built)
		if err != nil {
			return err
		}
		problems = append(problems, d...)
	}
	if len(problems) > 0 {
		PrintProblems(io, problems)
		return ExitErr(ExitInvalid, fmt.Errorf("%s in the libraries", Count(len(problems), "problem")))
	}
	return nil
}

// CheckDir compares dir with files and prints a unified diff of every
// difference; a file in dir that would not be generated counts too.
func CheckDir(io *IO, dir string, files map[string][]byte) error {
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
		return ExitErr(ExitInternal, err)
	}
	all := map[string]bool{}
	for n := range have {
		all[n] = true
	}
	for n := range files {
		all[n] = true
	}
	var sorted []string
	for n := range all {
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
		return ExitErr(ExitInvalid, fmt.Errorf("%d of %d files in %s differ from the generated ones: run %s compile -o %s", differ, len(sorted), dir, io.Name, dir))
	}
	fmt.Fprintf(io.Stdout, "%s is up to date (%d files)\n", dir, len(sorted))
	return nil
}
