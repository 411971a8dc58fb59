package lint

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite testdata/lint/lint.golden from the current output")

const corpusDir = "../testdata/lint"

// want is one expected problem, declared in a corpus file's header as
// `# want: LINE: SUBSTRING` (an error) or `# want-warning: LINE: SUBSTRING`.
type want struct {
	line    int
	substr  string
	warning bool
	matched bool
}

var wantLine = regexp.MustCompile(`^#\s*want(-warning)?:\s*(\d+):\s*(.+?)\s*$`)

func parseWants(t *testing.T, data []byte) []*want {
	t.Helper()
	var wants []*want
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		text := sc.Text()
		if !strings.HasPrefix(text, "#") {
			break // wants live in the header comment
		}
		if !strings.Contains(text, "want") {
			continue
		}
		m := wantLine.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("malformed want line %q", text)
		}
		n, _ := strconv.Atoi(m[2])
		wants = append(wants, &want{line: n, substr: m[3], warning: m[1] != ""})
	}
	return wants
}

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return names
}

// TestCorpus lints each broken file on its own and requires exactly the
// problems its header declares: each problem matches one want (same line,
// same severity, message contains the substring) and each want is matched.
// The full output of all files is also compared with lint.golden.
func TestCorpus(t *testing.T) {
	names := corpusFiles(t)
	if len(names) < 25 {
		t.Fatalf("corpus has %d broken files, want at least 25", len(names))
	}
	fsys := os.DirFS(corpusDir)
	var golden bytes.Buffer
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		ps := Files(fsys, []string{name})
		for _, p := range ps {
			golden.WriteString(p.String() + "\n")
		}
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			wants := parseWants(t, data)
			if len(wants) == 0 {
				t.Fatal("no `# want:` lines in the header")
			}
			if ps.Err() == nil {
				t.Errorf("Files accepted a broken file; problems:\n%v", ps.Error())
			}
			for _, p := range ps {
				if p.File != name {
					t.Errorf("problem has File %q, want %q: %s", p.File, name, p)
				}
				if !matchWant(wants, p) {
					t.Errorf("unexpected problem: %s", p)
				}
			}
			for _, w := range wants {
				if !w.matched {
					kind := "want"
					if w.warning {
						kind = "want-warning"
					}
					t.Errorf("missing problem: %s: %d: %s", kind, w.line, w.substr)
				}
			}
		})
	}
	goldenPath := filepath.Join(corpusDir, "lint.golden")
	if *update {
		if err := os.WriteFile(goldenPath, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update)", err)
	}
	if !bytes.Equal(old, golden.Bytes()) {
		t.Errorf("output differs from %s (review, then run go test ./lint -update):\n%s", goldenPath, lineDiff(string(old), golden.String()))
	}
}

func matchWant(wants []*want, p Problem) bool {
	for _, w := range wants {
		if !w.matched && w.line == p.Line && w.warning == p.Warning && strings.Contains(p.Msg, w.substr) {
			w.matched = true
			return true
		}
	}
	return false
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		inA[l] = true
	}
	for _, l := range strings.Split(b, "\n") {
		inB[l] = true
	}
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if !inB[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !inA[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

// validFiles returns the files of testdata/lint/valid.
func validFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "valid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid files: %v", err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = path.Join("valid", filepath.Base(f))
	}
	return names
}

// TestValid lints the valid files together (they reference each other) and
// requires no problem at all, not even a warning.
func TestValid(t *testing.T) {
	ps := Files(os.DirFS(corpusDir), validFiles(t))
	for _, p := range ps {
		t.Errorf("unexpected problem: %s", p)
	}
}

