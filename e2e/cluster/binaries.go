package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Binaries are the programs a cluster runs, built from the Go module proxy.
type Binaries struct {
	Argo       string // the Argo version, "v3" or "v4"
	APIServer  string // kube-apiserver
	Controller string // Argo's workflow-controller
	Argoexec   string // Argo's executor: the agent of HTTP templates, and resource templates
	ArgoDir    string // the Argo module's source, for its CRDs and RBAC manifests
}

// Versions are the Argo versions the scenarios run on.
var Versions = []string{"v3", "v4"}

// argoSets says where each Argo version's binaries come from: v3.7.18 from
// the module tools/argo3 (the version whose Go types the main and e2e
// modules use), v4.0.5 from tools/argo4. Each is a module of its own, so
// the e2e module's dependencies can change without a rebuild.
var argoSets = map[string]struct{ module, dir string }{
	"v3": {"github.com/argoproj/argo-workflows/v3", filepath.Join("tools", "argo3")},
	"v4": {"github.com/argoproj/argo-workflows/v4", filepath.Join("tools", "argo4")},
}

// binarySet is one `go build` of some commands from one module.
type binarySet struct {
	name     string   // cache entry prefix
	dir      string   // module directory the build runs in
	packages []string // the commands, one binary each
	// symlinks restores files a dependency's module zip lost because they
	// are symbolic links upstream (zips cannot hold links): module path ->
	// file -> the file it links to, both relative to the module's root.
	symlinks map[string]map[string]string
}

// EnsureBinaries returns the binaries of one Argo version (see Versions),
// building those missing from the cache directory (MIGRATE_E2E_CACHE, or
// $HOME/.cache/migrate-e2e). A cache entry is keyed by the Go version and
// the building module's go.mod and go.sum, so a version bump rebuilds and
// nothing else does. e2eDir is the e2e module's directory; progress goes to
// log.
func EnsureBinaries(ctx context.Context, e2eDir, version string, log io.Writer) (*Binaries, error) {
	src, ok := argoSets[version]
	if !ok {
		return nil, fmt.Errorf("no Argo version %q: want one of %s", version, strings.Join(Versions, ", "))
	}
	cache, err := cacheDir()
	if err != nil {
		return nil, err
	}
	goVersion, err := goOutput(ctx, e2eDir, "env", "GOVERSION")
	if err != nil {
		return nil, err
	}
	argoModuleDir := filepath.Join(e2eDir, src.dir)
	sets := []binarySet{
		{name: "argo" + strings.TrimPrefix(version, "v"), dir: argoModuleDir, packages: []string{
			src.module + "/cmd/workflow-controller",
			src.module + "/cmd/argoexec",
		}, symlinks: map[string]map[string]string{
			// Without it argoexec does not build for Linux from the proxy:
			// "undefined: Setpgid".
			src.module: {
				"workflow/executor/osspecific/signal_linux.go": "workflow/executor/osspecific/signal_darwin.go",
			},
		}},
		{name: "kube-apiserver", dir: filepath.Join(e2eDir, "tools", "apiserver"), packages: []string{
			"k8s.io/kubernetes/cmd/kube-apiserver",
		}},
	}
	dirs := map[string]string{}
	for _, s := range sets {
		dir, err := s.ensure(ctx, cache, goVersion, log)
		if err != nil {
			return nil, err
		}
		dirs[s.name] = dir
	}
	argoDir, err := goOutput(ctx, argoModuleDir, "list", "-m", "-f", "{{.Dir}}", src.module)
	if err != nil {
		return nil, err
	}
	argo := dirs[sets[0].name]
	return &Binaries{
		Argo:       version,
		APIServer:  filepath.Join(dirs["kube-apiserver"], "kube-apiserver"),
		Controller: filepath.Join(argo, "workflow-controller"),
		Argoexec:   filepath.Join(argo, "argoexec"),
		ArgoDir:    argoDir,
	}, nil
}

func cacheDir() (string, error) {
	if d := os.Getenv("MIGRATE_E2E_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the e2e binaries (set MIGRATE_E2E_CACHE): %w", err)
	}
	return filepath.Join(d, "migrate-e2e"), nil
}

