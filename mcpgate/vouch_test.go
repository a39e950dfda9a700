package mcpgate_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/apitest"
	"github.com/countersign/countersign/mcpgate"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Behind a gateway key, the annotations the upstream advertised are
// believed for a trusted server: a read-only tool runs under a policy that
// allows read-only calls, and a destructive one does not; behind an
// ordinary agent key the same read-only call is not believed.
func TestGatewayKeyAnnotationsBelieved(t *testing.T) {
	const pol = `version: 1
default: deny
analysis: {mcp: {trusted_servers: [db]}}
rules:
  - name: reads
    match: action.kind == "mcp.tool" && mcp.read_only
    effect: allow
`
	for _, c := range []struct {
		name       string
		gateway    bool
		echoAllows bool
	}{{"gateway key", true, true}, {"agent key", false, false}} {
		t.Run(c.name, func(t *testing.T) {
			srv := apitest.Start(t, pol)
			p := agent
			p.Gateway = c.gateway
			api := srv.Client(t, p)
			calls := map[string]*atomic.Int32{}
			ctx, cancel := context.WithCancel(context.Background())
			upS, upC := mcp.NewInMemoryTransports()
			upSession, err := upstream(calls).Connect(ctx, upS, nil)
			if err != nil {
				t.Fatal(err)
			}
			downS, downC := mcp.NewInMemoryTransports()
			served := make(chan error, 1)
			go func() {
				served <- mcpgate.Serve(ctx, mcpgate.Config{Server: "db", API: api, Environment: "production",
					OnBehalfOf: "olive@example.com", Hold: 100 * time.Millisecond}, upC, downS)
			}()
			session, err := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, nil).Connect(ctx, downC, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				session.Close()
				cancel()
				<-served
				upSession.Close()
			}()
			echo := callTool(t, session, "echo", map[string]any{"text": "hi"})
			drop := callTool(t, session, "drop", map[string]any{"text": "orders"})
			if echo.IsError == c.echoAllows || calls["echo"].Load() != map[bool]int32{true: 1, false: 0}[c.echoAllows] {
				t.Fatalf("echo (advertised read-only): error %v, upstream calls %d; want allowed %v", echo.IsError, calls["echo"].Load(), c.echoAllows)
			}
			if !drop.IsError || calls["drop"].Load() != 0 {
				t.Fatalf("drop (advertised destructive) ran: %+v", drop)
			}
		})
	}
}
