package analyze

import "slices"

// MCP's defaults for tool annotations: what a client must assume when a
// hint is absent, or when the server is not trusted to give it.
const (
	defaultReadOnly    = false
	defaultDestructive = true
	defaultIdempotent  = false
	defaultOpenWorld   = true
)

// MCP returns the facts of an MCP tool call: payload {server, tool,
// arguments, annotations}. Annotations are believed only when the server is
// in trusted; otherwise MCP's pessimistic defaults apply and the claimed
// hints are kept, for the record, under "claimed".
func MCP(payload map[string]any, trusted []string) map[string]any {
	server, _ := payload["server"].(string)
	tool, _ := payload["tool"].(string)
	claimed, _ := payload["annotations"].(map[string]any)
	if claimed == nil {
		claimed = map[string]any{}
	}
	isTrusted := slices.Contains(trusted, server)
	hint := func(name string, def bool) bool {
		if !isTrusted {
			return def
		}
		if v, ok := claimed[name].(bool); ok {
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
		"read_only":   readOnly,
		"destructive": destructive,
		"idempotent":  idempotent,
		"open_world":  hint("openWorldHint", defaultOpenWorld),
		"claimed":     claimed,
		"arguments":   int64(argsSize),
	}
}
