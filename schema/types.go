package schema

import "github.com/invopop/jsonschema"

// The comments on the types and fields below become the descriptions in the
// JSON Schema (go test ./schema -update regenerates it), so they are written
// for the person editing a config. Each type's cross-field rules are declared
// right after it and land in the schema under x-migrate-validations.

// Config is a migration: the clusters data comes from, the clusters it goes
// to, and how each step of the move is done.
type Config struct {
	Schema        string              `json:"$schema,omitempty"`       // URL or path of this JSON Schema, for editors (JSON configs); ignored by migrate.
	Targets       map[string]Target   `json:"targets"`                 // Clusters to migrate to, by name. A name is lowercase letters, digits and '-'.
	Sources       map[string]Source   `json:"sources"`                 // Clusters to migrate from, by name. A name is lowercase letters, digits and '-'.
	Replayers     map[string]Replayer `json:"replayers,omitempty"`     // Traffic replay, by the name of the target that receives the replayed traffic (one replayer per target).
	Approvals     *Approvals          `json:"approvals,omitempty"`     // Where the workflow pauses until a stage is approved.
	TrafficSwitch *TrafficSwitch      `json:"trafficSwitch,omitempty"` // Moving client traffic from the sources to a target once the data is there.
	Teardown      *Teardown           `json:"teardown,omitempty"`      // What is removed once the migration is finished.
	Bookkeeping   *Bookkeeping        `json:"bookkeeping,omitempty"`   // The etcd that keeps a record of every finished step, so that a resubmitted migration adopts finished work instead of doing it again; omit it and every run does all the work.
}

var configRules = []rule{{
	Rule:      `!self.?teardown.?captureProxies.orValue(false) || self.?trafficSwitch.?enabled.orValue(false)`,
	Message:   "the capture proxies are torn down, but the traffic switch is not enabled: clients would still be talking to them",
	FieldPath: ".teardown.captureProxies",
	Hint:      "set trafficSwitch.enabled: true, or set teardown.captureProxies: false",
}, {
	Rule:      `!self.?trafficSwitch.?enabled.orValue(false) || has(self.trafficSwitch.target) || size(self.targets) == 1`,
	Message:   "the traffic switch does not say which target takes the traffic, and there is more than one target",
	FieldPath: ".trafficSwitch",
	Hint:      "set trafficSwitch.target to one of the targets",
}, {
	Rule:              `!self.?trafficSwitch.?target.hasValue() || self.trafficSwitch.target in self.targets`,
	MessageExpression: `'traffic switch target "' + self.trafficSwitch.target + '" is not a target'`,
	FieldPath:         ".trafficSwitch.target",
	HintExpression:    `suggest(self.trafficSwitch.target, self.targets)`,
}, {
	Rule:      `!self.?trafficSwitch.?enabled.orValue(false) || self.?approvals.?stages.?trafficSwitch.orValue(self.?approvals.?default.orValue('manual')) != 'skip'`,
	Message:   "the traffic switch moves production traffic, so its approval cannot be skipped",
	FieldPath: ".approvals",
	Hint:      "set approvals.stages.trafficSwitch to manual or auto",
}, {
	// The switch runs at the end of its target's replay: without a replayer
	// it would be skipped while the capture proxies may still be torn down.
	Rule: `!self.?trafficSwitch.?enabled.orValue(false) ||
		cel.bind(t, self.?trafficSwitch.?target.orValue(size(self.targets) == 1 ? self.targets.map(k, k)[0] : ''),
			t == '' || !(t in self.targets) || t in self.?replayers.orValue({}))`,
	MessageExpression: `'the traffic switch moves clients to "' + self.?trafficSwitch.?target.orValue(self.targets.map(k, k)[0]) + '", which has no replayer: the switch runs after its replay and would be skipped'`,
	FieldPath:         ".trafficSwitch",
	Hint:              "add a replayer for that target under replayers, or turn the traffic switch off",
}}

// JSONSchemaExtend adds the rules, defaults and formats of Config to the JSON
// Schema (see jsonschema.go).
func (Config) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, configRules, nil)
	names(s, "targets", "sources", "replayers")
	minProperties(s, 1, "targets", "sources")
}

// Target is a cluster that data is migrated to.
type Target struct {
	Endpoint      string `json:"endpoint"`                // URL of the cluster's REST API, e.g. https://search.example.com:9200.
	Auth          *Auth  `json:"auth,omitempty"`          // How to authenticate to the cluster; omit for no authentication.
	AllowInsecure bool   `json:"allowInsecure,omitempty"` // Accept a TLS certificate that cannot be verified (self-signed); for test clusters only.
}

