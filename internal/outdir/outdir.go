// Package outdir writes a directory of generated files without destroying
// what it did not write. A directory it writes holds a manifest (Manifest)
// naming its files; it only ever replaces a directory that is missing,
// empty, or holds exactly the files of its manifest, and it swaps the new
// directory in so that a run killed at any point leaves either the old or
// the new output, plus leftovers that the next run recovers or removes.
// Writes into the same parent directory take turns (an flock on it).
package outdir

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Manifest is the name of the file, inside a written directory, that lists
// the files migrate wrote there, one slash-separated path a line.
const Manifest = ".migrate-manifest"

const manifestHeader = "# written by migrate compile; it replaces this directory only while it holds just these files\n"

// RefusedError says why a directory may not be written. It is the user's
// to fix, so the command exits with "invalid input".
type RefusedError struct {
	Dir  string
	Msg  string
	Hint string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Dir, e.Msg, e.Hint)
}

// Step names a point of Write at which a test may stop it (see Writer.Hook).
type Step string

// The steps of Write, in order.
const (
	StepRecovered  Step = "recovered"   // leftovers of an earlier run are dealt with
	StepManifest   Step = "manifest"    // the new directory holds its manifest
	StepFile       Step = "file"        // one file is written (once per file)
	StepWritten    Step = "written"     // every file is written and synced
	StepMovedAside Step = "moved-aside" // the old directory is renamed aside
	StepSwapped    Step = "swapped"     // the new directory is in place
)

// Steps lists every step, in order.
var Steps = []Step{StepRecovered, StepManifest, StepFile, StepWritten, StepMovedAside, StepSwapped}

// Writer writes output directories. Its zero value is ready to use.
type Writer struct {
	// Follow writes into the target of a symbolic link instead of refusing it.
	Follow bool
	// Protect names files that must not be inside the directory written,
	// such as the config it was compiled from.
	Protect []string
	// Hook, when set, is called after each step; tests use it to stop a
	// run there (by killing the process).
	Hook func(Step)
	// Warn receives notes about leftovers that could not be removed after
	// the new output was in place.
	Warn func(string)
}

func (w *Writer) hook(s Step) {
	if w.Hook != nil {
		w.Hook(s)
	}
}

// Write replaces dir with exactly files (slash-separated paths relative to
// dir) plus the manifest. It returns a *RefusedError, and changes nothing,
// when dir is not a directory it may replace. It returns the directory
// actually written (the target of a followed link).
func (w *Writer) Write(dir string, files map[string][]byte) (string, error) {
	dir = filepath.Clean(dir)
	real, err := w.resolve(dir)
	if err != nil {
		return "", err
	}
	if real, err = filepath.Abs(real); err != nil {
		return "", err
	}
	// Another compile into the same parent waits: its side directories
	// would look like leftovers of a killed run to this one.
	unlock, err := lockParent(real)
	if err != nil {
		return "", err
	}
	defer unlock()
	newDir, oldDir := sideNames(real)
	if err := recoverLeftovers(real, newDir, oldDir); err != nil {
		return "", err
	}
	w.hook(StepRecovered)
	if err := w.check(dir, real); err != nil {
		return "", err
	}
	for name := range files {
		if !fs.ValidPath(name) || name == Manifest {
			return "", fmt.Errorf("internal error: generated file name %q", name)
		}
	}
	if err := w.writeNew(newDir, files); err != nil {
		_ = removeOwned(newDir)
		return "", err
	}
	w.hook(StepWritten)
	moved := false
	if _, err := os.Lstat(real); err == nil {
		if err := os.Rename(real, oldDir); err != nil {
			_ = removeOwned(newDir)
			return "", err
		}
		moved = true
	}
	w.hook(StepMovedAside)
	if err := os.Rename(newDir, real); err != nil {
		if moved {
			_ = os.Rename(oldDir, real)
		}
		_ = removeOwned(newDir)
		return "", err
	}
	syncDir(filepath.Dir(real))
	w.hook(StepSwapped)
	if moved {
		if err := removeOwned(oldDir); err != nil && w.Warn != nil {
			w.Warn(fmt.Sprintf("the new output is in %s, but the previous one could not be removed from %s: %v (the next compile removes it)", real, oldDir, err))
		}
	}
	return real, nil
}

// sideNames are the fixed names of the new and the old directory beside
// dir during a swap; being fixed, the next run finds them.
func sideNames(dir string) (newDir, oldDir string) {
	parent, base := filepath.Split(dir)
	return filepath.Join(parent, "."+base+".migrate-new"), filepath.Join(parent, "."+base+".migrate-old")
}

// resolve returns the directory to write: dir itself, or the target of the
// link dir with Follow.
func (w *Writer) resolve(dir string) (string, error) {
	fi, err := os.Lstat(dir)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return dir, nil
	}
	target, err := filepath.EvalSymlinks(dir)
	if !w.Follow {
		dest, _ := os.Readlink(dir)
		return "", &RefusedError{Dir: dir, Msg: "is a symbolic link to " + dest,
			Hint: "give --follow to write into the directory it points to, or choose another -o"}
	}
	if err != nil {
		return "", &RefusedError{Dir: dir, Msg: "is a symbolic link whose target does not exist",
			Hint: "create the target directory or choose another -o"}
	}
	return target, nil
}

