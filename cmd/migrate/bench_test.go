package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkProcess runs the migrate binary as a user does, one process per
// operation, next to a hello-world Go process built the same way: the
// x-hello metric is the ratio of their times in the same run, which is what
// the goals in docs/performance.md are stated in.
func BenchmarkProcess(b *testing.B) {
	dir := b.TempDir()
	migrate := filepath.Join(dir, "migrate")
	hello := filepath.Join(dir, "hello")
	if err := os.MkdirAll(filepath.Join(dir, "hellosrc"), 0o755); err != nil {
		b.Fatal(err)
	}
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "hellosrc", "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range [][]string{
		{"go", "build", "-o", migrate, "."},
		{"go", "build", "-o", hello, filepath.Join(dir, "hellosrc", "main.go")},
		{migrate, "init", "-o", filepath.Join(dir, "migration.yaml")},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	config := filepath.Join(dir, "migration.yaml")
	var helloPerOp time.Duration
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"hello", []string{hello}},
		{"version", []string{migrate, "version"}},
		{"validate", []string{migrate, "validate", config}},
		{"compile", []string{migrate, "compile", "--config", config, "-o", filepath.Join(dir, "out")}},
		{"compile-strict", []string{migrate, "compile", "--strict", "--config", config, "-o", filepath.Join(dir, "out")}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command(c.argv[0], c.argv[1:]...).CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", c.argv, err, out)
				}
			}
			perOp := b.Elapsed() / time.Duration(b.N)
			if c.name == "hello" {
				helloPerOp = perOp
			} else if helloPerOp > 0 {
				b.ReportMetric(float64(perOp)/float64(helloPerOp), "x-hello")
			}
		})
	}
}
