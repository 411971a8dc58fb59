package migration_test

import (
	"testing"

	"github.com/migratekit/migrate/schema"
	"github.com/migratekit/migrate/templates/migration"
)

// BenchmarkCompileSample is `migrate compile --sample` without the process
// and the disk: the sample config (the one `migrate init` writes) checked,
// planned, its Workflow validated against the verified library, and every
// file rendered. See docs/performance.md for the goals.
func BenchmarkCompileSample(b *testing.B) {
	benchmarkCompile(b, migration.Options{})
}

// BenchmarkCompileSampleStrict is BenchmarkCompileSample with --strict:
// Argo's validator walks the library and the Workflow in full.
func BenchmarkCompileSampleStrict(b *testing.B) {
	benchmarkCompile(b, migration.Options{Strict: true})
}

func benchmarkCompile(b *testing.B, o migration.Options) {
	data := schema.Sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := migration.CompileWith("sample.yaml", data, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckSample is `migrate validate` of the sample config: every
// check of compile, no file rendered.
func BenchmarkCheckSample(b *testing.B) {
	data := schema.Sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := migration.Check("sample.yaml", data, migration.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