// ensure builds the set into cache/bin/<name>-<key> unless it is there. A
// lock file keeps two concurrent runs from building the same set twice; the
// build goes to a temporary directory renamed into place when complete.
func (s binarySet) ensure(ctx context.Context, cache, goVersion string, log io.Writer) (string, error) {
	key, err := s.key(goVersion)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "bin")
	dir := filepath.Join(bin, s.name+"-"+key)
	if s.complete(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(bin, s.name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the file unlocks too
	if s.complete(dir) {                                 // built by another run while we waited
		return dir, nil
	}
	tmp, err := os.MkdirTemp(bin, s.name+"-building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "e2e: building %s (%s) into %s; a cold build takes minutes, later runs reuse it\n", s.name, strings.Join(s.packages, " "), dir)
	start := time.Now()
	args := []string{"build", "-o", tmp + string(filepath.Separator)}
	if len(s.symlinks) > 0 {
		modfile, err := s.patchedModfile(ctx, cache, tmp)
		if err != nil {
			return "", err
		}
		args = append(args, "-modfile="+modfile)
	}
	args = append(args, s.packages...)
	cmd := exec.CommandContext(ctx, goCmd(), args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	// Builds share the machine: run them at low priority.
	_ = syscall.Setpriority(syscall.PRIO_PGRP, cmd.Process.Pid, 10)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("building %s in %s: %w", s.name, s.dir, err)
	}
	fmt.Fprintf(log, "e2e: built %s in %s\n", s.name, time.Since(start).Round(time.Second))
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	// Entries of other keys are builds from older go.mod files.
	old, _ := filepath.Glob(filepath.Join(bin, s.name+"-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"))
	for _, o := range old {
		if o != dir {
			os.RemoveAll(o)
		}
	}
	return dir, nil
}

// patchedModfile restores the lost symlinks in writable copies of their
// modules (made once, under cache/src) and returns a go.mod for
// `go build -modfile` that replaces each module with its copy.
func (s binarySet) patchedModfile(ctx context.Context, cache, tmp string) (string, error) {
	gomod, err := os.ReadFile(filepath.Join(s.dir, "go.mod"))
	if err != nil {
		return "", err
	}
	gosum, err := os.ReadFile(filepath.Join(s.dir, "go.sum"))
	if err != nil {
		return "", err
	}
	var replaces strings.Builder
	for _, mod := range sortedKeys(s.symlinks) {
		// go list reports no directory for a module not yet in the module
		// cache (a cold machine): download it first.
		if _, err := goOutput(ctx, s.dir, "mod", "download", mod); err != nil {
			return "", err
		}
		root, err := goOutput(ctx, s.dir, "list", "-m", "-f", "{{.Dir}}", mod)
		if err != nil {
			return "", err
		}
		if root == "" {
			return "", fmt.Errorf("go list -m does not know where module %s is, even after go mod download", mod)
		}
		copyDir := filepath.Join(cache, "src", filepath.Base(filepath.Dir(root))+"-"+filepath.Base(root)+"-links")
		if _, err := os.Stat(copyDir); err != nil {
			if err := copyModule(root, copyDir, s.symlinks[mod]); err != nil {
				return "", fmt.Errorf("copying %s: %w", mod, err)
			}
		}
		fmt.Fprintf(&replaces, "\nreplace %s => %s\n", mod, copyDir)
	}
	path := filepath.Join(tmp, "build.mod")
	if err := os.WriteFile(path, append(gomod, replaces.String()...), 0o644); err != nil {
		return "", err
	}
	return path, os.WriteFile(filepath.Join(tmp, "build.sum"), gosum, 0o644)
}

// copyModule copies a module's tree to dst (via a temporary directory
// renamed into place), adding each link as a copy of its target.
func copyModule(src, dst string, links map[string]string) error {
	tmp := dst + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(tmp, rel), 0o755)
		}
		return copyFile(p, filepath.Join(tmp, rel))
	})
	if err != nil {
		return err
	}
	for link, target := range links {
		if err := copyFile(filepath.Join(src, target), filepath.Join(tmp, link)); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dst)
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s binarySet) complete(dir string) bool {
	for _, p := range s.packages {
		if _, err := os.Stat(filepath.Join(dir, filepath.Base(p))); err != nil {
			return false
		}
	}
	return true
}

// key hashes what decides the binaries' content: the Go version, the
// packages, and the module's requirements.
func (s binarySet) key(goVersion string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, goVersion, strings.Join(s.packages, " "), s.symlinks)
	for _, f := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(s.dir, f))
		if err != nil {
			return "", err
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func goCmd() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func goOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd(), args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}
