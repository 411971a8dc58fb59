package examples_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/migratekit/migrate/examples"
	"github.com/migratekit/migrate/internal/golden"
	"github.com/migratekit/migrate/lint"
	"github.com/migratekit/migrate/transpile"
)

const goldenDir = "../testdata/golden"

// TestGolden compiles every example and compares the YAML with the golden
// files, byte for byte. Run `go test ./... -update` to rewrite them, then
// read the diff.
func TestGolden(t *testing.T) {
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			built, errs := ex.Build().Build()
			if len(errs) > 0 {
				t.Fatalf("Build reported problems:\n%v", errs)
			}
			files, err := transpile.Compile(built)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			dir := filepath.Join(goldenDir, ex.Name)
			if *golden.Update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range files {
				golden.Check(t, filepath.Join(dir, f.Name), f.Data)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(files) {
				t.Errorf("%s holds %d files, the example generates %d", dir, len(entries), len(files))
			}
		})
	}
}

// TestGoldenValid lints the golden files as files on disk, the way a user's
// CI would: Argo's validator and our checks must accept every one.
func TestGoldenValid(t *testing.T) {
	var paths []string
	err := filepath.WalkDir(goldenDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, filepath.ToSlash(p[len(goldenDir)+1:]))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < len(examples.All()) {
		t.Fatalf("found %d golden files, want at least one per example", len(paths))
	}
	for _, p := range lint.Files(os.DirFS(goldenDir), paths) {
		t.Errorf("%s", p)
	}
}

// TestDeterministic builds each example twice and requires identical bytes.
func TestDeterministic(t *testing.T) {
	for _, ex := range examples.All() {
		var outs [2][]transpile.File
		for i := range outs {
			built, _ := ex.Build().Build()
			files, err := transpile.Compile(built)
			if err != nil {
				t.Fatal(err)
			}
			outs[i] = files
		}
		for i := range outs[0] {
			if !bytes.Equal(outs[0][i].Data, outs[1][i].Data) {
				t.Errorf("%s: two compilations differ", outs[0][i].Name)
			}
		}
	}
}
