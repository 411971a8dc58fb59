package schema

import (
	sum "github.com/migratekit/migrate/checksum"

	"encoding/json"
	"regexp"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzLoad feeds Load arbitrary bytes. Its seed corpus is every fixture, so
// plain `go test` runs them all through the same checks; `go test -fuzz
// FuzzLoad ./schema` explores further. Whatever the input, Load must not
// panic, must report each problem with a position and a message, sorted,
// and must return a config only when there is no problem; such a config
// must normalise into a plan of valid, unique ids.
func FuzzLoad(f *testing.F) {
	for _, file := range fixtureFiles(f, "valid", "*.yaml", "*.json") {
		f.Add(readFile(f, file))
	}
	for _, file := range fixtureFiles(f, "invalid", "*.txtar") {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, sec := range ar.Files {
			if sec.Name != "want" {
				f.Add(sec.Data)
			}
		}
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("{\"targets\": {\"t\": {\"endpoint\": \"https://t\"}}, \"sources\": {\"s\": {\"endpoint\": \"https://s\", \"version\": \"OS 2.x\"}}}"))

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, errs := Load("fuzz.yaml", data)
		if (cfg == nil) == (len(errs) == 0) {
			t.Fatalf("config %v with %d problems", cfg != nil, len(errs))
		}
		for i, e := range errs {
			if e.Pos.File != "fuzz.yaml" || !e.Pos.IsValid() || e.Msg == "" {
				t.Errorf("problem without a position or message: %#v", e)
			}
			if i > 0 && errs[i-1].Pos.Line > e.Pos.Line {
				t.Errorf("problems not sorted: %v before %v", errs[i-1], e)
			}
		}
		if cfg == nil {
			return
		}
		plan, err := Normalize(cfg)
		if err != nil {
			t.Fatalf("Load accepted a config that Normalize refuses: %v", err)
		}
		checkPlanIDs(t, plan)
	})
}

var label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkPlanIDs requires every id to be a unique RFC 1123 label, and every
// dependency to be an earlier item.
func checkPlanIDs(t *testing.T, p *Plan) {
	t.Helper()
	var items []Item
	for _, x := range p.Targets {
		items = append(items, x.Item)
	}
	for _, x := range p.Sources {
		items = append(items, x.Item)
	}
	for _, x := range p.Captures {
		items = append(items, x.Item)
	}
	for _, x := range p.Snapshots {
		items = append(items, x.Item)
	}
	for _, x := range p.Migrations {
		items = append(items, x.Item)
	}
	for _, x := range p.Replays {
		items = append(items, x.Item)
	}
	seen := map[string]bool{}
	for _, it := range items {
		if len(it.ID) > maxIDLen || !label.MatchString(it.ID) {
			t.Errorf("id %q is not a Kubernetes label", it.ID)
		}
		if seen[it.ID] {
			t.Errorf("id %q is used twice", it.ID)
		}
		for _, d := range it.DependsOn {
			if !seen[d] {
				t.Errorf("%s depends on %s, which is not an earlier item", it.ID, d)
			}
		}
		seen[it.ID] = true
		if !sum.Valid(it.Checksum) {
			t.Errorf("%s: checksum %q", it.ID, it.Checksum)
		}
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("plan does not marshal: %v", err)
	}
}