var targetRules = []rule{basicOverHTTPRule, endpointCredentialsRule}

// JSONSchemaExtend adds the rules, defaults and formats of Target to the JSON
// Schema (see jsonschema.go).
func (Target) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, targetRules, nil)
	pattern(s, "endpoint", endpointPattern)
}

// basicOverHTTPRule applies to both targets and sources.
var basicOverHTTPRule = rule{
	Rule:      `!self.?auth.?basic.hasValue() || !self.endpoint.startsWith('http://') || self.?allowInsecure.orValue(false)`,
	Message:   "basic auth over http:// sends the password in clear text",
	FieldPath: ".endpoint",
	Hint:      "use an https:// endpoint, or set allowInsecure: true for a test cluster",
}

// endpointCredentialsRule applies to both targets and sources: workflow
// parameters carry the endpoint, and anyone who may read workflows reads
// them, so credentials belong in a Secret (auth), never in the URL.
var endpointCredentialsRule = rule{
	Rule:      `!self.endpoint.matches('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@') && !self.endpoint.lowerAscii().matches('[?&#;](api[-_]?key|apikey|access[-_]?key|access[-_]?token|auth|authorization|token|password|passwd|pwd|secret|client[-_]?secret|signature|sig|x-amz-signature|x-amz-credential|credentials?)=')`,
	Message:   "the endpoint carries credentials (user:password@ or a credential query parameter); the URL is written into workflow parameters, which anyone who can read workflows can read",
	FieldPath: ".endpoint",
	Hint:      "remove them from the URL and set auth instead: basic (user name and password from a Kubernetes Secret), sigv4 or mtls",
}

// Source is a cluster that data is migrated from.
type Source struct {
	Endpoint      string              `json:"endpoint"`                // URL of the cluster's REST API, e.g. https://legacy.example.com:9200.
	Version       string              `json:"version"`                 // Product and version of the cluster: "ES" (Elasticsearch) or "OS" (OpenSearch), then the version, e.g. "ES 7.10" or "OS 2.x".
	Auth          *Auth               `json:"auth,omitempty"`          // How to authenticate to the cluster; omit for no authentication.
	AllowInsecure bool                `json:"allowInsecure,omitempty"` // Accept a TLS certificate that cannot be verified (self-signed); for test clusters only.
	Capture       *Capture            `json:"capture,omitempty"`       // Put a capture proxy in front of the cluster to record live traffic for replay; omit for no capture.
	Snapshots     map[string]Snapshot `json:"snapshots,omitempty"`     // Snapshots of the cluster that data is migrated from, by name. A name is lowercase letters, digits and '-'.
}

var sourceRules = []rule{{
	Rule:              `!(name in root.?targets.orValue({}))`,
	MessageExpression: `'"' + name + '" is the name of a source and of a target'`,
	Hint:              "give the source and the target different names: names identify work items and references",
}, basicOverHTTPRule, endpointCredentialsRule}

// JSONSchemaExtend adds the rules, defaults and formats of Source to the JSON
// Schema (see jsonschema.go).
func (Source) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, sourceRules, nil)
	pattern(s, "endpoint", endpointPattern)
	pattern(s, "version", versionPattern)
	names(s, "snapshots")
}

// Auth says how to authenticate to a cluster: set exactly one of basic,
// sigv4 or mtls. Credentials are read from Kubernetes Secrets at run time and
// never written into the config or the workflow.
type Auth struct {
	Basic *BasicAuth `json:"basic,omitempty"` // HTTP basic authentication with a user name and password.
	SigV4 *SigV4Auth `json:"sigv4,omitempty"` // AWS Signature Version 4, for Amazon OpenSearch Service and Serverless.
	MTLS  *MTLSAuth  `json:"mtls,omitempty"`  // Mutual TLS with a client certificate.
}

var authRules = []rule{{
	Rule:    `[has(self.basic), has(self.sigv4), has(self.mtls)].filter(x, x).size() == 1`,
	Message: "auth must set exactly one of basic, sigv4 or mtls",
	Hint:    "keep the one the cluster uses and remove the others; omit auth for no authentication",
}}

