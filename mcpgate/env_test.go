//lint:file-ignore SA1019 MCP logging is deprecated (SEP-2577) but still in the protocol and used by servers; a transparent gateway passes it on until it is removed.

package mcpgate_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/internal/apitest"
	"github.com/countersign/countersign/mcpgate"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const testPolicy = `version: 1
default: deny
rules:
  - name: reads
    match: action.kind == "mcp.tool" && action.payload.tool in ["echo", "lookup", "report"]
    effect: allow
  - name: queries
    match: action.kind == "mcp.tool" && action.payload.tool == "query"
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 10m, grant_ttl: 5m}
  - name: no-drop
    match: action.kind == "mcp.tool" && action.payload.tool == "drop"
    effect: deny
    reason: dropping tables is not allowed
`

// secret is what every upstream tool returns: an email and a card number.
const secret = "contact jane.doe@acme-corp.io, card 4111 1111 1111 1111"

var (
	admin = countersign.Principal{Kind: countersign.KindAdmin, Name: "admin"}
	agent = countersign.Principal{Kind: countersign.KindAgent, Name: "mcp-gw", Owner: "olive@example.com"}
	dana  = countersign.Principal{Kind: countersign.KindHuman, Name: "dana@example.com"}
)

// env is a Countersign server, an upstream MCP server, the gateway between
// them and an agent's session.
type env struct {
	t     *testing.T
	srv   *apitest.Server
	svc   *gateway.Service
	api   *client.Client // the agent's key
	calls map[string]*atomic.Int32
	agent *mcp.ClientSession
	// progress counts the progress notifications the agent received.
	progress atomic.Int32
	up       *mcp.Server // the upstream server, to change its tools

	mu   sync.Mutex
	seen []string // the messages of progress and log notifications the agent received
}

// heard returns the progress and log messages the agent received so far.
func (e *env) heard() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.seen)
}

func (e *env) hear(s string) {
	e.mu.Lock()
	e.seen = append(e.seen, s)
	e.mu.Unlock()
}

type textIn struct {
	Text string `json:"text,omitempty"`
	SQL  string `json:"sql,omitempty"`
}

// upstream returns an MCP server with tools echo, query, drop and lookup
// that count their calls.
func upstream(calls map[string]*atomic.Int32) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "db", Version: "1"}, nil)
	for _, name := range []string{"echo", "query", "drop"} {
		calls[name] = new(atomic.Int32)
		mcp.AddTool(s, &mcp.Tool{Name: name, Annotations: &mcp.ToolAnnotations{ReadOnlyHint: name != "drop"}},
			func(ctx context.Context, req *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
				calls[name].Add(1)
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: name + " " + in.Text + in.SQL + ": " + secret}}}, nil, nil
			})
	}
	calls["lookup"] = new(atomic.Int32)
	s.AddTool(&mcp.Tool{Name: "lookup", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			calls["lookup"].Add(1)
			return &mcp.CallToolResult{
				Content: []mcp.Content{&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "db://row/1", Text: secret}},
					&mcp.ResourceLink{URI: "db://row/2", Name: "row 2", Description: secret}},
				StructuredContent: map[string]any{"email": "jane.doe@acme-corp.io", "note": "ok"},
			}, nil
		})
	return s
}

// newEnv starts everything; apiURL, when not "", replaces the Countersign
// server's address (to point the gateway at one that is down).
func newEnv(t *testing.T, hold time.Duration, apiURL string) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := apitest.Start(t, testPolicy)
	key := srv.Key(t, agent)
	if apiURL == "" {
		apiURL = srv.URL
	}
	e := &env{t: t, srv: srv, svc: srv.Svc, api: client.New(apiURL, key), calls: map[string]*atomic.Int32{}}

	upS, upC := mcp.NewInMemoryTransports()
	e.up = upstream(e.calls)
	upSession, err := e.up.Connect(ctx, upS, nil)
	if err != nil {
		t.Fatal(err)
	}
	downS, downC := mcp.NewInMemoryTransports()
	served := make(chan error, 1)
	go func() {
		served <- mcpgate.Serve(ctx, mcpgate.Config{Server: "db", API: e.api, Environment: "production",
			OnBehalfOf: "olive@example.com", Hold: hold, Tools: map[string]mcpgate.ToolConfig{"query": {SQLArg: "sql"}}}, upC, downS)
	}()
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			e.progress.Add(1)
			e.hear("progress: " + r.Params.Message)
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			raw, _ := json.Marshal(r.Params.Data)
			e.hear("log " + string(r.Params.Level) + ": " + string(raw))
		},
	})
	e.agent, err = c.Connect(ctx, downC, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.agent.Close()
		cancel()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return")
		}
		upSession.Close()
	})
	return e
}

// call calls a tool as the agent, with a progress token.
func (e *env) call(name string, args map[string]any) *mcp.CallToolResult {
	e.t.Helper()
	p := &mcp.CallToolParams{Name: name, Arguments: args}
	p.SetProgressToken("tok-" + name)
	res, err := e.agent.CallTool(context.Background(), p)
	if err != nil {
		e.t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// text returns the text of a result's content.
func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		switch c := c.(type) {
		case *mcp.TextContent:
			b.WriteString(c.Text)
		case *mcp.EmbeddedResource:
			b.WriteString(c.Resource.Text)
		case *mcp.ResourceLink:
			b.WriteString(c.URI + " " + c.Name + " " + c.Title + " " + c.Description)
		}
	}
	return b.String()
}

// pending waits for the one pending request and returns it.
func (e *env) pending() *countersign.Request {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		rs, _, err := e.svc.List(context.Background(), admin, countersign.ListRequestsParams{State: countersign.StatePending})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(rs) == 1 {
			return rs[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatal("no pending request")
	return nil
}

func (e *env) review(id string, v countersign.Verdict, reason string) {
	e.t.Helper()
	if _, err := e.svc.Review(context.Background(), dana, id, gateway.ReviewInput{Verdict: v, Reason: reason}); err != nil {
		e.t.Fatalf("review %s: %v", id, err)
	}
}

func (e *env) get(id string) *countersign.Request {
	e.t.Helper()
	return e.srv.Request(e.t, id)
}

// recorded waits for the result of request id, which the gateway records
// after answering the call, and returns the request.
func (e *env) recorded(id string) *countersign.Request {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := e.get(id)
		if len(r.Result) > 0 || time.Now().After(deadline) {
			return r
		}
		time.Sleep(5 * time.Millisecond)
	}
}
