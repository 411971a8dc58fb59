package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// The fixtures are described in ../testdata/configs/README.md.
const configsDir = "../testdata/configs"

// TestValidConfigs loads every valid fixture, expects no problem, and
// compares the plan it expands to with its golden file.
func TestValidConfigs(t *testing.T) {
	files := fixtureFiles(t, "valid", "*.yaml", "*.json")
	if len(files) < 15 {
		t.Errorf("%d valid fixtures, want at least 15", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data := readFile(t, file)
			cfg, errs := Load(name, data)
			if len(errs) > 0 {
				t.Fatalf("valid config has problems:\n%v", errs)
			}
			plan, err := Normalize(cfg)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			got, err := json.MarshalIndent(plan, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(configsDir, "plans", strings.TrimSuffix(name, filepath.Ext(name))+".json"), append(got, '\n'))
		})
	}
}

var wantLine = regexp.MustCompile(`^config\.(yaml|json):\d+:\d+: `)

// TestInvalidConfigs loads every invalid fixture and compares the problems
// reported with the want section of its txtar file.
func TestInvalidConfigs(t *testing.T) {
	files := fixtureFiles(t, "invalid", "*.txtar")
	if len(files) < 50 {
		t.Errorf("%d invalid fixtures, want at least 50", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var config *txtar.File
			want := -1
			for i := range ar.Files {
				switch ar.Files[i].Name {
				case "want":
					want = i
				case "config.yaml", "config.json":
					config = &ar.Files[i]
				default:
					t.Fatalf("unexpected section %q: want config.yaml or config.json, and want", ar.Files[i].Name)
				}
			}
			if config == nil || (want < 0 && !*update) {
				t.Fatal("a fixture needs a config.yaml or config.json section and a want section")
			}
			_, errs := Load(config.Name, config.Data)
			if len(errs) == 0 {
				t.Fatal("invalid config loaded without problems")
			}
			var got bytes.Buffer
			for _, e := range errs {
				line := e.Error()
				if !wantLine.MatchString(line) {
					t.Errorf("problem without file:line:col: %s", line)
				}
				if e.Msg == "" || e.Hint == "" {
					t.Errorf("problem without a message or a hint: %s", line)
				}
				got.WriteString(line + "\n")
			}
			if *update {
				if want < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					want = len(ar.Files) - 1
				}
				ar.Files[want].Data = got.Bytes()
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if w := ar.Files[want].Data; !bytes.Equal(got.Bytes(), w) {
				t.Errorf("problems differ (go test ./schema -update rewrites want)\ngot:\n%s\nwant:\n%s", got.Bytes(), w)
			}
		})
	}
}

// TestSampleIsAFixture keeps the sample `migrate init` writes among the valid
// fixtures.
func TestSampleIsAFixture(t *testing.T) {
	golden(t, filepath.Join(configsDir, "valid", "sample.yaml"), Sample())
}

func fixtureFiles(t testing.TB, dir string, patterns ...string) []string {
	t.Helper()
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(configsDir, dir, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	return files
}

func readFile(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// golden compares got with a file, or writes it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readFile(t, file); !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./schema -update rewrites it)\ngot:\n%s", file, got)
	}
}
