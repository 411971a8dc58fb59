package memo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/migratekit/migrate/checksum"
)

// Record is a memo record as stored in etcd (see docs/records.md).
type Record struct {
	Key               string            `json:"-"` // full etcd key
	ModRevision       int64             `json:"-"` // etcd's revision of the last change
	State             string            `json:"state"`
	Step              string            `json:"step"`
	Checksum          string            `json:"checksum"`
	Lease             string            `json:"lease,omitempty"`
	Reason            string            `json:"reason,omitempty"`
	Attempt           int               `json:"attempt"`
	Owner             Owner             `json:"owner"`
	WorkflowCreatedAt string            `json:"workflowCreatedAt"`
	Outputs           map[string]string `json:"outputs"`
}

// Owner is the workflow that wrote a record.
type Owner struct {
	UID  string `json:"uid"`
	Name string `json:"name"`
}

// Record states.
const (
	Pending  = "pending"
	Complete = "complete"
	Failed   = "failed"
)

// Client reads and deletes records through etcd's JSON gateway, as the
// migrate CLI does.
type Client struct {
	Endpoint string       // base URL, e.g. https://etcd:2379
	Prefix   string       // key prefix; default "/migrate"
	Auth     string       // Authorization header value; empty for none
	HTTP     *http.Client // nil: http.DefaultClient
}

// RecordError is a record that could not be read: its key and why.
type RecordError struct {
	Key string
	Err error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %s: %v", e.Key, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

func (c *Client) prefix() string {
	if c.Prefix == "" {
		return "/migrate"
	}
	return strings.TrimSuffix(c.Prefix, "/")
}

// MemoPrefix is the key prefix of every memo record of the client's store.
func (c *Client) MemoPrefix() string { return c.prefix() + "/memo/" }

func (c *Client) post(ctx context.Context, path string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.Endpoint, "/")+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: etcd answered %d: %s", http.MethodPost, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}

type kv struct {
	Key         []byte `json:"key"`
	Value       []byte `json:"value"`
	ModRevision string `json:"mod_revision"`
}

// List returns the memo records whose key starts with the client's memo
// prefix followed by prefix (""), sorted by key. A record that is not
// valid JSON is returned as a *RecordError in errs, and listing goes on.
func (c *Client) List(ctx context.Context, prefix string) (recs []Record, errs []error, err error) {
	from := c.MemoPrefix() + prefix
	end := []byte(from)
	end[len(end)-1]++
	var resp struct {
		KVs []kv `json:"kvs"`
	}
	if err := c.post(ctx, "/v3/kv/range", map[string]any{"key": []byte(from), "range_end": end}, &resp); err != nil {
		return nil, nil, fmt.Errorf("listing %s at %s: %w", from, c.Endpoint, err)
	}
	for _, x := range resp.KVs {
		r := Record{Key: string(x.Key)}
		r.ModRevision, _ = strconv.ParseInt(x.ModRevision, 10, 64)
		if err := json.Unmarshal(x.Value, &r); err != nil {
			errs = append(errs, &RecordError{Key: r.Key, Err: fmt.Errorf("not a record: %w", err)})
			continue
		}
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Key < recs[j].Key })
	return recs, errs, nil
}

// Delete deletes r unless it changed since it was read (its mod_revision
// is compared in the same transaction). It reports whether it deleted.
func (c *Client) Delete(ctx context.Context, r Record) (bool, error) {
	var resp struct {
		Succeeded bool `json:"succeeded"`
	}
	txn := map[string]any{
		"compare": []any{map[string]any{"target": "MOD", "key": []byte(r.Key), "mod_revision": strconv.FormatInt(r.ModRevision, 10)}},
		"success": []any{map[string]any{"request_delete_range": map[string]any{"key": []byte(r.Key)}}},
	}
	if err := c.post(ctx, "/v3/kv/txn", txn, &resp); err != nil {
		return false, &RecordError{Key: r.Key, Err: err}
	}
	return resp.Succeeded, nil
}

// Keep is what the current plans adopt: record key (below the memo
// prefix) to checksum.
type Keep map[string]string

// Garbage returns the records no current plan adopts: every record except
// the pending ones (in flight; they vanish with their lease when their
// workflow is gone) and the complete ones whose key and checksum are in
// keep.
func Garbage(recs []Record, memoPrefix string, keep Keep) []Record {
	var out []Record
	for _, r := range recs {
		if r.State == Pending {
			continue
		}
		if sum, ok := keep[strings.TrimPrefix(r.Key, memoPrefix)]; ok && r.State == Complete && sum == r.Checksum {
			continue
		}
		out = append(out, r)
	}
	return out
}

// KeepError is a bad line of a keep file.
type KeepError struct {
	File string
	Line int
	Msg  string
}

func (e *KeepError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ReadKeep reads a keep file: one record per line, its key (below the
// memo prefix) and its checksum separated by white space; blank lines and
// lines starting with # are ignored.
func ReadKeep(name string, r io.Reader) (Keep, error) {
	keep := Keep{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, &KeepError{File: name, Line: n, Msg: fmt.Sprintf("want KEY CHECKSUM, got %d fields", len(f))}
		}
		if !checksum.Valid(f[1]) {
			return nil, &KeepError{File: name, Line: n, Msg: fmt.Sprintf("checksum %q is not a hex SHA-256", f[1])}
		}
		if prev, dup := keep[f[0]]; dup && prev != f[1] {
			return nil, &KeepError{File: name, Line: n, Msg: fmt.Sprintf("key %q listed twice with different checksums", f[0])}
		}
		keep[f[0]] = f[1]
	}
	return keep, sc.Err()
}

// ChecksumOf is Checksum computed in Go: package checksum's definition,
// which the plan and gc use too.
func ChecksumOf(parts ...string) string { return checksum.Of(parts...) }
