package outdir

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

var oldFiles = map[string][]byte{"a/one.yaml": []byte("old one\n"), "two.yaml": []byte("old two\n")}
var newFiles = map[string][]byte{"a/one.yaml": []byte("new one\n"), "b/three.yaml": []byte("new three\n")}

// tree returns every file under dir with its content, "" when dir is missing.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			got[filepath.ToSlash(rel)] = string(data)
			return err
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// same reports whether dir holds exactly files plus a manifest.
func same(t *testing.T, dir string, files map[string][]byte) bool {
	got := tree(t, dir)
	if _, ok := got[Manifest]; !ok || len(got) != len(files)+1 {
		return false
	}
	for n, data := range files {
		if got[n] != string(data) {
			return false
		}
	}
	return true
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestWriteNewEmptyAndOwn(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	var w Writer
	if _, err := w.Write(out, oldFiles); err != nil {
		t.Fatal(err)
	}
	if !same(t, out, oldFiles) {
		t.Fatalf("new dir: %v", tree(t, out))
	}
	// Its own output is replaced whole: two.yaml, no longer generated, goes.
	if _, err := w.Write(out, newFiles); err != nil {
		t.Fatal(err)
	}
	if !same(t, out, newFiles) {
		t.Fatalf("rewritten dir: %v", tree(t, out))
	}
	if got := entries(t, parent); strings.Join(got, " ") != "out" {
		t.Fatalf("leftovers beside out: %v", got)
	}
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(empty, newFiles); err != nil || !same(t, empty, newFiles) {
		t.Fatalf("empty dir: %v %v", err, tree(t, empty))
	}
}

func TestWriteRefuses(t *testing.T) {
	parent := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(parent, "file.yaml")
	write(file, "mine")
	project := filepath.Join(parent, "project")
	write(filepath.Join(project, "src", "main.go"), "package main")
	withConfig := filepath.Join(parent, "with-config")
	write(filepath.Join(withConfig, "c.yaml"), "targets: {}")
	// Output of migrate, plus a file someone added.
	own := filepath.Join(parent, "own")
	var w Writer
	if _, err := w.Write(own, oldFiles); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(own, "a", "notes.txt"), "mine")
	target := filepath.Join(parent, "target")
	if _, err := w.Write(target, oldFiles); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(parent, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		dir     string
		protect []string
		want    string
	}{
		{file, nil, "is a file, not a directory"},
		{file, []string{file}, "is a file, not a directory"},
		{project, nil, "holds files migrate did not write: src"},
		{withConfig, []string{filepath.Join(withConfig, "c.yaml")}, "which compile reads"},
		{own, nil, "holds files migrate did not write: a/notes.txt"},
		{link, nil, "is a symbolic link to " + target},
	} {
		before := tree(t, parent)
		w := Writer{Protect: c.protect}
		_, err := w.Write(c.dir, newFiles)
		var re *RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) || re.Hint == "" {
			t.Errorf("Write(%s) = %v, want a refusal with %q and a hint", c.dir, err, c.want)
		}
		if after := tree(t, parent); len(after) != len(before) {
			t.Errorf("Write(%s) changed files: %v", c.dir, after)
		}
		for n, s := range before {
			if tree(t, parent)[n] != s {
				t.Errorf("Write(%s) changed %s", c.dir, n)
			}
		}
	}
	// With Follow, the link's target is written and the link stays a link.
	w = Writer{Follow: true}
	if _, err := w.Write(link, newFiles); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	if !same(t, target, newFiles) {
		t.Fatalf("target: %v", tree(t, target))
	}
}

func TestWriteReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may remove files from read-only directories")
	}
	out := filepath.Join(t.TempDir(), "out")
	var w Writer
	if _, err := w.Write(out, oldFiles); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(out, "a"), 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(out, "a"), 0o755)
	var re *RefusedError
	if _, err := w.Write(out, newFiles); !errors.As(err, &re) {
		t.Fatalf("read-only dir: %v, want a refusal", err)
	}
	if !same(t, out, oldFiles) {
		t.Fatalf("read-only dir changed: %v", tree(t, out))
	}
}

