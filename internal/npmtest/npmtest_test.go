package npmtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/countersign/countersign/internal/npmtest"
)

func TestRootHoldsGoMod(t *testing.T) {
	root := npmtest.Root(t)
	if !filepath.IsAbs(root) {
		t.Fatalf("Root = %q, not absolute", root)
	}
	if _, err := os.Stat(filepath.Join(root, npmtest.Dir, "package-lock.json")); err != nil {
		t.Fatalf("the pinned npm test peers are not at %s: %v", npmtest.Dir, err)
	}
}

func TestBinMissingSkipsOrFails(t *testing.T) {
	// Run Bin for a name that is never installed in a subtest and look at how
	// that subtest ended: skipped locally, failed under CI=true.
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		npmtest.Bin(ft, "no-such-npm-test-peer")
	}()
	<-done
	wantFatal := os.Getenv("CI") == "true"
	if ft.fatal != wantFatal || ft.skipped == wantFatal {
		t.Fatalf("CI=%q: fatal=%v skipped=%v", os.Getenv("CI"), ft.fatal, ft.skipped)
	}
	if !strings.Contains(ft.msg, npmtest.InstallCommand) {
		t.Fatalf("message %q lacks the install command %q", ft.msg, npmtest.InstallCommand)
	}
}

// TestEverythingEchoGoSDK starts the real server-everything over stdio, as
// the Go SDK's client does, lists its tools and calls echo.
func TestEverythingEchoGoSDK(t *testing.T) {
	node := npmtest.Node(t)
	server := npmtest.Bin(t, "mcp-server-everything")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cmd := npmtest.Command(ctx, t, node, server)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "npmtest", Version: "0"}, nil)
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect to server-everything: %v\nstderr:\n%s", err, stderr.String())
	}
	defer session.Close()

	tools, err := session.ListTools(ctx, &mcp.ListToolsParams{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	names := make([]string, 0, len(tools.Tools))
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	if !slices.Contains(names, "echo") {
		t.Fatalf("tools/list has no echo: %v", names)
	}

	const msg = "hello from countersign"
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
	if err != nil {
		t.Fatalf("tools/call echo: %v", err)
	}
	if res.IsError {
		t.Fatalf("tools/call echo returned an error result: %+v", res.Content)
	}
	var text strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	if !strings.Contains(text.String(), msg) {
		t.Fatalf("echo returned %q, want it to contain %q", text.String(), msg)
	}
	if err := session.Close(); err != nil {
		t.Logf("close: %v", err) // the server may exit on a signal once stdin closes
	}
}

// TestInspectorCLIListsEverything runs the real inspector in CLI mode against
// server-everything over stdio: a second, independent MCP client.
func TestInspectorCLIListsEverything(t *testing.T) {
	node := npmtest.Node(t)
	inspector := npmtest.Bin(t, "mcp-inspector")
	server := npmtest.Bin(t, "mcp-server-everything")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	out := runInspector(ctx, t, node, inspector, "--cli", node, server, "--method", "tools/list")
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("inspector output is not a tools/list result: %v\n%s", err, out)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	if !slices.Contains(names, "echo") {
		t.Fatalf("inspector tools/list has no echo: %v", names)
	}

	out = runInspector(ctx, t, node, inspector, "--cli", node, server,
		"--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=inspected")
	var call struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(out, &call); err != nil {
		t.Fatalf("inspector output is not a tools/call result: %v\n%s", err, out)
	}
	if call.IsError || len(call.Content) == 0 || !strings.Contains(call.Content[0].Text, "inspected") {
		t.Fatalf("inspector echo returned %+v", call)
	}
}

// runInspector runs the inspector CLI and returns its standard output, which
// in --cli mode is the JSON result alone (notices go to standard error).
func runInspector(ctx context.Context, t *testing.T, node string, args ...string) []byte {
	t.Helper()
	cmd := npmtest.Command(ctx, t, node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("inspector %v: %v\nstderr:\n%s\nstdout:\n%s", args[1:], err, stderr.String(), stdout.String())
	}
	return stdout.Bytes()
}

// fakeTB records how a helper ended the test: Skip and Fatal end the calling
// goroutine, as the testing package's do.
type fakeTB struct {
	testing.TB
	fatal, skipped bool
	msg            string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatal(args ...any) {
	f.fatal, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Skip(args ...any) {
	f.skipped, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(func()) {}
