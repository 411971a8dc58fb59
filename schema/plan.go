package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	sum "github.com/migratekit/migrate/checksum"
)

// Plan is a config expanded into work items: one per target, source, capture
// proxy and snapshot, one per source × snapshot × migration × target, and one
// per replayer. Defaults are applied. Lists are in a stable order (by name,
// migrations in config order), so the same config always gives the same
// plan, byte for byte once marshalled to JSON.
//
// Each item has an id that is a Kubernetes-safe name (a lowercase RFC 1123
// label of at most 63 characters, ending in a hash when the names are too
// long) and a checksum of its own settings and the checksums of the items it
// depends on. A change to one item's settings therefore changes its checksum
// and the checksum of everything downstream of it, and nothing else: work
// whose checksum did not change can be kept.
type Plan struct {
	Targets       []TargetItem    `json:"targets"`
	Sources       []SourceItem    `json:"sources"`
	Captures      []CaptureItem   `json:"captures"`
	Snapshots     []SnapshotItem  `json:"snapshots"`
	Migrations    []MigrationItem `json:"migrations"` // one per source × snapshot × migration × target
	Replays       []ReplayItem    `json:"replays"`
	Approvals     StageApprovals  `json:"approvals"` // every stage's approval, defaults applied
	TrafficSwitch TrafficSwitch   `json:"trafficSwitch"`
	Teardown      Teardown        `json:"teardown"`
	Bookkeeping   *Bookkeeping    `json:"bookkeeping,omitempty"` // where the workflow records finished steps; nil: it records nothing
}

// Item is what every work item has.
type Item struct {
	ID        string   `json:"id"`                  // unique in the plan; a lowercase RFC 1123 label
	Checksum  string   `json:"checksum"`            // of the item's settings and its dependencies' checksums
	DependsOn []string `json:"dependsOn,omitempty"` // ids of the items whose checksums this one includes
}

// TargetItem is a target cluster.
type TargetItem struct {
	Item
	Name   string `json:"name"`
	Target Target `json:"target"`
}

// SourceItem is a source cluster: how to reach it.
type SourceItem struct {
	Item
	Name          string `json:"name"`
	Endpoint      string `json:"endpoint"`
	Version       string `json:"version"`
	Auth          *Auth  `json:"auth,omitempty"`
	AllowInsecure bool   `json:"allowInsecure,omitempty"`
}

// CaptureItem is the capture proxy of a source. It depends on the source.
type CaptureItem struct {
	Item
	Source  string  `json:"source"`
	Capture Capture `json:"capture"`
}

// SnapshotItem is a snapshot to create or adopt. It depends on its source.
type SnapshotItem struct {
	Item
	Source  string          `json:"source"`
	Name    string          `json:"name"`
	Create  *CreateSnapshot `json:"create,omitempty"`
	Adopt   *AdoptSnapshot  `json:"adopt,omitempty"`
	Indices Selector        `json:"indices"`
}

// MigrationItem is one migration of one snapshot to one target. It depends
// on the snapshot and the target. Its selectors are resolved: metadata
// indices default to the snapshot's, backfill indices to the metadata's.
type MigrationItem struct {
	Item
	Source    string    `json:"source"`
	Snapshot  string    `json:"snapshot"`
	Migration string    `json:"migration"`
	Target    string    `json:"target"`
	Metadata  *Metadata `json:"metadata,omitempty"`
	Backfill  *Backfill `json:"backfill,omitempty"`
}

// ReplayItem is the replayer of a target. It depends on the target, the
// capture proxies whose traffic it replays and the migration items it waits
// for.
type ReplayItem struct {
	Item
	Target            string   `json:"target"`
	Sources           []string `json:"sources"` // sources whose captured traffic is replayed
	SpeedupFactor     float64  `json:"speedupFactor"`
	MaxThroughputMbps int      `json:"maxThroughputMbps,omitempty"`
	Transforms        []string `json:"transforms,omitempty"`
	WaitFor           []string `json:"waitFor"` // ids of the migration items replay waits for
}

// Kinds of work item; each id starts with its kind.
const (
	kindTarget    = "target"
	kindSource    = "source"
	kindCapture   = "capture"
	kindSnapshot  = "snapshot"
	kindMigration = "migration"
	kindReplay    = "replay"
)

// maxIDLen is the longest a Kubernetes label (and so an id) may be.
const maxIDLen = 63

// itemID joins a kind and names into an id. Names are lowercase RFC 1123
// labels already, so the id is one too; when it is longer than 63 characters
// it is cut and ends in a hash of the whole.
func itemID(kind string, names ...string) string {
	id := kind + "-" + strings.Join(names, "-")
	if len(id) <= maxIDLen {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	h := hex.EncodeToString(sum[:])[:10]
	return strings.TrimRight(id[:maxIDLen-len(h)-1], "-") + "-" + h
}

// checksum is an item's checksum (package checksum): of its kind, its
// settings as JSON and its dependencies' checksums, in order.
func checksum(kind string, settings any, upstream ...string) string {
	b, err := json.Marshal(settings)
	if err != nil {
		// Only a NaN or infinite number fails to marshal, and Validate
		// rejects those before a plan is made; hash the printed form anyway.
		b = fmt.Appendf(nil, "%#v", settings)
	}
	return sum.Of(append([]string{kind, string(b)}, upstream...)...)
}
