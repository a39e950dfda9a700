package analyze

import (
	"context"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/policy"
)

func TestMCPBelievesOnlyWhatTrustedServersAdvertise(t *testing.T) {
	t.Parallel()
	payload := map[string]any{
		"server": "github", "tool": "list_issues",
		"arguments":   map[string]any{"repo": "a/b"},
		"annotations": map[string]any{"readOnlyHint": true, "openWorldHint": false},
	}
	advertisedRO := WithAdvertised(context.Background(), map[string]any{"readOnlyHint": true, "openWorldHint": false})
	f := MCP(advertisedRO, payload, []string{"github"})
	want := map[string]any{"server": "github", "tool": "list_issues", "trusted": true, "advertised": true, "read_only": true,
		"destructive": false, "idempotent": true, "open_world": false, "arguments": int64(1)}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("trusted and advertised: %s = %v, want %v", k, f[k], v)
		}
	}
	pessimistic := map[string]any{"read_only": false, "destructive": true, "idempotent": false, "open_world": true}
	// The agent's own claim, even for a trusted server, is not believed:
	// it wrote the payload.
	f = MCP(context.Background(), payload, []string{"github"})
	for k, v := range pessimistic {
		if f[k] != v {
			t.Errorf("trusted server, claim only: %s = %v, want %v", k, f[k], v)
		}
	}
	if f["trusted"] != true || f["advertised"] != false {
		t.Errorf("trusted server, claim only: %v", f)
	}
	// Advertised by a server that is not trusted: ignored.
	f = MCP(advertisedRO, payload, []string{"filesystem"})
	for k, v := range pessimistic {
		if f[k] != v {
			t.Errorf("untrusted server: %s = %v, want %v", k, f[k], v)
		}
	}
	if c := f["claimed"].(map[string]any); c["readOnlyHint"] != true {
		t.Errorf("claimed hints are kept for the record: %v", c)
	}
}

func TestMCPBadHintsFailClosed(t *testing.T) {
	t.Parallel()
	ctx := WithAdvertised(context.Background(), map[string]any{"readOnlyHint": "yes", "destructiveHint": false})
	f := MCP(ctx, map[string]any{"server": "s", "tool": "t"}, []string{"s"})
	if f["read_only"] != false || f["destructive"] != false {
		t.Errorf("a non-bool readOnlyHint is ignored, an explicit destructiveHint false believed: %v", f)
	}
	f = MCP(WithAdvertised(context.Background(), map[string]any{}), map[string]any{"server": "s", "tool": "t"}, []string{"s"})
	if f["read_only"] != false || f["destructive"] != true || f["open_world"] != true {
		t.Errorf("no hints: MCP defaults, got %v", f)
	}
}

// TestMCPWithSQLArgument checks a tool call whose argument the gateway named
// as SQL gets the SQL analyser's facts as well as the MCP ones.
func TestMCPWithSQLArgument(t *testing.T) {
	a := countersign.Action{Kind: countersign.ActionMCP, Environment: "production",
		Payload: []byte(`{"server":"postgres","tool":"query","arguments":{"sql":"SELECT * FROM customers"},"sql":"SELECT * FROM customers"}`)}
	f, err := Action(context.Background(), a, nil, policy.Analysis{SensitiveTables: []string{"customers"}})
	if err != nil {
		t.Fatal(err)
	}
	if f["mcp"]["tool"] != "query" || f["sql"]["is_export"] != true {
		t.Fatalf("facts %v", f)
	}
	bad := a
	bad.Payload = []byte(`{"server":"postgres","tool":"query","sql":42}`)
	if _, err := Action(context.Background(), bad, nil, policy.Analysis{}); err == nil {
		t.Fatal("a non-string sql argument was accepted")
	}
}
