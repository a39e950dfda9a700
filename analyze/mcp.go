package analyze

import (
	"context"
	"slices"
)

// MCP's defaults for tool annotations: what a client must assume when a
// hint is absent, or when no trusted source gave it.
const (
	defaultReadOnly    = false
	defaultDestructive = true
	defaultIdempotent  = false
	defaultOpenWorld   = true
)

type advertisedKey struct{}

// WithAdvertised returns a context carrying the annotations the MCP server
// itself advertised for the tool being called. Only a way in that fetched
// them from the server (the MCP gateway) may set it; annotations in an
// action's payload come from the agent and are never believed.
func WithAdvertised(ctx context.Context, annotations map[string]any) context.Context {
	return context.WithValue(ctx, advertisedKey{}, annotations)
}

// advertised returns the annotations WithAdvertised put in ctx.
func advertised(ctx context.Context) map[string]any {
	m, _ := ctx.Value(advertisedKey{}).(map[string]any)
	return m
}

// MCP returns the facts of an MCP tool call: payload {server, tool,
// arguments, annotations}. Hints are believed only when the server is in
// trusted and the annotations were advertised by the server itself
// (WithAdvertised); otherwise MCP's pessimistic defaults apply. The
// annotations the payload claims are kept, for the record, under "claimed".
func MCP(ctx context.Context, payload map[string]any, trusted []string) map[string]any {
	server, _ := payload["server"].(string)
	tool, _ := payload["tool"].(string)
	claimed, _ := payload["annotations"].(map[string]any)
	if claimed == nil {
		claimed = map[string]any{}
	}
	isTrusted := slices.Contains(trusted, server)
	hints := advertised(ctx)
	believed := isTrusted && hints != nil
	hint := func(name string, def bool) bool {
		if !believed {
			return def
		}
		if v, ok := hints[name].(bool); ok {
			return v
		}
		return def
	}
	readOnly := hint("readOnlyHint", defaultReadOnly)
	// destructiveHint and idempotentHint mean something only for a tool that
	// is not read-only.
	destructive := !readOnly && hint("destructiveHint", defaultDestructive)
	idempotent := readOnly || hint("idempotentHint", defaultIdempotent)
	argsSize := 0
	if args, ok := payload["arguments"].(map[string]any); ok {
		argsSize = len(args)
	}
	return map[string]any{
		"server":      server,
		"tool":        tool,
		"trusted":     isTrusted,
		"advertised":  believed,
		"read_only":   readOnly,
		"destructive": destructive,
		"idempotent":  idempotent,
		"open_world":  hint("openWorldHint", defaultOpenWorld),
		"claimed":     claimed,
		"arguments":   int64(argsSize),
	}
}
