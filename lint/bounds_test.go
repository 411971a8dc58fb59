package lint

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	sigsyaml "sigs.k8s.io/yaml"
)

// dagYAML is dagTemplate(n, deps) as a YAML file of docs documents, each
// a template of its own name.
func dagYAML(t testing.TB, n, docs int, deps func(int) []int) []byte {
	t.Helper()
	var b bytes.Buffer
	for d := range docs {
		wt := dagTemplate(n, deps)
		wt.Name = "bench-" + strings.Repeat("x", d%3) + string(rune('a'+d%26)) + "-" + itoa(d)
		y, err := sigsyaml.Marshal(wt)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes()
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}

func TestTooManyTasksRefused(t *testing.T) {
	fsys := fstest.MapFS{"big.yaml": {Data: dagYAML(t, MaxTasks+1, 1, chain)}, "ok.yaml": {Data: dagYAML(t, 20, 1, chain)}}
	ps := Files(fsys, []string{"big.yaml", "ok.yaml"})
	if len(ps) != 1 {
		t.Fatalf("got %d problems, want 1:\n%v", len(ps), ps.Error())
	}
	p := ps[0]
	if p.File != "big.yaml" || p.Line == 0 || p.Col == 0 || p.Path != "spec.templates[0].dag.tasks" || !strings.Contains(p.Msg, "501 tasks") {
		t.Fatalf("problem %+v, want one at big.yaml's dag.tasks with a position", p)
	}
}

func TestTotalTasksBounded(t *testing.T) {
	// 41 templates of 500 tasks: 20,500 in all, over MaxTotalTasks.
	fsys := fstest.MapFS{"many.yaml": {Data: dagYAML(t, MaxTasks, 41, wide)}}
	ps := Files(fsys, []string{"many.yaml"})
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "nothing was checked") {
		t.Fatalf("got %v, want one problem: too many tasks in all", ps.Error())
	}
}

func TestFileSizeBounded(t *testing.T) {
	big := bytes.Repeat([]byte("# filler\n"), MaxFileBytes/9+1)
	fsys := fstest.MapFS{"big.yaml": {Data: big}}
	ps := Files(fsys, []string{"big.yaml"})
	if len(ps) != 1 || ps[0].Line != 1 || ps[0].Col != 1 || !strings.Contains(ps[0].Msg, "larger than 8 MiB") {
		t.Fatalf("got %v, want one problem: file too large", ps.Error())
	}
	// Files past the total are not read at all.
	fsys = fstest.MapFS{}
	var names []string
	for i := range 5 {
		name := "f" + itoa(i) + ".yaml"
		fsys[name] = &fstest.MapFile{Data: big[:MaxFileBytes]}
		names = append(names, name)
	}
	ps = Files(fsys, names)
	if len(ps) != 1 || ps[0].File != "f4.yaml" || !strings.Contains(ps[0].Msg, "not read") {
		t.Fatalf("got %v, want f4.yaml not read", ps.Error())
	}
}

func benchmarkFiles(b *testing.B, n, docs int, deps func(int) []int) {
	fsys := fstest.MapFS{"bench.yaml": {Data: dagYAML(b, n, docs, deps)}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Files(fsys, []string{"bench.yaml"})
	}
}

// The figures of the README: 2,000 chained tasks, 50,000 tasks, 300
// documents.
func BenchmarkFiles2000Chain(b *testing.B)    { benchmarkFiles(b, 2000, 1, chain) }
func BenchmarkFiles50000Wide(b *testing.B)    { benchmarkFiles(b, 50000, 1, wide) }
func BenchmarkFiles500Chain(b *testing.B)     { benchmarkFiles(b, 500, 1, chain) }
func BenchmarkFiles300Documents(b *testing.B) { benchmarkFiles(b, 60, 300, layered) }
