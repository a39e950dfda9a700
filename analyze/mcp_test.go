package analyze

import "testing"

func TestMCPTrustsOnlyTrustedServers(t *testing.T) {
	t.Parallel()
	payload := map[string]any{
		"server": "github", "tool": "list_issues",
		"arguments":   map[string]any{"repo": "a/b"},
		"annotations": map[string]any{"readOnlyHint": true, "openWorldHint": false},
	}
	f := MCP(payload, []string{"github"})
	want := map[string]any{"server": "github", "tool": "list_issues", "trusted": true, "read_only": true,
		"destructive": false, "idempotent": true, "open_world": false, "arguments": int64(1)}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("trusted: %s = %v, want %v", k, f[k], v)
		}
	}
	// The same claims from a server not on the list are ignored: MCP's
	// defaults apply.
	f = MCP(payload, []string{"filesystem"})
	want = map[string]any{"trusted": false, "read_only": false, "destructive": true, "idempotent": false, "open_world": true}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("untrusted: %s = %v, want %v", k, f[k], v)
		}
	}
	if c := f["claimed"].(map[string]any); c["readOnlyHint"] != true {
		t.Errorf("claimed hints are kept for the record: %v", c)
	}
}

func TestMCPBadHintsFailClosed(t *testing.T) {
	t.Parallel()
	f := MCP(map[string]any{"server": "s", "tool": "t",
		"annotations": map[string]any{"readOnlyHint": "yes", "destructiveHint": false}}, []string{"s"})
	if f["read_only"] != false || f["destructive"] != false {
		t.Errorf("a non-bool readOnlyHint is ignored, an explicit destructiveHint false believed: %v", f)
	}
	f = MCP(map[string]any{"server": "s", "tool": "t"}, []string{"s"})
	if f["read_only"] != false || f["destructive"] != true || f["open_world"] != true {
		t.Errorf("no hints: MCP defaults, got %v", f)
	}
}