// check refuses a directory that holds anything migrate did not write.
func (w *Writer) check(dir, real string) error {
	fi, err := os.Lstat(real)
	if errors.Is(err, fs.ErrNotExist) {
		return w.checkProtect(dir, real)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &RefusedError{Dir: dir, Msg: "is a file, not a directory",
			Hint: "-o names the directory to write the YAML to; choose a new or empty directory"}
	}
	if err := w.checkProtect(dir, real); err != nil {
		return err
	}
	foreign, err := foreignFiles(real)
	if err != nil {
		return err
	}
	if len(foreign) > 0 {
		shown := foreign
		if len(shown) > 3 {
			shown = shown[:3]
		}
		more := ""
		if len(foreign) > 3 {
			more = fmt.Sprintf(" and %d more", len(foreign)-3)
		}
		return &RefusedError{Dir: dir, Msg: fmt.Sprintf("holds files migrate did not write: %s%s", strings.Join(shown, ", "), more),
			Hint: "compile replaces its output directory whole; choose a new or empty directory, or move those files out"}
	}
	if err := writable(real); err != nil {
		return &RefusedError{Dir: dir, Msg: "cannot be replaced: " + err.Error(),
			Hint: "make it and its subdirectories writable (chmod -R u+w), or choose another -o"}
	}
	return nil
}

// checkProtect refuses a directory that is, or holds, a protected file.
func (w *Writer) checkProtect(dir, real string) error {
	abs, err := filepath.Abs(real)
	if err != nil {
		return err
	}
	for _, p := range w.Protect {
		pa, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if rp, err := filepath.EvalSymlinks(pa); err == nil {
			pa = rp
		}
		if pa == abs || strings.HasPrefix(pa, abs+string(filepath.Separator)) {
			return &RefusedError{Dir: dir, Msg: "holds " + p + ", which compile reads",
				Hint: "write the output to a directory of its own, e.g. -o out"}
		}
	}
	return nil
}

// foreignFiles lists what dir holds beyond its manifest and the
// directories that lead to the files it names.
func foreignFiles(dir string) ([]string, error) {
	listed, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	var foreign []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && listed.hasDir(rel):
			return nil
		case !d.IsDir() && d.Type().IsRegular() && (rel == Manifest && listed != nil || listed[rel]):
			return nil
		}
		foreign = append(foreign, rel)
		if d.IsDir() {
			return fs.SkipDir
		}
		return nil
	})
	sort.Strings(foreign)
	return foreign, err
}

// manifest is the set of files a manifest lists; nil when there is none.
type manifest map[string]bool

func (m manifest) hasDir(rel string) bool {
	for f := range m {
		if strings.HasPrefix(f, rel+"/") {
			return true
		}
	}
	return false
}

func readManifest(dir string) (manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, Manifest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if fs.ValidPath(line) && line != "." {
			m[line] = true
		}
	}
	return m, nil
}

// writable reports the first directory under dir the swap could not empty.
func writable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && !canWrite(p) {
			return fmt.Errorf("%s is read-only", p)
		}
		return nil
	})
}

// writeNew writes the manifest first, then every file, into a new
// directory; a directory that stops half way holds only files its
// manifest names, so recovery can tell it is migrate's.
func (w *Writer) writeNew(newDir string, files map[string][]byte) error {
	if err := os.MkdirAll(filepath.Dir(newDir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(newDir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var m strings.Builder
	m.WriteString(manifestHeader)
	for _, n := range names {
		m.WriteString(n + "\n")
	}
	if err := writeFile(filepath.Join(newDir, Manifest), []byte(m.String())); err != nil {
		return err
	}
	w.hook(StepManifest)
	for _, n := range names {
		p := filepath.Join(newDir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeFile(p, files[n]); err != nil {
			return err
		}
		w.hook(StepFile)
	}
	syncDir(newDir)
	return nil
}

func writeFile(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// recoverLeftovers finishes or undoes a swap that a killed run left: an
// old directory with no dir means the kill came between the two renames,
// so the old output goes back; otherwise the old one is removed. A new
// directory is always incomplete or unused, and removed. Nothing is
// removed that its manifest does not name.
func recoverLeftovers(dir, newDir, oldDir string) error {
	if _, err := os.Lstat(oldDir); err == nil {
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(oldDir, dir); err != nil {
				return fmt.Errorf("restore the output of an interrupted compile: %w", err)
			}
		} else if err := removeOwned(oldDir); err != nil {
			return fmt.Errorf("remove the previous output left by an interrupted compile: %w", err)
		}
	}
	if _, err := os.Lstat(newDir); err == nil {
		if err := removeOwned(newDir); err != nil {
			return fmt.Errorf("remove the partial output of an interrupted compile: %w", err)
		}
	}
	return nil
}

// removeOwned removes dir if it holds nothing but what its manifest names;
// otherwise it leaves dir as it is and says what is foreign.
func removeOwned(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &RefusedError{Dir: dir, Msg: "is not a directory migrate wrote", Hint: "remove or rename it"}
	}
	foreign, err := foreignFiles(dir)
	if err != nil {
		return err
	}
	if len(foreign) > 0 {
		return &RefusedError{Dir: dir, Msg: "holds files migrate did not write: " + strings.Join(foreign, ", "), Hint: "move them out, then compile again"}
	}
	return os.RemoveAll(dir)
}

// lockParent takes an exclusive lock on dir's parent directory (creating
// it if needed) and returns its release. The lock is the kernel's (flock):
// a killed process holds it no longer, and no lock file is left behind.
func lockParent(dir string) (func(), error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Open(parent)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", parent, err)
	}
	return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
}

// canWrite reports whether the files of dir can be removed by this process.
func canWrite(dir string) bool {
	return unix.Access(dir, unix.W_OK|unix.X_OK) == nil
}
