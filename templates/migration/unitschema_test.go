package migration

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/migratekit/migrate/internal/golden"
)

// TestUnitSchemaUpToDate regenerates the unit's JSON Schema from the Go
// types and their comments and compares it with the committed one.
func TestUnitSchemaUpToDate(t *testing.T) {
	r := &jsonschema.Reflector{}
	for pkg, dir := range map[string]string{
		"github.com/migratekit/migrate/templates/migration": ".",
		"github.com/migratekit/migrate/schema":              "../../schema",
	} {
		if err := r.AddGoComments(pkg, dir, jsonschema.WithFullComment()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := generateUnitSchema(r.CommentMap)
	if err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		if err := os.WriteFile("unit.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, unitSchemaJSON) {
		t.Fatal("unit.schema.json is out of date: run go test ./templates/migration -update")
	}
}

// Every unit of every test config is valid by the published schema, and a
// unit of the wrong kind or version is not.
func TestUnitsMatchSchema(t *testing.T) {
	doc, err := validator.UnmarshalJSON(bytes.NewReader(unitSchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	if err := c.AddResource(UnitSchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(UnitSchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob("../../testdata/migration/configs/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test configs: %v", err)
	}
	checked := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, run, err := Compile(filepath.Base(p), data)
		if err != nil {
			t.Fatal(err)
		}
		ids, units, err := run.Units()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			v, err := validator.UnmarshalJSON(bytes.NewReader(units[id]))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s: unit %s: %v", p, id, err)
			}
			checked++
			bad := strings.Replace(string(units[id]), `"version":"`+UnitVersion+`"`, `"version":"migrate.migratekit.io/unit/v0"`, 1)
			v, _ = validator.UnmarshalJSON(strings.NewReader(bad))
			if sch.Validate(v) == nil {
				t.Errorf("%s: unit %s of another version is valid", p, id)
			}
		}
	}
	if checked < 10 {
		t.Errorf("%d units checked", checked)
	}
}