// TestKilledAtEveryStep kills a writing process at each step and checks
// that the directory then holds the old or the new output, and that the
// next run recovers: it ends with the new output and nothing beside it.
func TestKilledAtEveryStep(t *testing.T) {
	if dir := os.Getenv("OUTDIR_KILL_DIR"); dir != "" {
		at, n := Step(os.Getenv("OUTDIR_KILL_AT")), 0
		w := Writer{Hook: func(s Step) {
			if s == at && (s != StepFile || n == 1) {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
			if s == StepFile {
				n++
			}
		}}
		w.Write(dir, newFiles)
		os.Exit(0) // the kill did not happen
	}
	for _, step := range Steps {
		for _, existing := range []bool{false, true} {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			var w Writer
			if existing {
				if _, err := w.Write(out, oldFiles); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledAtEveryStep$")
			cmd.Env = append(os.Environ(), "OUTDIR_KILL_DIR="+out, "OUTDIR_KILL_AT="+string(step))
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("step %s: the writer was not killed: %v", step, err)
			}
			switch {
			case same(t, out, newFiles):
			case existing && same(t, out, oldFiles):
			case !existing && tree(t, out) == nil:
			case existing && step == StepMovedAside && tree(t, out) == nil:
				// Killed between the renames: the old output is aside.
			default:
				t.Fatalf("step %s (existing %v): out holds %v", step, existing, tree(t, out))
			}
			if _, err := w.Write(out, newFiles); err != nil {
				t.Fatalf("step %s: the next run: %v", step, err)
			}
			if !same(t, out, newFiles) {
				t.Fatalf("step %s: after the next run: %v", step, tree(t, out))
			}
			if got := entries(t, parent); strings.Join(got, " ") != "out" {
				t.Fatalf("step %s: leftovers after the next run: %v", step, got)
			}
		}
	}
}

// TestRecoverRestoresOld: a run killed between the renames leaves the
// old output aside; the next run's recovery puts it back before checking.
func TestRecoverRestoresOld(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	var w Writer
	if _, err := w.Write(out, oldFiles); err != nil {
		t.Fatal(err)
	}
	_, oldDir := sideNames(out)
	if err := os.Rename(out, oldDir); err != nil {
		t.Fatal(err)
	}
	// A refused write still recovers: the user's old output is back.
	if err := os.WriteFile(filepath.Join(parent, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w.Protect = []string{filepath.Join(out, "two.yaml")}
	var re *RefusedError
	if _, err := w.Write(out, newFiles); !errors.As(err, &re) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if !same(t, out, oldFiles) {
		t.Fatalf("old output not restored: %v", tree(t, out))
	}
}

// TestLeftoverWithForeignFilesKept: a side directory that holds files
// migrate did not write is never removed.
func TestLeftoverWithForeignFilesKept(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	newDir, _ := sideNames(out)
	if err := os.MkdirAll(newDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(newDir, "precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var w Writer
	if _, err := w.Write(out, newFiles); err == nil || !strings.Contains(err.Error(), "precious") {
		t.Fatalf("got %v, want an error naming the foreign file", err)
	}
	if tree(t, newDir)["precious"] != "x" {
		t.Fatal("foreign file removed")
	}
}

// TestConcurrentWrites: compiles into the same directory at once take
// turns; each sees the other's output as its own, and the end is one
// complete output with nothing beside it.
func TestConcurrentWrites(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			files := oldFiles
			if i%2 == 1 {
				files = newFiles
			}
			var w Writer
			_, err := w.Write(out, files)
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !same(t, out, oldFiles) && !same(t, out, newFiles) {
		t.Fatalf("out holds a mix: %v", tree(t, out))
	}
	if got := entries(t, parent); strings.Join(got, " ") != "out" {
		t.Fatalf("leftovers: %v", got)
	}
}