// JSONSchemaExtend adds the rules, defaults and formats of Auth to the JSON
// Schema (see jsonschema.go).
func (Auth) JSONSchemaExtend(s *jsonschema.Schema) { extend(s, authRules, nil) }

// BasicAuth reads a user name and password from a Kubernetes Secret.
type BasicAuth struct {
	SecretName  string `json:"secretName"`            // Name of the Secret, in the namespace the workflow runs in.
	UsernameKey string `json:"usernameKey,omitempty"` // Key of the user name in the Secret.
	PasswordKey string `json:"passwordKey,omitempty"` // Key of the password in the Secret.
}

// JSONSchemaExtend adds the rules, defaults and formats of BasicAuth to the JSON
// Schema (see jsonschema.go).
func (BasicAuth) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"usernameKey": defaultUsernameKey, "passwordKey": defaultPasswordKey})
	pattern(s, "secretName", secretNamePattern)
	pattern(s, "usernameKey", secretKeyPattern)
	pattern(s, "passwordKey", secretKeyPattern)
}

// SigV4Auth signs requests with AWS credentials.
type SigV4Auth struct {
	Region     string `json:"region"`               // AWS region of the cluster, e.g. us-east-1.
	Service    string `json:"service,omitempty"`    // Service to sign for: "es" (Amazon OpenSearch Service) or "aoss" (OpenSearch Serverless).
	SecretName string `json:"secretName,omitempty"` // Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; omit to use the pod's own AWS identity.
}

// JSONSchemaExtend adds the rules, defaults and formats of SigV4Auth to the JSON
// Schema (see jsonschema.go).
func (SigV4Auth) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"service": defaultSigV4Service})
	pattern(s, "region", regionPattern)
	enum(s, "service", "es", "aoss")
	pattern(s, "secretName", secretNamePattern)
}

// MTLSAuth presents a client certificate from a Kubernetes TLS Secret.
type MTLSAuth struct {
	SecretName string `json:"secretName"` // Secret of type kubernetes.io/tls with tls.crt and tls.key (and ca.crt to verify the cluster).
}

// JSONSchemaExtend adds the rules, defaults and formats of MTLSAuth to the JSON
// Schema (see jsonschema.go).
func (MTLSAuth) JSONSchemaExtend(s *jsonschema.Schema) {
	pattern(s, "secretName", secretNamePattern)
}

// Capture is a capture proxy in front of a source: clients talk to the proxy,
// which forwards to the source and records the traffic for replay.
type Capture struct {
	Replicas   int        `json:"replicas,omitempty"`   // Number of proxy pods.
	ListenPort int        `json:"listenPort,omitempty"` // Port the proxy listens on.
	Kafka      *Kafka     `json:"kafka,omitempty"`      // Existing Kafka to record traffic into; omit to have the workflow deploy one.
	Resources  *Resources `json:"resources,omitempty"`  // CPU and memory of each proxy pod.
}

// JSONSchemaExtend adds the rules, defaults and formats of Capture to the JSON
// Schema (see jsonschema.go).
func (Capture) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"replicas": defaultCaptureReplicas, "listenPort": defaultListenPort})
	intRange(s, "replicas", 1, 100)
	intRange(s, "listenPort", 1, 65535)
}

// Kafka is an existing Kafka cluster that captured traffic is written to.
type Kafka struct {
	BootstrapServers []string `json:"bootstrapServers"` // Brokers to connect to, as host:port.
	Topic            string   `json:"topic,omitempty"`  // Topic to write to; defaults to the source's name.
}

// JSONSchemaExtend adds the rules, defaults and formats of Kafka to the JSON
// Schema (see jsonschema.go).
func (Kafka) JSONSchemaExtend(s *jsonschema.Schema) {
	itemPattern(s, "bootstrapServers", brokerPattern)
	minItems(s, 1, "bootstrapServers")
	pattern(s, "topic", topicPattern)
}

// Resources are the CPU and memory given to each pod, as Kubernetes
// quantities.
type Resources struct {
	CPU    string `json:"cpu,omitempty"`    // CPU request and limit, e.g. "500m" or "2".
	Memory string `json:"memory,omitempty"` // Memory request and limit, e.g. "4Gi".
}

// JSONSchemaExtend adds the rules, defaults and formats of Resources to the JSON
// Schema (see jsonschema.go).
func (Resources) JSONSchemaExtend(s *jsonschema.Schema) {
	pattern(s, "cpu", quantityPattern)
	pattern(s, "memory", quantityPattern)
}

