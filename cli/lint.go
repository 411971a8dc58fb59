package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migratekit/migrate/lint"
)

// LintCmd is the lint command: Argo YAML checked with Argo's validator
// and migrate's own checks.
func LintCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "lint PATH...",
		Short: "Validate Argo YAML files (ours or hand-written)",
		Long: `Lint validates Argo Workflows YAML: WorkflowTemplates, Workflows,
ClusterWorkflowTemplates and CronWorkflows, with Argo's own validator plus the
checks Argo skips (expression syntax, durations, memoize keys, names, sizes).
Objects in the files may reference each other (templateRef).
A directory means every .yaml and .yml file below it. Input is bounded: files
over 8 MiB, past 32 MiB in all, templates over 500 tasks and runs over
20,000 tasks are refused unchecked.

Each problem is printed as file:line:col: path: message. Exit 1 when any is found.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(io, args)
		},
	}
}

func runLint(io *IO, args []string) error {
	var paths []string
	for _, a := range args {
		err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (p == a || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				paths = append(paths, p)
			}
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			return ExitErr(ExitInvalid, fmt.Errorf("%s: no such file or directory", a))
		}
		if err != nil {
			return ExitErr(ExitInternal, err)
		}
	}
	fsys, rel, abs, err := rootFS(paths)
	if err != nil {
		return ExitErr(ExitInternal, err)
	}
	problems := lint.Files(fsys, rel)
	errs := 0
	var diags []Diagnostic
	for _, p := range problems {
		if abs {
			p.File = "/" + p.File
		}
		diags = append(diags, lintDiagnostic(p))
		if !p.Warning {
			errs++
		}
	}
	if len(diags) > 0 {
		PrintProblems(io, diags)
	}
	if errs > 0 {
		return ExitErr(ExitInvalid, fmt.Errorf("%d problems in %d files", errs, len(paths)))
	}
	return nil
}

// rootFS returns a file system and fs paths for the given OS paths:
// relative paths stay relative to the working directory, so problems name
// files as the user typed them; abs says the paths are rooted at / instead.
func rootFS(paths []string) (fsys fs.FS, rel []string, abs bool, err error) {
	for _, p := range paths {
		if filepath.IsAbs(p) || strings.HasPrefix(filepath.Clean(p), "..") {
			abs = true
		}
	}
	if !abs {
		out := make([]string, len(paths))
		for i, p := range paths {
			out[i] = filepath.ToSlash(filepath.Clean(p))
		}
		return os.DirFS("."), out, false, nil
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, nil, false, err
		}
		out[i] = strings.TrimPrefix(filepath.ToSlash(a), "/")
	}
	return os.DirFS("/"), out, true, nil
}
