package migration

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"
)

// UnitSchemaURL is the $id of the JSON Schema of a work unit: what a step
// of the library finds in MIGRATE_UNIT (migrate schema --unit prints it).
const UnitSchemaURL = "https://raw.githubusercontent.com/migratekit/migrate/main/templates/migration/unit.schema.json"

//go:embed unit.schema.json
var unitSchemaJSON []byte

// UnitJSONSchema returns the JSON Schema (draft 2020-12) of a work unit of
// version UnitVersion: one of the kinds, told apart by "kind".
func UnitJSONSchema() []byte { return bytes.Clone(unitSchemaJSON) }

// unitKinds lists the kinds of unit for reflection.
type unitKinds struct {
	Capture   CaptureUnit
	Snapshot  SnapshotUnit
	Migration MigrationUnit
	Replay    ReplayUnit
	Teardown  TeardownUnit
}

// generateUnitSchema reflects the unit types into a JSON Schema; comments
// are the Go doc comments of this package and of package schema, as
// jsonschema.Reflector.CommentMap holds them.
func generateUnitSchema(comments map[string]string) ([]byte, error) {
	unwrapped := make(map[string]string, len(comments))
	for k, c := range comments {
		unwrapped[k] = strings.Join(strings.Fields(c), " ")
	}
	r := &jsonschema.Reflector{CommentMap: unwrapped}
	s := r.Reflect(&unitKinds{})
	delete(s.Definitions, "unitKinds")
	s.Ref = ""
	s.ID = UnitSchemaURL
	s.Title = "migrate work unit (" + UnitVersion + ")"
	s.Description = "The JSON a step of the migration library finds in MIGRATE_UNIT: one work unit of a run, with every decision about it taken (which steps run, each gate's approval, which undo applies)."
	for _, name := range []string{"CaptureUnit", "SnapshotUnit", "MigrationUnit", "ReplayUnit", "TeardownUnit"} {
		if s.Definitions[name] == nil {
			return nil, fmt.Errorf("unit schema: no definition of %s", name)
		}
		s.OneOf = append(s.OneOf, &jsonschema.Schema{Ref: "#/$defs/" + name})
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal unit JSON Schema: %w", err)
	}
	return append(b, '\n'), nil
}

// kindSchema pins a unit type's kind and version in its schema.
func kindSchema(s *jsonschema.Schema, kind string) {
	if p, ok := s.Properties.Get("kind"); ok {
		p.Const = kind
	}
	if p, ok := s.Properties.Get("version"); ok {
		p.Const = UnitVersion
	}
}

// JSONSchemaExtend pins the kind of a capture unit in the unit schema.
func (CaptureUnit) JSONSchemaExtend(s *jsonschema.Schema) { kindSchema(s, KindCapture) }

// JSONSchemaExtend pins the kind of a snapshot unit in the unit schema.
func (SnapshotUnit) JSONSchemaExtend(s *jsonschema.Schema) { kindSchema(s, KindSnapshot) }

// JSONSchemaExtend pins the kind of a migration unit in the unit schema.
func (MigrationUnit) JSONSchemaExtend(s *jsonschema.Schema) { kindSchema(s, KindMigration) }

// JSONSchemaExtend pins the kind of a replay unit in the unit schema.
func (ReplayUnit) JSONSchemaExtend(s *jsonschema.Schema) { kindSchema(s, KindReplay) }

// JSONSchemaExtend pins the kind of a teardown unit in the unit schema.
func (TeardownUnit) JSONSchemaExtend(s *jsonschema.Schema) { kindSchema(s, KindTeardown) }