// Snapshot is a snapshot of a source that data is migrated from: a new one
// the workflow creates, or an existing one it adopts.
type Snapshot struct {
	Create     *CreateSnapshot `json:"create,omitempty"`     // Create a new snapshot (the default when neither create nor adopt is set).
	Adopt      *AdoptSnapshot  `json:"adopt,omitempty"`      // Use an existing snapshot instead of creating one.
	Indices    *Selector       `json:"indices,omitempty"`    // Indices the snapshot holds; omit for all indices.
	Migrations []Migration     `json:"migrations,omitempty"` // What is migrated from this snapshot, in order. Each migration has a name unique within the snapshot.
}

var snapshotRules = []rule{{
	Rule:              `duplicates(self.?migrations.orValue([]).map(m, m.?name.orValue(''))).size() == 0`,
	MessageExpression: `'more than one migration of snapshot "' + name + '" is named ' + quoteAll(duplicates(self.migrations.map(m, m.?name.orValue(''))))`,
	FieldPath:         ".migrations",
	Hint:              "give each migration of a snapshot its own name: the name identifies its work items",
}, {
	Rule:    `!(has(self.create) && has(self.adopt))`,
	Message: "a snapshot is either created or adopted, not both",
	Hint:    "remove create to use the existing snapshot, or remove adopt to take a new one",
}, {
	Rule:      `!has(self.adopt) || self.adopt.?repo.orValue('') != ''`,
	Message:   "an adopted snapshot must name the repository it is in",
	FieldPath: ".adopt",
	Hint:      "add adopt.repo: the name of the snapshot repository registered on the source",
}}

// JSONSchemaExtend adds the rules, defaults and formats of Snapshot to the JSON
// Schema (see jsonschema.go).
func (Snapshot) JSONSchemaExtend(s *jsonschema.Schema) { extend(s, snapshotRules, nil) }

// CreateSnapshot takes a new snapshot of the source.
type CreateSnapshot struct {
	Repo             string      `json:"repo,omitempty"`             // Name of the snapshot repository to register on the source.
	S3               *S3Location `json:"s3,omitempty"`               // Where the repository keeps the snapshot; omit to use the bucket the workflow manages.
	MaxRateMBPerNode int         `json:"maxRateMBPerNode,omitempty"` // Cap on snapshot speed per data node, in MB/s; omit for the cluster's default.
}

// JSONSchemaExtend adds the rules, defaults and formats of CreateSnapshot to the JSON
// Schema (see jsonschema.go).
func (CreateSnapshot) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"repo": defaultRepo})
	pattern(s, "repo", snapshotNamePattern)
	intRange(s, "maxRateMBPerNode", 1, 10000)
}

// S3Location is an S3 bucket and path.
type S3Location struct {
	URI    string `json:"uri"`    // Bucket and path, e.g. s3://my-bucket/snapshots.
	Region string `json:"region"` // AWS region of the bucket, e.g. us-east-1.
}

// JSONSchemaExtend adds the rules, defaults and formats of S3Location to the JSON
// Schema (see jsonschema.go).
func (S3Location) JSONSchemaExtend(s *jsonschema.Schema) {
	pattern(s, "uri", s3URIPattern)
	pattern(s, "region", regionPattern)
}

// AdoptSnapshot uses a snapshot that already exists in a repository of the
// source.
type AdoptSnapshot struct {
	Snapshot string `json:"snapshot"`       // Name of the existing snapshot.
	Repo     string `json:"repo,omitempty"` // Name of the repository the snapshot is in.
}

// JSONSchemaExtend adds the rules, defaults and formats of AdoptSnapshot to the JSON
// Schema (see jsonschema.go).
func (AdoptSnapshot) JSONSchemaExtend(s *jsonschema.Schema) {
	pattern(s, "snapshot", snapshotNamePattern)
	pattern(s, "repo", snapshotNamePattern)
}

// Selector picks names (of indices or templates). Each entry is a name, a
// glob with * and ?, or "regex:" followed by an RE2 regular expression that
// must match the whole name. A name is picked when some allow entry matches it
// and no exclude entry does.
type Selector struct {
	Allow   []string `json:"allow,omitempty"`   // Entries that pick names; omit for all names.
	Exclude []string `json:"exclude,omitempty"` // Entries that drop names the allow list picked.
}

