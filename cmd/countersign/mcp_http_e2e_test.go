package main

import (
	"context"
	"encoding/json"
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
	var gwErr syncBuffer
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
		t.Helper()
		cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
		defer ccancel()
		args := []string{"--cli", endpoint, "--transport", "http", "--header", "Authorization: Bearer " + token}
		args = append(args, method...)
		cmd := npmtest.Command(cctx, t, inspector, args...)
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		t.Logf("inspector %s: %s", strings.Join(method, " "), time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("inspector %v: %v\nstdout:\n%s\nstderr:\n%s", method, err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}

	out := inspect("--method", "tools/list")
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("tools/list output is not JSON: %v\n%s", err, out)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if !strings.Contains(","+strings.Join(names, ",")+",", ",echo,") {
		t.Fatalf("tools/list through the HTTP gateway: %v, want echo among them", names)
	}

	out = inspect("--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=hello over http")
	var call struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal([]byte(out), &call); err != nil {
		t.Fatalf("tools/call output is not JSON: %v\n%s", err, out)
	}
	if call.IsError || len(call.Content) == 0 || !strings.Contains(call.Content[0].Text, "hello over http") {
		t.Fatalf("echo through the HTTP gateway: %s, want the message echoed", out)
	}

	// The call was judged: it is an executed mcp.tool request of the agent.
	var l countersign.RequestList
	st, eb := e.call(agent, "GET", "/v1/actions?state=executed", nil, &l)
	e.want(200, "", st, eb, "list executed")
	if len(l.Requests) != 1 || l.Requests[0].Action.Kind != countersign.ActionMCP {
		t.Fatalf("executed requests: %+v, want the one echo call", l.Requests)
	}
}
