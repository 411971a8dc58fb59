package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestDump(t *testing.T) {
	files, _ := filepath.Glob("../testdata/lint/*.yaml")
	for _, f := range files {
		name := filepath.Base(f)
		ps := Files(os.DirFS("../testdata/lint"), []string{name})
		fmt.Printf("== %s (%d)\n", name, len(ps))
		for _, p := range ps {
			fmt.Printf("  %s   [%s]\n", p.String(), p.Path)
		}
	}
}