var selectorRules = []rule{{
	Rule:              `badPatterns(self.?allow.orValue([]) + self.?exclude.orValue([])).size() == 0`,
	MessageExpression: `'not a valid glob or regex: ' + quoteAll(badPatterns(self.?allow.orValue([]) + self.?exclude.orValue([])))`,
	Hint:              `globs use * and ?; after "regex:" comes an RE2 expression such as regex:logs-\d+`,
}}

// JSONSchemaExtend adds the rules, defaults and formats of Selector to the JSON
// Schema (see jsonschema.go).
func (Selector) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, selectorRules, nil)
	for _, p := range []string{"allow", "exclude"} {
		itemPattern(s, p, selectorEntryPattern)
		uniqueItems(s, p)
	}
}

// Migration moves part of a snapshot to targets: first the metadata
// (index settings, mappings, templates), then the documents (backfill).
type Migration struct {
	Name     string    `json:"name"`               // Name of the migration, unique within its snapshot.
	Targets  []string  `json:"targets,omitempty"`  // Targets to migrate to, by name; omit for every target.
	Metadata *Metadata `json:"metadata,omitempty"` // Migrate index settings, mappings and templates; omit to skip this step.
	Backfill *Backfill `json:"backfill,omitempty"` // Copy the documents of the snapshot; omit to skip this step.
}

var migrationRules = []rule{{
	Rule:    `has(self.metadata) || has(self.backfill)`,
	Message: "the migration has neither metadata nor backfill, so it does nothing",
	Hint:    "add metadata: {} to migrate index settings, backfill: {} to copy documents, or both",
}, {
	Rule:              `!has(self.targets) || self.targets.all(t, t in root.targets)`,
	MessageExpression: `'unknown target ' + quoteAll(self.targets.filter(t, !(t in root.targets)))`,
	FieldPath:         ".targets",
	HintExpression:    `suggest(self.targets.filter(t, !(t in root.targets))[0], root.targets)`,
}, {
	Rule:              `outside(self.?metadata.?indices.?allow.orValue([]), parent.?indices.orValue({})).size() == 0`,
	MessageExpression: `'metadata picks ' + quoteAll(outside(self.metadata.indices.allow, parent.indices)) + ', which snapshot "' + name + '" does not hold'`,
	FieldPath:         ".metadata.indices.allow",
	Hint:              "create only indices the snapshot's indices select, or widen the snapshot's indices",
}, {
	Rule:              `outside(self.?backfill.?indices.?allow.orValue([]), parent.?indices.orValue({})).size() == 0`,
	MessageExpression: `'backfill picks ' + quoteAll(outside(self.backfill.indices.allow, parent.indices)) + ', which snapshot "' + name + '" does not hold'`,
	FieldPath:         ".backfill.indices.allow",
	Hint:              "backfill only indices the snapshot's indices select, or widen the snapshot's indices",
}, {
	Rule:              `outside(self.?backfill.?indices.?allow.orValue([]), self.?metadata.?indices.orValue({})).size() == 0`,
	MessageExpression: `'backfill picks ' + quoteAll(outside(self.backfill.indices.allow, self.metadata.indices)) + ', which metadata.indices does not create'`,
	FieldPath:         ".backfill.indices.allow",
	Hint:              "backfill only indices metadata.indices selects, or add them to metadata.indices",
}}

// JSONSchemaExtend adds the rules, defaults and formats of Migration to the JSON
// Schema (see jsonschema.go).
func (Migration) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, migrationRules, nil)
	pattern(s, "name", namePattern)
	itemPattern(s, "targets", namePattern)
	uniqueItems(s, "targets")
	minItems(s, 1, "targets")
}

// Metadata migrates index settings and mappings, index templates and
// component templates from the snapshot to the targets.
type Metadata struct {
	Indices            *Selector `json:"indices,omitempty"`            // Indices to create on the targets; omit for every index in the snapshot.
	IndexTemplates     *Selector `json:"indexTemplates,omitempty"`     // Index templates to copy; omit for all.
	ComponentTemplates *Selector `json:"componentTemplates,omitempty"` // Component templates to copy; omit for all.
	Transforms         []string  `json:"transforms,omitempty"`         // Transformations applied to the metadata, in order; each is passed as is to the metadata tool.
}

// JSONSchemaExtend adds the rules, defaults and formats of Metadata to the JSON
// Schema (see jsonschema.go).
func (Metadata) JSONSchemaExtend(s *jsonschema.Schema) { minLengthItems(s, "transforms") }

