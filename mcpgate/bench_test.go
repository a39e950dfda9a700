package mcpgate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/apitest"
	"github.com/countersign/countersign/internal/npmtest"
	"github.com/countersign/countersign/mcpgate"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const benchPolicy = `version: 1
default: deny
rules:
  - name: mcp
    match: action.kind == "mcp.tool"
    effect: allow
`

// everythingTransport starts node server-everything over stdio.
func everythingTransport(b *testing.B, ctx context.Context) mcp.Transport {
	b.Helper()
	everything := npmtest.Bin(b, "mcp-server-everything")
	node := npmtest.Node(b)
	cmd := npmtest.Command(ctx, b, node, everything)
	cmd.Stderr = nil // its banner is noise here
	return &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}
}

// BenchmarkMCPEcho measures, in one run, server-everything's echo called by
// a go-sdk client directly (CommandTransport to node) and through
// mcpgate.Serve (in-memory to the client, CommandTransport to node) judged
// by a real Countersign server (httpapi over loopback HTTP, SQLite, a policy
// allowing mcp.tool): every gateway call submits with execute (one round
// trip, one commit), forwards, masks, answers and then records the result.
// api-only is the Countersign part on the call's path alone (submit with
// execute through the client), without MCP. Each
// sub-benchmark reports p50/p99 per call and calls/s, sequentially (seq) and
// with 4 concurrent callers (par4).
func BenchmarkMCPEcho(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The Countersign server.
	api := apitest.Start(b, benchPolicy).Client(b, agent)

	newClient := func() *mcp.Client {
		return mcp.NewClient(&mcp.Implementation{Name: "bench-agent", Version: "1"}, nil)
	}
	// Direct: the client talks to server-everything.
	direct, err := newClient().Connect(ctx, everythingTransport(b, ctx), nil)
	if err != nil {
		b.Fatalf("connect to server-everything: %v", err)
	}
	defer direct.Close()

	// Gateway: the client talks to mcpgate.Serve, which talks to another
	// server-everything.
	downS, downC := mcp.NewInMemoryTransports()
	served := make(chan error, 1)
	go func() {
		served <- mcpgate.Serve(ctx, mcpgate.Config{Server: "everything", API: api, Environment: "staging",
			OnBehalfOf: "olive@example.com"}, everythingTransport(b, ctx), downS)
	}()
	gated, err := newClient().Connect(ctx, downC, nil)
	if err != nil {
		b.Fatalf("connect to the gateway: %v", err)
	}
	defer func() {
		gated.Close()
		cancel()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			b.Error("Serve did not return")
		}
	}()

	var seq atomic.Int64 // distinct messages: each gateway call is a new request
	echo := func(s *mcp.ClientSession) func() error {
		return func() error {
			msg := fmt.Sprintf("bench message %d", seq.Add(1))
			res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
			if err != nil {
				return err
			}
			if res.IsError || len(res.Content) == 0 || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, msg) {
				return fmt.Errorf("echo %q: %+v", msg, res.Content)
			}
			return nil
		}
	}
	apiOnly := func() error {
		msg := fmt.Sprintf("bench message %d", seq.Add(1))
		raw, _ := json.Marshal(map[string]any{"server": "everything", "tool": "echo",
			"arguments": map[string]any{"message": msg}, "annotations": map[string]any{}})
		res, err := api.Submit(ctx, countersign.SubmitInput{Kind: countersign.ActionMCP, Environment: "staging",
			OnBehalfOf: "olive@example.com", Summary: "MCP tool call everything/echo", Payload: raw,
			IdempotencyKey: "bench-" + msg, Execute: true})
		if err != nil {
			return err
		}
		if !res.Executed {
			return fmt.Errorf("submit: state %s, want executed", res.State)
		}
		return nil
	}

	// Warm both paths (JIT of node, connections, SQLite pages).
	for range 20 {
		for _, f := range []func() error{echo(direct), echo(gated)} {
			if err := f(); err != nil {
				b.Fatal(err)
			}
		}
	}

	for _, path := range []struct {
		name string
		call func() error
	}{{"direct", echo(direct)}, {"gateway", echo(gated)}, {"api-only", apiOnly}} {
		for _, callers := range []int{1, 4, 16} {
			name := path.name + "/seq"
			if callers > 1 {
				name = fmt.Sprintf("%s/par%d", path.name, callers)
			}
			b.Run(name, func(b *testing.B) { runCalls(b, callers, path.call) })
		}
	}
}

// runCalls makes b.N calls from callers goroutines and reports p50/p99 per
// call and calls/s.
func runCalls(b *testing.B, callers int, call func() error) {
	var (
		next atomic.Int64
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := call(); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(0, "ns/op") // per-call figures above; ns/op would mix in the callers
}
