package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// ClaudeMatcher is the PreToolUse matcher the installed hook uses: the
// tools that act on the world.
const ClaudeMatcher = "^(Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*)$"

// InstallOptions shape the installed hook.
type InstallOptions struct {
	Command string // the hook command, e.g. "countersign hook claude-code --env production"
	HTTPURL string // Claude Code only: an HTTP hook posting here instead of a command
	// Timeout is the hook's timeout in the tool's config, in seconds: it
	// must exceed the hook's own --wait, or the tool would give up first
	// and (both tools fail open on a timeout) run the call.
	Timeout int
}

// ClaudeSettings merges Countersign's PreToolUse hook into a
// .claude/settings.json (existing may be empty), replacing an earlier
// Countersign entry and keeping everything else.
func ClaudeSettings(existing []byte, o InstallOptions) ([]byte, error) {
	hook := map[string]any{"type": "command", "command": o.Command, "timeout": o.Timeout}
	if o.HTTPURL != "" {
		hook = map[string]any{"type": "http", "url": o.HTTPURL, "timeout": o.Timeout,
			"headers": map[string]any{"Authorization": "Bearer $COUNTERSIGN_KEY"}, "allowedEnvVars": []any{"COUNTERSIGN_KEY"}}
	}
	entry := map[string]any{"matcher": ClaudeMatcher, "hooks": []any{hook}}
	return mergeHooks(existing, "PreToolUse", []map[string]any{entry}, nil)
}

// CursorHooks merges Countersign's hooks into a .cursor/hooks.json.
func CursorHooks(existing []byte, o InstallOptions) ([]byte, error) {
	hook := map[string]any{"command": o.Command, "timeout": o.Timeout, "failClosed": true}
	out, err := mergeHooks(existing, "beforeShellExecution", []map[string]any{hook}, map[string]any{"version": 1})
	if err != nil {
		return nil, err
	}
	return mergeHooks(out, "beforeMCPExecution", []map[string]any{hook}, nil)
}

// mergeHooks sets doc.hooks[event] to its entries that are not Countersign's
// plus add; top holds fields to set when absent.
func mergeHooks(existing []byte, event string, add []map[string]any, top map[string]any) ([]byte, error) {
	doc := map[string]any{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &doc); err != nil {
			return nil, fmt.Errorf("the existing file is not JSON: %v", err)
		}
	}
	for k, v := range top {
		if _, ok := doc[k]; !ok {
			doc[k] = v
		}
	}
	hooks, _ := doc["hooks"].(map[string]any)
	if hooks == nil {
		if doc["hooks"] != nil {
			return nil, fmt.Errorf(`the existing file's "hooks" is not an object`)
		}
		hooks = map[string]any{}
	}
	var kept []any
	if old, ok := hooks[event].([]any); ok {
		kept = slices.DeleteFunc(old, isCountersign)
	}
	for _, a := range add {
		kept = append(kept, a)
	}
	hooks[event] = kept
	doc["hooks"] = hooks
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // URLs keep their & readable
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	return out.Bytes(), err
}

// isCountersign reports whether a hooks entry (Cursor's, or Claude Code's
// with nested hooks) is one Countersign installed.
func isCountersign(e any) bool {
	raw, _ := json.Marshal(e)
	return bytes.Contains(raw, []byte("countersign hook ")) || bytes.Contains(raw, []byte("/v1/hooks/claude-code"))
}