// Backfill copies documents from the snapshot into the targets.
type Backfill struct {
	Indices    *Selector  `json:"indices,omitempty"`    // Indices to copy, a subset of the metadata's and the snapshot's indices; omit for all of those.
	Workers    int        `json:"workers,omitempty"`    // Number of worker pods copying in parallel.
	BatchSize  int        `json:"batchSize,omitempty"`  // Documents per bulk request to a target.
	Resources  *Resources `json:"resources,omitempty"`  // CPU and memory of each worker pod.
	Transforms []string   `json:"transforms,omitempty"` // Transformations applied to each document, in order; each is passed as is to the backfill tool.
}

// JSONSchemaExtend adds the rules, defaults and formats of Backfill to the JSON
// Schema (see jsonschema.go).
func (Backfill) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"workers": defaultWorkers, "batchSize": defaultBatchSize})
	intRange(s, "workers", 1, 1000)
	intRange(s, "batchSize", 1, 100000)
	minLengthItems(s, "transforms")
}

// Replayer replays the traffic captured on the sources against one target,
// after the migrations it waits for are done.
type Replayer struct {
	SpeedupFactor     float64        `json:"speedupFactor,omitempty"`     // How much faster than real time to replay; 2 replays an hour of traffic in 30 minutes.
	MaxThroughputMbps int            `json:"maxThroughputMbps,omitempty"` // Cap on replayed traffic, in megabits per second; omit for no cap.
	Transforms        []string       `json:"transforms,omitempty"`        // Transformations applied to each request, in order; each is passed as is to the replayer.
	WaitFor           []MigrationRef `json:"waitFor,omitempty"`           // Migrations to this target that must be done before replay starts; omit for all of them.
}

var replayerRules = []rule{{
	Rule:              `name in root.targets`,
	MessageExpression: `'replayer "' + name + '" is not named after a target'`,
	Hint:              "a replayer is keyed by the target it replays to",
	HintExpression:    `suggest(name, root.targets)`,
}, {
	Rule:              `root.sources.exists(s, root.sources[s].?capture.hasValue())`,
	MessageExpression: `'target "' + name + '" receives replayed traffic, but no source has a capture proxy'`,
	Hint:              "add capture: {} to the source whose traffic should be replayed, or remove this replayer",
}}

// JSONSchemaExtend adds the rules, defaults and formats of Replayer to the JSON
// Schema (see jsonschema.go).
func (Replayer) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, replayerRules, map[string]any{"speedupFactor": defaultSpeedup})
	if p, ok := s.Properties.Get("speedupFactor"); ok {
		p.ExclusiveMinimum = "0"
		p.Maximum = "100"
	}
	intRange(s, "maxThroughputMbps", 1, 1000000)
	minLengthItems(s, "transforms")
}

// MigrationRef names migrations: a source, optionally one of its snapshots,
// optionally one migration of that snapshot.
type MigrationRef struct {
	Source    string `json:"source"`              // Name of the source.
	Snapshot  string `json:"snapshot,omitempty"`  // Name of a snapshot of the source; omit for all of its snapshots.
	Migration string `json:"migration,omitempty"` // Name of a migration of the snapshot; omit for all of its migrations.
}

var migrationRefRules = []rule{{
	Rule:              `self.source in root.sources`,
	MessageExpression: `'unknown source "' + self.source + '"'`,
	FieldPath:         ".source",
	HintExpression:    `suggest(self.source, root.sources)`,
}, {
	Rule:      `has(self.snapshot) || !has(self.migration)`,
	Message:   "a migration is named without its snapshot",
	FieldPath: ".migration",
	Hint:      "add snapshot: the name of the snapshot the migration belongs to",
}, {
	Rule:              `!has(self.snapshot) || !(self.source in root.sources) || self.snapshot in root.sources[self.source].?snapshots.orValue({})`,
	MessageExpression: `'source "' + self.source + '" has no snapshot "' + self.snapshot + '"'`,
	FieldPath:         ".snapshot",
	HintExpression:    `suggest(self.snapshot, root.sources[self.source].?snapshots.orValue({}))`,
}, {
	Rule: `!has(self.migration) || !has(self.snapshot) || !(self.source in root.sources) || !(self.snapshot in root.sources[self.source].?snapshots.orValue({})) ||
  root.sources[self.source].snapshots[self.snapshot].?migrations.orValue([]).exists(m, m.?name.orValue('') == self.migration)`,
	MessageExpression: `'snapshot "' + self.snapshot + '" of source "' + self.source + '" has no migration "' + self.migration + '"'`,
	FieldPath:         ".migration",
	HintExpression:    `suggest(self.migration, root.sources[self.source].snapshots[self.snapshot].?migrations.orValue([]).map(m, m.?name.orValue('')))`,
}, {
	Rule: `!(self.source in root.sources) || !(name in root.?targets.orValue({})) ||
  cel.bind(snaps, root.sources[self.source].?snapshots.orValue({}),
    cel.bind(named, snaps.filter(sn, sn == self.?snapshot.orValue(sn))
        .map(sn, snaps[sn].?migrations.orValue([])).flatten()
        .filter(m, m.?name.orValue('') == self.?migration.orValue(m.?name.orValue(''))),
      named.size() == 0 || named.exists(m, name in m.?targets.orValue([name]))))`,
	MessageExpression: `'none of the migrations named here goes to target "' + name + '", so the replayer would wait for nothing'`,
	Hint:              "wait for migrations whose targets include this target, or add the target to their targets",
}}

