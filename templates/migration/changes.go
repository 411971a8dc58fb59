package migration

import (
	"fmt"
	"sort"
	"strings"

	"github.com/migratekit/migrate/memo"
)

// Actions of a change set: what a submission of the plan does with a
// memoized step, given the records of earlier runs.
const (
	ActionAdopt    = "adopt"    // a complete record with the plan's checksum: the step is skipped
	ActionRerun    = "re-run"   // a record that cannot be adopted: the step runs again
	ActionNew      = "new"      // no record: the step runs for the first time
	ActionOrphaned = "orphaned" // a record of a step the plan no longer runs
)

// Change is what a submission does with one memoized step of one unit.
type Change struct {
	Unit     string `json:"unit"`
	Step     string `json:"step"`
	Action   string `json:"action"`
	Why      string `json:"why,omitempty"`      // for re-run (and orphaned): the reason
	Recorded string `json:"recorded,omitempty"` // the record's checksum, if any
	Planned  string `json:"planned,omitempty"`  // the plan's checksum; empty for orphaned
}

// RecordPrefix starts the key of every step record below the memo prefix:
// a step's record is RecordPrefix + unit id + "/" + step name. The library
// (recordDir) builds the same key in Argo.
const RecordPrefix = "unit/"

// RecordKey is the key of a step's memo record below the memo prefix.
func RecordKey(unit, step string) string { return RecordPrefix + unit + "/" + step }

// Keep is what the run adopts: every memoized step's record key with the
// plan's checksum, the keep set of `migrate gc`.
func (r *Run) Keep() memo.Keep {
	keep := memo.Keep{}
	if r.Bookkeeping == "" {
		return keep
	}
	for _, u := range r.Headers() {
		for _, s := range u.Steps {
			if s.Checksum != "" {
				keep[RecordKey(u.ID, s.Name)] = s.Checksum
			}
		}
	}
	return keep
}

// Changes compares the run with the records (keys below memoPrefix) and
// says, per unit and memoized step in plan order, what a submission would
// do, then lists the records the plan has no step for. A step that runs
// again says why: its own settings changed, an upstream unit runs again,
// or the step before it in its unit does.
func (r *Run) Changes(recs []memo.Record, memoPrefix string) []Change {
	byKey := map[string]memo.Record{}
	for _, rec := range recs {
		byKey[strings.TrimPrefix(rec.Key, memoPrefix)] = rec
	}
	upstream := map[string][]string{}
	for _, m := range r.Migrations {
		upstream[m.ID] = []string{m.Snapshot}
	}
	for _, rp := range r.Replays {
		upstream[rp.ID] = rp.WaitFor
	}
	upstream[r.Teardown.ID] = append(append([]string{}, r.Teardown.CaptureProxies...), r.Teardown.Snapshots...)

	var out []Change
	runsAgain := map[string]bool{} // unit ids with a step that does not adopt
	planned := map[string]bool{}
	for _, u := range r.Headers() {
		prev := ""
		for _, s := range u.Steps {
			if s.Checksum == "" {
				continue
			}
			key := RecordKey(u.ID, s.Name)
			planned[key] = true
			c := Change{Unit: u.ID, Step: s.Name, Planned: s.Checksum}
			rec, ok := byKey[key]
			if ok {
				c.Recorded = rec.Checksum
			}
			switch {
			case !ok:
				c.Action = ActionNew
			case rec.State == memo.Complete && rec.Checksum == s.Checksum:
				c.Action = ActionAdopt
			default:
				c.Action = ActionRerun
				c.Why = rerunWhy(rec, prev, upstream[u.ID], runsAgain)
			}
			out = append(out, c)
			prev = ""
			if c.Action != ActionAdopt {
				runsAgain[u.ID] = true
				prev = s.Name
			}
		}
	}
	var orphans []Change
	for key, rec := range byKey {
		if planned[key] || !strings.HasPrefix(key, RecordPrefix) {
			continue
		}
		unit, step, _ := strings.Cut(strings.TrimPrefix(key, RecordPrefix), "/")
		orphans = append(orphans, Change{Unit: unit, Step: step, Action: ActionOrphaned, Recorded: rec.Checksum,
			Why: fmt.Sprintf("%s record of workflow %s; the plan has no such step", rec.State, rec.Owner.Name)})
	}
	sort.Slice(orphans, func(i, j int) bool {
		return orphans[i].Unit < orphans[j].Unit || orphans[i].Unit == orphans[j].Unit && orphans[i].Step < orphans[j].Step
	})
	return append(out, orphans...)
}

// rerunWhy says why a recorded step runs again: prev is the step before it
// in its unit when that one runs too.
func rerunWhy(rec memo.Record, prev string, upstream []string, runsAgain map[string]bool) string {
	switch rec.State {
	case memo.Failed:
		return fmt.Sprintf("its last run failed (%s, workflow %s)", rec.Reason, rec.Owner.Name)
	case memo.Pending:
		return fmt.Sprintf("workflow %s holds it (pending): a submission waits for that one, then adopts or runs it", rec.Owner.Name)
	}
	if prev != "" {
		return "after " + prev + ", which runs again"
	}
	var changed []string
	for _, id := range upstream {
		if runsAgain[id] {
			changed = append(changed, id)
		}
	}
	if len(changed) > 0 {
		return "upstream unit " + strings.Join(changed, ", ") + " runs again"
	}
	return fmt.Sprintf("its inputs changed: the settings it reads or its clusters' (recorded checksum %.12s)", rec.Checksum)
}
