package examples_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func importsDSL(f *ast.File) bool {
	for _, imp := range f.Imports {
		if imp.Path.Value == `"github.com/migratekit/migrate/dsl"` {
			return true
		}
	}
	return false
}

// TestNoRawExpressions keeps the workflow libraries typed: no Go string
// literal in them may hold an Argo placeholder or expression ("{{"). Every
// reference and expression goes through the DSL, which checks it.
func TestNoRawExpressions(t *testing.T) {
	scanned := 0
	for _, dir := range []string{"../examples", "../templates", "../memo", "../latch"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			scanned++
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			if !importsDSL(f) {
				return nil // not workflow code (e.g. a Mermaid renderer)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.Contains(lit.Value, "{{") {
					t.Errorf("%s: raw Argo expression %s: build it with the dsl package", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if scanned == 0 {
		t.Fatal("no library source found to scan")
	}
}