// JSONSchemaExtend adds the rules, defaults and formats of MigrationRef to the JSON
// Schema (see jsonschema.go).
func (MigrationRef) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, migrationRefRules, nil)
	pattern(s, "source", namePattern)
	pattern(s, "snapshot", namePattern)
	pattern(s, "migration", namePattern)
}

// Approvals says where the workflow pauses after a stage: "manual" waits for a
// person to approve, "auto" goes on when the stage's checks pass, and "skip"
// goes on at once.
type Approvals struct {
	Default Approval        `json:"default,omitempty"` // Approval for every stage that stages does not name.
	Stages  *StageApprovals `json:"stages,omitempty"`  // Approval per stage, overriding default.
}

// JSONSchemaExtend adds the rules, defaults and formats of Approvals to the JSON
// Schema (see jsonschema.go).
func (Approvals) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"default": string(defaultApproval)})
}

// StageApprovals sets the approval of each stage of the migration.
type StageApprovals struct {
	Capture       Approval `json:"capture,omitempty"`       // After the capture proxies are recording.
	Snapshot      Approval `json:"snapshot,omitempty"`      // After a snapshot is ready.
	Metadata      Approval `json:"metadata,omitempty"`      // After the metadata is migrated, before documents are copied.
	Backfill      Approval `json:"backfill,omitempty"`      // After the documents are copied.
	Replay        Approval `json:"replay,omitempty"`        // After replay has caught up with live traffic.
	TrafficSwitch Approval `json:"trafficSwitch,omitempty"` // Before client traffic moves to the target.
	Teardown      Approval `json:"teardown,omitempty"`      // Before anything is removed.
}

// Approval is how a stage is approved: manual, auto or skip.
type Approval string

// The approvals a stage can have.
const (
	ApprovalManual Approval = "manual" // a person approves
	ApprovalAuto   Approval = "auto"   // approved when the stage's checks pass
	ApprovalSkip   Approval = "skip"   // no pause
)

// JSONSchemaExtend adds the rules, defaults and formats of Approval to the JSON
// Schema (see jsonschema.go).
func (Approval) JSONSchemaExtend(s *jsonschema.Schema) {
	s.Enum = []any{string(ApprovalManual), string(ApprovalAuto), string(ApprovalSkip)}
}

// TrafficSwitch moves client traffic from the sources' capture proxies to a
// target, in steps.
type TrafficSwitch struct {
	Enabled      bool   `json:"enabled,omitempty"`      // Switch traffic once replay has caught up; off by default.
	Target       string `json:"target,omitempty"`       // Target that takes the traffic; may be omitted when there is one target.
	Steps        []int  `json:"steps,omitempty"`        // Percentages of traffic sent to the target, one per step, rising to 100.
	StepInterval string `json:"stepInterval,omitempty"` // Time between steps, e.g. 10m or 1h30m.
}

var trafficSwitchRules = []rule{{
	Rule:      `!has(self.steps) || self.steps[size(self.steps) - 1] == 100`,
	Message:   "the last traffic switch step must be 100 (percent)",
	FieldPath: ".steps",
	Hint:      "end the steps with 100, e.g. [10, 50, 100]",
}, {
	Rule:      `!has(self.steps) || self.steps == self.steps.sort()`,
	Message:   "traffic switch steps must rise",
	FieldPath: ".steps",
	Hint:      "list the percentages from smallest to largest, e.g. [10, 50, 100]",
}}

