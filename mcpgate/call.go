package mcpgate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxResubmits bounds how many used-up requests (executed earlier) one call
// skips before it gives up.
const maxResubmits = 64

// callHandler returns the handler that judges calls of the upstream tool t.
func (g *gate) callHandler(t *mcp.Tool) mcp.ToolHandler {
	annotations := annotationMap(t)
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := decodeArgs(req.Params.Arguments)
		if err != nil {
			return errorResult("The arguments of %s must be a JSON object (%v); the call was not made.", t.Name, err), nil
		}
		payload := map[string]any{"server": g.cfg.Server, "tool": t.Name, "arguments": args, "annotations": annotations}
		if tc, ok := g.cfg.Tools[t.Name]; ok {
			// A configured SQL or shell argument that is absent or not a
			// string would be judged without its analyser's facts: refuse.
			for _, a := range []struct{ arg, field string }{{tc.SQLArg, "sql"}, {tc.ShellArg, "command"}} {
				if a.arg == "" {
					continue
				}
				s, ok := args[a.arg].(string)
				if !ok {
					return errorResult("The argument %q of %s must be a string (it is judged as %s); the call was not made.",
						a.arg, t.Name, a.field), nil
				}
				payload[a.field] = s
			}
		}
		raw, err := json.Marshal(payload)
		if err != nil {
			return errorResult("The arguments of %s cannot be encoded (%v); the call was not made.", t.Name, err), nil
		}
		// Execute: an allowed call's grant is taken in the submission
		// itself, one round trip and one commit before forwarding.
		in := countersign.SubmitInput{Kind: countersign.ActionMCP, Environment: g.cfg.Environment,
			OnBehalfOf: g.cfg.OnBehalfOf, Summary: "MCP tool call " + g.cfg.Server + "/" + t.Name, Payload: raw,
			Execute: true}
		base, err := client.KeyStem("mcp", in)
		if err != nil {
			return errorResult("The call to %s cannot be described to Countersign (%v); the call was not made.", t.Name, err), nil
		}
		for range maxResubmits {
			gen := g.gens.Get(base)
			in.IdempotencyKey = fmt.Sprintf("%s.%d", base, gen)
			res, err := g.cfg.API.Submit(ctx, in)
			if countersign.ErrorCode(err) == countersign.EGrantUsed {
				// Approved earlier, and an identical call elsewhere took the
				// grant between the lookup and the execution.
				g.gens.Bump(base, gen)
				continue
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return notMade(t.Name, err), nil
			}
			if res.State == countersign.StateExecuted && !res.Executed { // an earlier identical call used it up
				g.gens.Bump(base, gen)
				continue
			}
			c := &call{g: g, req: req, tool: t.Name, args: args, base: base, gen: gen}
			r, err := c.decided(ctx, res)
			if errors.Is(err, errGrantUsed) { // an identical call elsewhere (another session) ran it first
				continue
			}
			return r, err
		}
		return errorResult("Too many earlier identical calls of %s; the call was not made.", t.Name), nil
	}
}

// annotationMap returns the tool's advertised annotations as a JSON object.
func annotationMap(t *mcp.Tool) map[string]any {
	out := map[string]any{}
	if t.Annotations != nil {
		raw, _ := json.Marshal(t.Annotations)
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// decodeArgs decodes a call's arguments, keeping numbers exact.
func decodeArgs(raw json.RawMessage) (map[string]any, error) {
	args := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return args, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&args); err != nil {
		return nil, err
	}
	return args, nil
}

// notMade is the result of a call that could not be judged.
func notMade(tool string, err error) *mcp.CallToolResult {
	return errorResult("Countersign could not judge this call (%s), so the call to %s was not made. "+
		"Try again later, or ask the user to check the Countersign server.", countersign.Describe(err), tool)
}
