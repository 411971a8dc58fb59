package etcdtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	_ "github.com/migratekit/migrate/internal/golden"
)

func post(t *testing.T, s *Server, path, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(s.URL()+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGatewayShapes pins what the templates' expressions rely on in the
// gateway's answers: proto3 JSON leaves out false and empty fields, int64
// values are strings, a compare on an absent key's revision sees 0.
func TestGatewayShapes(t *testing.T) {
	s := Start(t)
	if m := post(t, s, "/v3/kv/range", `{"key":"YQ=="}`); m["kvs"] != nil || m["count"] != nil {
		t.Errorf("empty range answered %v, want neither kvs nor count", m)
	}
	post(t, s, "/v3/kv/put", `{"key":"YQ==","value":"Yg=="}`)
	m := post(t, s, "/v3/kv/range", `{"key":"YQ=="}`)
	if m["count"] != "1" || m["kvs"].([]any)[0].(map[string]any)["mod_revision"] != "2" {
		t.Errorf("range answered %v, want count and revisions as strings", m)
	}
	txn := `{"compare":[{"target":"MOD","key":"YQ==","mod_revision":"0"}],"success":[{"request_put":{"key":"YQ==","value":"Yw=="}}],"failure":[{"request_range":{"key":"YQ=="}}]}`
	if m := post(t, s, "/v3/kv/txn", txn); m["succeeded"] != nil {
		t.Errorf("failed txn answered succeeded=%v, want the field left out", m["succeeded"])
	}
	txn = strings.ReplaceAll(txn, "YQ==", "eg==")
	if m := post(t, s, "/v3/kv/txn", txn); m["succeeded"] != true {
		t.Errorf("txn on an absent key with mod_revision 0 answered %v, want succeeded", m)
	}
	if m := post(t, s, "/v3/lease/grant", `{"TTL":"5"}`); m["ID"] == nil || m["TTL"] != "5" {
		t.Errorf("lease grant answered %v", m)
	}
	s.Stop()
	s.Restart()
	if m := post(t, s, "/v3/kv/range", `{"key":"eg=="}`); m["count"] != "1" {
		t.Errorf("after a restart the key is gone: %v", m)
	}
}