// JSONSchemaExtend adds the rules, defaults and formats of TrafficSwitch to the JSON
// Schema (see jsonschema.go).
func (TrafficSwitch) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, trafficSwitchRules, map[string]any{"steps": []any{100}, "stepInterval": defaultStepInterval})
	pattern(s, "target", namePattern)
	pattern(s, "stepInterval", durationPattern)
	uniqueItems(s, "steps")
	minItems(s, 1, "steps")
	if p, ok := s.Properties.Get("steps"); ok {
		p.Items.Minimum = "1"
		p.Items.Maximum = "100"
	}
}

// Teardown says what is removed after the migration.
type Teardown struct {
	CaptureProxies bool   `json:"captureProxies,omitempty"` // Remove the capture proxies; needs the traffic switch, since clients talk to the proxies until then.
	MigrationTools bool   `json:"migrationTools,omitempty"` // Remove the backfill workers, replayers and the Kafka the workflow deployed.
	Snapshots      bool   `json:"snapshots,omitempty"`      // Delete the snapshots the workflow created (adopted ones are kept).
	Delay          string `json:"delay,omitempty"`          // Time to wait after the last stage before removing anything, e.g. 24h.
}

// JSONSchemaExtend adds the rules, defaults and formats of Teardown to the JSON
// Schema (see jsonschema.go).
func (Teardown) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"delay": defaultTeardownDelay})
	pattern(s, "delay", durationPattern)
}

// Bookkeeping is the etcd where the workflow records each step it finished
// (docs/migration.md, "Records"): not the cluster's own etcd, but one of
// the migration's (docs/bookkeeping.md gives a StatefulSet).
type Bookkeeping struct {
	Endpoint string `json:"endpoint,omitempty"` // URL of that etcd's client port, scheme, host and port only, e.g. http://migrate-bookkeeping:2379 (the default).
	// Seconds a step's claim lives: a workflow that vanished (deleted, or its controller lost) holds the step that long before another run may take it over. Longer than any step runs, bookkeeping included (a minute at least); a claim that expires under a running step fails it. Default one day.
	LeaseSeconds int `json:"leaseSeconds,omitempty"`
}

// JSONSchemaExtend adds the rules, defaults and formats of Bookkeeping to
// the JSON Schema (see jsonschema.go).
func (Bookkeeping) JSONSchemaExtend(s *jsonschema.Schema) {
	extend(s, nil, map[string]any{"endpoint": DefaultBookkeeping, "leaseSeconds": defaultLeaseSeconds})
	pattern(s, "endpoint", bookkeepingPattern)
	intRange(s, "leaseSeconds", 60, 30*86400)
}

// DefaultBookkeeping is the bookkeeping etcd's endpoint when the config's
// bookkeeping names none: the Service of docs/bookkeeping.md, in the
// workflow's namespace.
const DefaultBookkeeping = "http://migrate-bookkeeping:2379"

// defaultLeaseSeconds is a claim's lease when the config names none.
const defaultLeaseSeconds = 86400

// Patterns shared by several fields.
const (
	namePattern          = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	endpointPattern      = `^https?://[^\s\x00-\x1f\x7f/?#]+([/?#][^\s\x00-\x1f\x7f]*)?$`
	secretNamePattern    = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	secretKeyPattern     = `^\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$`
	regionPattern        = `^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	snapshotNamePattern  = `^[a-z0-9][a-z0-9._-]*$`
	quantityPattern      = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`
	durationPattern      = `^([0-9]{1,5}h([0-9]{1,7}m)?([0-9]{1,9}s)?|[0-9]{1,7}m([0-9]{1,9}s)?|[0-9]{1,9}s)$`
	versionPattern       = `^(ES|OS) (0|[1-9][0-9]*)(\.(0|[1-9][0-9]*|x)){0,2}$`
	brokerPattern        = `^[^\s:/]+:[0-9]{1,5}$`
	topicPattern         = `^[a-zA-Z0-9._-]{1,249}$`
	s3URIPattern         = `^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?$`
	selectorEntryPattern = `^\S+$`
	// The workflow reads the bookkeeping endpoint (it is an HTTP
	// template's URL), so it is held to what a URL of a host needs.
	bookkeepingPattern = `^https?://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$`
)
