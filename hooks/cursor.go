package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	countersign "github.com/countersign/countersign"
)

// CursorInput is what Cursor sends its beforeShellExecution and
// beforeMCPExecution hooks on stdin (https://cursor.com/docs/hooks;
// testdata/hooks/README.md).
type CursorInput struct {
	ConversationID string   `json:"conversation_id"`
	GenerationID   string   `json:"generation_id"`
	HookEventName  string   `json:"hook_event_name"`
	WorkspaceRoots []string `json:"workspace_roots"`
	UserEmail      string   `json:"user_email"`
	// beforeShellExecution
	Command string `json:"command"`
	Cwd     string `json:"cwd"`
	// beforeMCPExecution: the server is known by its URL or its command
	// (which is also Command); tool_input is a JSON-encoded string in the
	// docs and an object in some versions.
	ToolName      string          `json:"tool_name"`
	ToolInput     json.RawMessage `json:"tool_input"`
	URL           string          `json:"url"`
	MCPServerName string          `json:"mcp_server_name"` // seen in some versions; not documented
}

// ParseCursor decodes a Cursor hook input.
func ParseCursor(raw []byte) (*CursorInput, error) {
	var in CursorInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("the hook input is not the JSON Cursor sends: %v", err)
	}
	switch in.HookEventName {
	case "beforeShellExecution":
		if strings.TrimSpace(in.Command) == "" {
			return nil, fmt.Errorf("beforeShellExecution without a command")
		}
	case "beforeMCPExecution":
		if in.ToolName == "" {
			return nil, fmt.Errorf("beforeMCPExecution without a tool_name")
		}
	default:
		return nil, fmt.Errorf("hook event %q: Countersign answers beforeShellExecution and beforeMCPExecution", in.HookEventName)
	}
	return &in, nil
}

// Action returns the action the call is: a shell command, or an MCP tool
// call whose server is the one the input names (mcp_server_name), else the
// host and path of its URL, else its command line.
func (in *CursorInput) Action(c Context) (countersign.SubmitInput, error) {
	a := countersign.SubmitInput{Environment: c.Environment, OnBehalfOf: c.OnBehalfOf, Labels: map[string]string{"via": "cursor"}}
	if in.Cwd != "" {
		a.Labels["cwd"] = in.Cwd
	} else if len(in.WorkspaceRoots) > 0 {
		a.Labels["cwd"] = in.WorkspaceRoots[0]
	}
	if in.HookEventName == "beforeShellExecution" {
		a.Kind, a.Payload = countersign.ActionShell, marshal(map[string]any{"command": in.Command})
		return a, nil
	}
	args, err := toolArgs(in.ToolInput)
	if err != nil {
		return countersign.SubmitInput{}, err
	}
	server := in.MCPServerName
	if server == "" && in.URL != "" {
		u, err := url.Parse(in.URL)
		if err != nil || u.Host == "" {
			return countersign.SubmitInput{}, fmt.Errorf("MCP server URL %q cannot be read", in.URL)
		}
		// Host and path: two servers on one host are two servers.
		server = u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	}
	if server == "" {
		server = strings.TrimSpace(in.Command)
	}
	if server == "" {
		return countersign.SubmitInput{}, fmt.Errorf("the MCP call names no server (url or command)")
	}
	a.Kind, a.Summary = countersign.ActionMCP, "MCP tool call "+server+"/"+in.ToolName
	a.Payload = marshal(map[string]any{"server": server, "tool": in.ToolName, "arguments": args, "annotations": map[string]any{}})
	return a, nil
}

// toolArgs reads tool_input as an object, or as a string holding one.
func toolArgs(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return map[string]any{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("tool_input: %v", err)
		}
		if strings.TrimSpace(s) == "" {
			return map[string]any{}, nil
		}
		raw = []byte(s)
	}
	var args map[string]any
	if err := exact(raw, &args); err != nil {
		return nil, err
	}
	return args, nil
}

// CursorOutput is a Cursor hook's answer: allow or deny (never ask), with a
// message for the user and one for the agent. Both spellings of the
// message fields are written: the current docs use snake_case, Cursor 1.7
// camelCase.
func CursorOutput(v Verdict) []byte {
	permission := "deny"
	user := "Countersign denied this: " + v.Reason
	if v.Allow {
		permission, user = "allow", v.Reason
	}
	out, _ := json.Marshal(map[string]any{"permission": permission, "user_message": user, "agent_message": v.Reason,
		"userMessage": user, "agentMessage": v.Reason})
	return append(out, '\n')
}
