package schema_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/migratekit/migrate/schema"
)

func ExampleLoad() {
	config := []byte(`targets:
  new:
    endpoint: https://new.example.com
sources:
  old:
    endpiont: https://old.example.com
    version: ES 7.10
replayers:
  nwe: {}
`)
	_, errs := schema.Load("migration.yaml", config)
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// migration.yaml:6:5: sources.old.endpiont: unknown key "endpiont" (did you mean "endpoint"?)
	// migration.yaml:9:3: replayers.nwe: replayer "nwe" is not named after a target (did you mean "new"?)
	// migration.yaml:9:3: replayers.nwe: target "nwe" receives replayed traffic, but no source has a capture proxy (add capture: {} to the source whose traffic should be replayed, or remove this replayer)
}

func ExampleValidate() {
	cfg := &schema.Config{
		Targets: map[string]schema.Target{"new": {Endpoint: "http://new.example.com",
			Auth: &schema.Auth{Basic: &schema.BasicAuth{SecretName: "creds"}}}},
		Sources: map[string]schema.Source{"old": {Endpoint: "https://old.example.com", Version: "ES 7"}},
	}
	for _, e := range schema.Validate(cfg) {
		fmt.Println(e)
	}
	// Output:
	// targets.new.endpoint: basic auth over http:// sends the password in clear text (use an https:// endpoint, or set allowInsecure: true for a test cluster)
}

func ExampleNormalize() {
	cfg, errs := schema.Load("migration.yaml", []byte(`targets:
  a: {endpoint: "https://a.example.com"}
  b: {endpoint: "https://b.example.com"}
sources:
  old:
    endpoint: https://old.example.com
    version: OS 2.x
    snapshots:
      nightly:
        migrations:
          - {name: logs, backfill: {workers: 4}}
`))
	if errs != nil {
		fmt.Println(errs)
		return
	}
	plan, err := schema.Normalize(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range plan.Migrations {
		fmt.Println(m.ID, m.DependsOn, m.Backfill.Workers, m.Backfill.BatchSize)
	}
	// Output:
	// migration-old-nightly-logs-a [snapshot-old-nightly target-a] 4 1000
	// migration-old-nightly-logs-b [snapshot-old-nightly target-b] 4 1000
}

func ExampleJSONSchema() {
	var s struct {
		Schema string `json:"$schema"`
		ID     string `json:"$id"`
	}
	if err := json.Unmarshal(schema.JSONSchema(), &s); err != nil {
		fmt.Println(err)
	}
	fmt.Println(s.Schema)
	fmt.Println(s.ID == schema.SchemaURL)
	// Output:
	// https://json-schema.org/draft/2020-12/schema
	// true
}

func ExampleSample() {
	sample := schema.Sample()
	fmt.Println(string(bytes.SplitN(sample, []byte("\n"), 2)[0]))
	_, errs := schema.Load("migration.yaml", sample)
	fmt.Println(len(errs), "problems")
	// Output:
	// # yaml-language-server: $schema=https://raw.githubusercontent.com/migratekit/migrate/main/schema/migration.schema.json
	// 0 problems
}
