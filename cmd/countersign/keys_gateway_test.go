package main

import (
	"strings"
	"testing"
)

// keys create --gateway makes an agent key whose principal says gateway;
// only agent keys can be.
func TestKeysCreateGateway(t *testing.T) {
	e := newEnv(t, "")
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_KEY", e.admin)
	if code, out := runHook(t, nil, "keys", "create", "--agent", "mcp-gw", "--owner", "olive@example.com", "--gateway"); code != 0 || !strings.HasPrefix(out, "cs_") {
		t.Fatalf("create: exit %d %q", code, out)
	}
	code, out := runHook(t, nil, "keys", "list")
	if code != 0 || !strings.Contains(out, "agent (gateway)  mcp-gw") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if code, _ := runHook(t, nil, "keys", "create", "--human", "h@example.com", "--gateway"); code != 2 {
		t.Fatalf("--gateway on a human key: exit %d, want 2", code)
	}
}
