package mcpgate

import (
	"context"
	"encoding/json"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// denied reports whether policy denies every call of tool t for this agent,
// as far as the policy test endpoint can tell from a call with empty
// arguments: a tool is hidden only when that test answers deny.
//
// Hiding is a convenience for the model, not a control: every call is still
// judged when it is made. So listing fails open: when the test errors (the
// server is down, the key may not test) the tool is listed, and a tool whose
// denial depends on its arguments stays listed too.
func (g *gate) denied(ctx context.Context, t *mcp.Tool) bool {
	raw, err := json.Marshal(map[string]any{"server": g.cfg.Server, "tool": t.Name,
		"arguments": map[string]any{}, "annotations": annotationMap(t)})
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := g.cfg.API.TestPolicy(ctx, countersign.PolicyTestInput{Action: countersign.Action{
		Kind: countersign.ActionMCP, Environment: g.cfg.Environment, OnBehalfOf: g.cfg.OnBehalfOf,
		Summary: "MCP tool call " + g.cfg.Server + "/" + t.Name, Payload: raw}})
	if err != nil {
		g.cfg.Logger.Warn("hide-denied: policy test failed; listing the tool", "server", g.cfg.Server, "tool", t.Name, "error", err)
		return false
	}
	return d.Effect == countersign.EffectDeny
}
