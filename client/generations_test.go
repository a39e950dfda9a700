package client

import (
	"encoding/json"
	"fmt"
	"testing"

	countersign "github.com/countersign/countersign"
)

func mcpCall(msg string) countersign.SubmitInput {
	raw, _ := json.Marshal(map[string]any{"server": "everything", "tool": "echo",
		"arguments": map[string]any{"message": msg}, "annotations": map[string]any{"readOnlyHint": true}})
	return countersign.SubmitInput{Kind: countersign.ActionMCP, Environment: "staging", OnBehalfOf: "olive@example.com",
		Summary: "MCP tool call everything/echo", Payload: raw}
}

// The same call has the same stem whatever its key and execute flag; any
// other call, or the same in another environment, has another.
func TestKeyStem(t *testing.T) {
	a, b := mcpCall("hi"), mcpCall("hi")
	b.IdempotencyKey, b.Execute = "mcp-x.3", true
	other := mcpCall("ho")
	prod := mcpCall("hi")
	prod.Environment = "production"
	sa, _ := KeyStem("mcp", a)
	sb, _ := KeyStem("mcp", b)
	so, _ := KeyStem("mcp", other)
	sp, _ := KeyStem("mcp", prod)
	if sa != sb || sa == so || sa == sp {
		t.Fatalf("stems: same call %s %s, other %s, production %s", sa, sb, so, sp)
	}
}

// Generations move on only past the generation used, scopes do not meet,
// and the memory stays bounded.
func TestMemoryGenerations(t *testing.T) {
	g := NewMemoryGenerations()
	g.Bump("s", 0)
	g.Bump("s", 0) // a second bump of the same use changes nothing
	if got := g.Get("s"); got != 1 {
		t.Fatalf("after one use: %d, want 1", got)
	}
	a, b := Scoped(g, "agent:a"), Scoped(g, "agent:b")
	a.Bump("s", 0)
	if a.Get("s") != 1 || b.Get("s") != 0 {
		t.Fatalf("scopes meet: a %d b %d", a.Get("s"), b.Get("s"))
	}
	for i := range MaxRemembered + 10 {
		g.Bump(fmt.Sprint("k", i), 0)
	}
	if n := len(g.m); n > MaxRemembered {
		t.Fatalf("%d stems remembered, bound %d", n, MaxRemembered)
	}
}

// BenchmarkKeyStem is the cost per MCP call of its key stem:
// go test ./client -run XXX -bench KeyStem
func BenchmarkKeyStem(b *testing.B) {
	in := mcpCall("bench message 12345")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := KeyStem("mcp", in); err != nil {
			b.Fatal(err)
		}
	}
}