// TestMutations breaks the valid files one edit at a time and requires the
// problem each edit causes, at the edited line: the valid files are only
// clean because every check passes on them, not because a check is off.
func TestMutations(t *testing.T) {
	tests := []struct {
		file, old, new, want string
	}{
		{"library.yaml", `maxAge: "24h"`, `maxAge: "1d"`, `memoize.maxAge "1d" is not a Go duration`},
		{"library.yaml", `duration: "30"`, `duration: "30 s"`, `suspend.duration "30 s" is not a duration`},
		{"library.yaml", `!= done"`, `!== done"`, "invalid when expression"},
		{"library.yaml", `sprig.trim(`, `sprig.trimm(`, "sprig.trimm, which Argo does not provide"},
		{"library.yaml", `retries < 3`, `retry < 3`, "unknown name retry; did you mean retries?"},
		{"library.yaml", `fan-out.AnySucceeded || check.Failed`, `fan-out.AnySucceeded || || check.Failed`, "invalid depends"},
		{"library.yaml", `response.statusCode == 200`, `response.statusCode === 200`, "invalid successCondition"},
		{"library.yaml", `"{{inputs.parameters.target}}"`, `"{{inputs.parameters.targte}}"`, "failed to resolve {{inputs.parameters.targte}}"},
		{"library.yaml", `in ('heads', 'tails')"`, `in ('heads', 'tails'"`, "Unbalanced parenthesis"},
		{"library.yaml", `key: "snapshot-{{inputs.parameters.source}}"`, `key: "snapshot_{{inputs.parameters.source}}"`, "memoize.key"},
		{"library.yaml", `- name: backfill`, `- name: Backfill`, `template name "Backfill" is not a lowercase RFC 1123 label`},
		{"library.yaml", `expression: tasks["fan-out"].status == "Running"`, `expression: tasks["fan-out"].status = "Running"`, "invalid hook expression"},
		{"rolling-update.yaml", `template: approve`, `template: aprove`, "template reference migration-library.aprove not found"},
		{"rolling-update.yaml", `"{{workflow.parameters.dry-run}} == false"`, `"{{workflow.parameters.dryrun}} == false"`, "failed to resolve {{workflow.parameters.dryrun}}"},
		{"rolling-update.yaml", `cronworkflow.failed >= 3`, `cronworkflow.failed >=`, "invalid stopStrategy expression"},
		{"rolling-update.yaml", `"0 3 * * *"`, `"0 3 * * * *"`, "cron schedule"},
		{"rolling-update.yaml", "  workflowTemplateRef:\n    name: rolling-update\n  arguments:", "  workflowTemplateRef:\n    name: rolling-updat\n  arguments:", `workflowtemplates.argoproj.io "rolling-updat" not found`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			mfs := fstest.MapFS{}
			line := 0
			for _, name := range validFiles(t) {
				data, err := os.ReadFile(filepath.Join(corpusDir, name))
				if err != nil {
					t.Fatal(err)
				}
				if path.Base(name) == tc.file {
					if strings.Count(string(data), tc.old) != 1 {
						t.Fatalf("%q must occur once in %s", tc.old, tc.file)
					}
					line = editLine(string(data), tc.old, tc.new)
					data = []byte(strings.Replace(string(data), tc.old, tc.new, 1))
				}
				mfs[name] = &fstest.MapFile{Data: data}
			}
			ps := Files(mfs, validFiles(t))
			found := false
			for _, p := range ps {
				if strings.Contains(p.Msg, tc.want) && path.Base(p.File) == tc.file {
					found = true
					// The problem is on the edited line, or on the key
					// just above it that holds the edited value.
					if p.Line != line && p.Line != line-1 {
						t.Errorf("problem at line %d, edit at line %d: %s", p.Line, line, p)
					}
				}
			}
			if !found {
				t.Errorf("no problem containing %q; got:\n%v", tc.want, ps.Error())
			}
		})
	}
}

// editLine returns the line of data where replacing old by new changes the
// first character.
func editLine(data, old, new string) int {
	i := strings.Index(data, old)
	d := 0
	for d < len(old) && d < len(new) && old[d] == new[d] {
		d++
	}
	return 1 + strings.Count(data[:i+d], "\n")
}
