//lint:file-ignore SA1019 MCP logging is deprecated (SEP-2577) but still in the protocol and used by servers; a transparent gateway passes it on until it is removed.

package mcpgate_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A tool the upstream adds after the start is mirrored and judged; its
// progress and log messages reach the agent masked, under the agent's own
// progress token and at the level the agent set; a tool it removes goes.
func TestUpstreamChangesAreFollowed(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	ctx := context.Background()
	if err := e.agent.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "info"}); err != nil {
		t.Fatal(err)
	}
	e.up.AddTool(&mcp.Tool{Name: "report", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			tok := req.Params.GetProgressToken()
			if tok == nil {
				return nil, nil
			}
			_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: 1, Total: 2,
				Message: "half way, mailing jane.doe@acme-corp.io"})
			_ = req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "debug", Data: "debug detail"})
			_ = req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "warning", Logger: "report",
				Data: map[string]any{"msg": "card 4111 1111 1111 1111 seen"}})
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "report done"}}}, nil
		})
	eventually(t, "the added tool to be listed", func() bool { return slices.Contains(toolNames(t, e.agent), "report") })

	res := e.call("report", map[string]any{})
	if res.IsError || text(res) != "report done" {
		t.Fatalf("report: %+v %q (no progress token reached the upstream?)", res, text(res))
	}
	r := e.recorded(e.onlyRequest().ID)
	if r.Action.Summary != "MCP tool call db/report" {
		t.Fatalf("the added tool's call was not judged: %+v", r.Action)
	}
	eventually(t, "the progress and warning to reach the agent", func() bool {
		var progress, warning bool
		for _, m := range e.heard() {
			progress = progress || strings.HasPrefix(m, "progress: half way")
			warning = warning || strings.HasPrefix(m, "log warning:")
		}
		return progress && warning
	})
	for _, m := range e.heard() {
		clean(t, m)
		if strings.Contains(m, "debug detail") {
			t.Errorf("a debug message passed the agent's level info: %s", m)
		}
	}

	e.up.RemoveTools("report")
	eventually(t, "the removed tool to go", func() bool { return !slices.Contains(toolNames(t, e.agent), "report") })
	if names := toolNames(t, e.agent); !slices.Contains(names, "echo") {
		t.Fatalf("tools after removal: %v", names)
	}
}

// A call the agent cancels while it runs upstream is cancelled upstream.
func TestCancelledCallIsCancelledUpstream(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	started, cancelled := make(chan struct{}), make(chan struct{})
	e.up.AddTool(&mcp.Tool{Name: "report", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			close(started)
			select {
			case <-ctx.Done():
				close(cancelled)
			case <-time.After(10 * time.Second):
			}
			return nil, ctx.Err()
		})
	eventually(t, "the added tool to be listed", func() bool { return slices.Contains(toolNames(t, e.agent), "report") })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := e.agent.CallTool(ctx, &mcp.CallToolParams{Name: "report", Arguments: map[string]any{}})
		errc <- err
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not reach the upstream")
	}
	cancel()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream's handler was not cancelled")
	}
	if err := <-errc; err == nil {
		t.Fatal("the cancelled call returned no error")
	}
}
