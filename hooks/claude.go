package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	countersign "github.com/countersign/countersign"
)

// ClaudeInput is what Claude Code sends a PreToolUse hook, on stdin for a
// command hook and as the body of an HTTP hook
// (https://code.claude.com/docs/en/hooks; testdata/hooks/README.md). Fields
// newer versions add are optional; unknown fields are ignored.
type ClaudeInput struct {
	SessionID      string          `json:"session_id"`
	TranscriptPath string          `json:"transcript_path"`
	Cwd            string          `json:"cwd"`
	PermissionMode string          `json:"permission_mode"`
	HookEventName  string          `json:"hook_event_name"`
	ToolName       string          `json:"tool_name"`
	ToolInput      json.RawMessage `json:"tool_input"`
	ToolUseID      string          `json:"tool_use_id"`
	MCPServer      *struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	} `json:"mcp_server"`
}

// ParseClaude decodes a PreToolUse input.
func ParseClaude(raw []byte) (*ClaudeInput, error) {
	var in ClaudeInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("the hook input is not the JSON Claude Code sends: %v", err)
	}
	if in.HookEventName != "" && in.HookEventName != "PreToolUse" {
		return nil, fmt.Errorf("hook event %q: Countersign answers PreToolUse only", in.HookEventName)
	}
	if in.ToolName == "" {
		return nil, fmt.Errorf("the hook input names no tool_name")
	}
	if len(bytes.TrimSpace(in.ToolInput)) == 0 || bytes.Equal(bytes.TrimSpace(in.ToolInput), []byte("null")) {
		in.ToolInput = json.RawMessage(`{}`)
	}
	return &in, nil
}

// Context is what a hook adds to every action: where it runs and for whom.
type Context struct {
	Environment string
	OnBehalfOf  string
	// ProjectDir is the project's root where the hook knows it (Claude
	// Code's CLAUDE_PROJECT_DIR, given to command hooks): file paths are
	// relative to it. "" lets the hook input tell (see projectRoot).
	ProjectDir string
	// ResolvePath, when set (a command hook, on the machine where the tool
	// runs), resolves symbolic links in file paths, so that a link cannot
	// dress a protected file as another (see ResolveExisting).
	ResolvePath func(string) string
}

// Action returns the action a tool call is: Bash a shell action, Write,
// Edit and MultiEdit file changes (custom, see files.go), mcp__server__tool
// an MCP tool call, WebFetch an HTTP GET, and any other tool a custom
// action naming the tool with its input.
func (in *ClaudeInput) Action(c Context) (countersign.SubmitInput, error) {
	a := countersign.SubmitInput{Kind: countersign.ActionCustom, Environment: c.Environment, OnBehalfOf: c.OnBehalfOf,
		Labels: map[string]string{"via": "claude-code"}}
	if in.Cwd != "" {
		a.Labels["cwd"] = in.Cwd
	}
	var err error
	switch {
	case in.ToolName == "Bash":
		// The model's description of the command is not part of the
		// action: the same command retried with other words must find the
		// request that was approved.
		// Running it outside Claude Code's sandbox is another action.
		var t struct {
			Command   string `json:"command"`
			NoSandbox bool   `json:"dangerouslyDisableSandbox"`
		}
		if err = strict(in.ToolInput, &t); err == nil && strings.TrimSpace(t.Command) == "" {
			err = fmt.Errorf("no command in the Bash call")
		}
		if t.NoSandbox {
			a.Labels["sandbox"] = "disabled"
		}
		a.Kind, a.Summary, a.Payload = countersign.ActionShell, "Claude Code Bash command", marshal(map[string]any{"command": t.Command})
	case in.ToolName == "Write" || in.ToolName == "Edit" || in.ToolName == "MultiEdit":
		var fc *fileChange
		fc, err = parseFileChange(in.ToolName, in.Cwd, in.projectRoot(c), c.ResolvePath, in.ToolInput)
		if err == nil {
			a.Resource, a.Summary, a.Payload = "file:"+fc.Path, fc.summary(), marshal(fc)
		}
	case strings.HasPrefix(in.ToolName, "mcp__"):
		server, tool, ok := strings.Cut(strings.TrimPrefix(in.ToolName, "mcp__"), "__")
		if in.MCPServer != nil && in.MCPServer.Name != "" && strings.HasPrefix(in.ToolName, "mcp__"+in.MCPServer.Name+"__") {
			server, tool, ok = in.MCPServer.Name, strings.TrimPrefix(in.ToolName, "mcp__"+in.MCPServer.Name+"__"), true
		}
		if !ok || server == "" || tool == "" {
			err = fmt.Errorf("MCP tool name %q is not mcp__SERVER__TOOL", in.ToolName)
		}
		var args map[string]any
		if err == nil {
			err = exact(in.ToolInput, &args)
		}
		a.Kind, a.Summary = countersign.ActionMCP, "MCP tool call "+server+"/"+tool
		a.Payload = marshal(map[string]any{"server": server, "tool": tool, "arguments": args, "annotations": map[string]any{}})
	case in.ToolName == "WebFetch":
		var t struct {
			URL    string `json:"url"`
			Prompt string `json:"prompt"`
		}
		err = strict(in.ToolInput, &t)
		a.Kind, a.Summary, a.Payload = countersign.ActionHTTP, "WebFetch "+t.URL, marshal(map[string]any{"method": "GET", "url": t.URL})
	default:
		var input map[string]any
		err = exact(in.ToolInput, &input)
		a.Summary = in.ToolName + " tool call"
		a.Payload = marshal(map[string]any{"tool": in.ToolName, "input": input})
	}
	if err != nil {
		return countersign.SubmitInput{}, fmt.Errorf("%s: %w", in.ToolName, err)
	}
	return a, nil
}

