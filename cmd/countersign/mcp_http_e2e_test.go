package main

import (
	"context"
	"encoding/json"
	"github.com/countersign/countersign/internal/syncbuf"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/npmtest"
)

// listenLine matches the log line of `countersign mcp http` naming the
// address it listens on.
var listenLine = regexp.MustCompile(`msg="countersign mcp http listening" addr=(\S+)`)

// TestMCPInspectorThroughHTTPGateway drives `countersign mcp http` with
// @modelcontextprotocol/inspector in CLI mode over Streamable HTTP: it lists
// server-everything's tools and calls echo with the client bearer token; a
// request without the token is refused.
func TestMCPInspectorThroughHTTPGateway(t *testing.T) {
	inspector := npmtest.Bin(t, "mcp-inspector")
	everything := npmtest.Bin(t, "mcp-server-everything")
	node := npmtest.Node(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	bin := buildCountersign(t, ctx)
	e := mcpEnvWithPolicy(t, mcpAllowPolicy)
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "inspector-http-bot", Owner: "olive@example.com"})

	const token = "inspector-client-token-0123456789"
	cmdJSON, err := json.Marshal([]string{node, everything})
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "mcp-http.yaml")
	// JSON is YAML: the command's paths are quoted whatever they hold.
	text := "tokens: [\"${MCP_CLIENT_TOKEN}\"]\nupstreams:\n  - name: everything\n    command: " + string(cmdJSON) + "\n"
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	gw := npmtest.Command(ctx, t, bin, "mcp", "http", "--listen", "127.0.0.1:0", "--config", config)
	gw.Env = append(os.Environ(), "COUNTERSIGN_URL="+e.url, "COUNTERSIGN_KEY="+agent, "MCP_CLIENT_TOKEN="+token)
	var gwErr syncbuf.Buffer
	gw.Stderr = &gwErr
	if err := gw.Start(); err != nil {
		t.Fatalf("start countersign mcp http: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- gw.Wait() }()
	defer func() {
		if t.Failed() {
			t.Logf("gateway stderr:\n%s", gwErr.String())
		}
	}()
	var addr string
	for deadline := time.Now().Add(15 * time.Second); addr == ""; {
		if m := listenLine.FindStringSubmatch(gwErr.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("countersign mcp http exited before listening: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("countersign mcp http never logged its listen address")
		}
		time.Sleep(20 * time.Millisecond)
	}
	endpoint := "http://" + addr + "/mcp/everything"

	// Without the token (or with a wrong one) the gateway refuses.
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`
	for _, auth := range []string{"", "Bearer wrong-token"} {
		req, err := http.NewRequestWithContext(ctx, "POST", endpoint, strings.NewReader(initialize))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", endpoint, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("POST with Authorization %q: %s, want 401", auth, resp.Status)
		}
	}

	// Inspector 1.0.3 takes a URL target, --transport http and --header
	// "Name: Value"; with no "--" its options pass straight through.
	inspect := func(method ...string) string {
		args := append([]string{"--cli", endpoint, "--transport", "http", "--header", "Authorization: Bearer " + token}, method...)
		return runInspector(t, ctx, inspector, nil, args)
	}
	inspectorEcho(t, e, agent, inspect, "hello over http")
}
