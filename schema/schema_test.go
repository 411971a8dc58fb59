package schema

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/invopop/jsonschema"
)

var update = flag.Bool("update", false, "rewrite golden files: the JSON Schema, the sample copy and the expected errors of invalid fixtures")

// TestJSONSchemaUpToDate regenerates the JSON Schema from the Go types and
// their comments and compares it with the committed (embedded) one.
func TestJSONSchemaUpToDate(t *testing.T) {
	r := &jsonschema.Reflector{}
	if err := r.AddGoComments("github.com/migratekit/migrate/schema", ".", jsonschema.WithFullComment()); err != nil {
		t.Fatal(err)
	}
	got, err := generateJSONSchema(r.CommentMap)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("migration.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, schemaJSON) {
		t.Fatal("migration.schema.json is out of date: run go test ./schema -update")
	}
}

// TestEveryFieldIsDescribed walks the JSON Schema: every type and every
// property has a description, for editors and for hints.
func TestEveryFieldIsDescribed(t *testing.T) {
	doc := compileOnce().doc
	check := func(where string, sch map[string]any) {
		if d, _ := sch["description"].(string); d == "" {
			t.Errorf("%s has no description", where)
		}
		props, _ := sch["properties"].(map[string]any)
		for name, p := range props {
			if d, _ := p.(map[string]any)["description"].(string); d == "" {
				t.Errorf("%s.%s has no description", where, name)
			}
		}
	}
	check("Config", doc)
	defs, _ := doc["$defs"].(map[string]any)
	if len(defs) < 20 {
		t.Fatalf("%d types in $defs", len(defs))
	}
	for name, d := range defs {
		check(name, d.(map[string]any))
	}
}

// TestRulesAreInTheSchema checks that the rules declared next to the types
// are emitted under x-migrate-validations and all compile.
func TestRulesAreInTheSchema(t *testing.T) {
	c := compileOnce()
	if c.err != nil {
		t.Fatal(c.err)
	}
	declared := map[string][]rule{
		"Auth": authRules, "Target": targetRules, "Source": sourceRules, "Snapshot": snapshotRules,
		"Selector": selectorRules, "Migration": migrationRules, "Replayer": replayerRules,
		"MigrationRef": migrationRefRules, "TrafficSwitch": trafficSwitchRules,
	}
	defs := c.doc["$defs"].(map[string]any)
	count := func(sch any) int {
		rs, _ := sch.(map[string]any)[rulesKeyword].([]any)
		return len(rs)
	}
	total := count(c.doc)
	if total != len(configRules) {
		t.Errorf("Config: %d rules in the schema, %d declared", total, len(configRules))
	}
	for name, rules := range declared {
		if got := count(defs[name]); got != len(rules) {
			t.Errorf("%s: %d rules in the schema, %d declared", name, got, len(rules))
		}
		total += len(rules)
	}
	compiled := 0
	var walk func(s *shape, seen map[*shape]bool)
	walk = func(s *shape, seen map[*shape]bool) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		compiled += len(s.rules)
		for _, p := range s.props {
			walk(p, seen)
		}
		walk(s.values, seen)
		walk(s.items, seen)
	}
	walk(c.shape, map[*shape]bool{})
	// basicOverHTTPRule is declared for both targets and sources.
	if compiled != total {
		t.Errorf("%d rules compiled, %d declared", compiled, total)
	}
}

// TestPatternsAreExplained requires every pattern in the JSON Schema to have
// words in patternHelp, so that no message shows a bare regular expression.
func TestPatternsAreExplained(t *testing.T) {
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["pattern"].(string); ok {
				n++
				if _, ok := patternHelp[p]; !ok {
					t.Errorf("pattern %s has no entry in patternHelp", p)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(compileOnce().doc)
	if n < 20 {
		t.Errorf("only %d patterns found", n)
	}
}