// projectRoot is the directory file paths are made relative to: the
// session's project, not its cwd, which a Bash `cd .github` moves (a Write
// to workflows/deploy.yml from there is still .github/workflows/deploy.yml
// to policy). It is c.ProjectDir when the cwd is inside it; else the
// ancestor of the cwd that Claude Code named the session's transcript
// directory after (~/.claude/projects/-home-user-p/... for /home/user/p);
// else the cwd.
func (in *ClaudeInput) projectRoot(c Context) string {
	if in.Cwd == "" {
		return ""
	}
	cwd := filepath.Clean(in.Cwd)
	if c.ProjectDir != "" && within(filepath.Clean(c.ProjectDir), cwd) {
		return filepath.Clean(c.ProjectDir)
	}
	if in.TranscriptPath != "" {
		want := filepath.Base(filepath.Dir(in.TranscriptPath))
		for dir := cwd; ; dir = filepath.Dir(dir) {
			if sanitizedDir(dir) == want {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return cwd
}

// sanitizedDir is a directory as Claude Code names its project folders:
// every character but ASCII letters and digits becomes "-".
func sanitizedDir(dir string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, dir)
}

// within reports whether path is root or inside it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// ClaudeOutput is a PreToolUse hook's answer. A hook of Countersign's only
// ever answers allow or deny, never ask.
func ClaudeOutput(v Verdict) []byte {
	decision := "deny"
	if v.Allow {
		decision = "allow"
	}
	out, _ := json.Marshal(map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName": "PreToolUse", "permissionDecision": decision, "permissionDecisionReason": v.Reason}})
	return append(out, '\n')
}

// strict decodes a tool input into the fields a mapping reads; the other
// fields a tool sends (timeout, run_in_background, ...) do not change what
// the call does to the world and are not judged.
//
// Go's decoder matches a key to a field without regard to case, and the last
// match wins; the tools read keys exactly. So a key that is not one a
// mapping reads but folds to one ("COMMAND", "File_Path", "edit\u017f") is
// refused: the action would show it while the tool runs the other.
func strict(raw json.RawMessage, v any) error {
	if err := foldedKeys(raw); err != nil {
		return fmt.Errorf("tool_input: %v", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("tool_input: %v", err)
	}
	return nil
}

// readKeys are the tool_input keys the mappings decode into structs.
var readKeys = []string{"command", "dangerouslyDisableSandbox", "file_path", "content", "old_string", "new_string", "replace_all", "edits", "url", "prompt"}

// foldedKeys finds, in raw's objects at any depth, a key that differs from
// one of readKeys only in case.
func foldedKeys(raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	var walk func(any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				for _, want := range readKeys {
					if k != want && strings.EqualFold(k, want) {
						return fmt.Errorf("key %q is not %q", k, want)
					}
				}
				if err := walk(e); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(v)
}

// exact decodes a JSON object keeping numbers exact; nothing may follow it.
func exact(raw json.RawMessage, v *map[string]any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("tool_input: %v", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("tool_input: more than one JSON value")
	}
	if *v == nil {
		*v = map[string]any{}
	}
	return nil
}
