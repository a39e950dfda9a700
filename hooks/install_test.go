package hooks_test

import (
	"encoding/json"
	"testing"

	"github.com/countersign/countersign/hooks"
)

// Installing merges into an existing settings file: the user's other
// settings and hooks stay, an earlier Countersign hook is replaced, and the
// hook has the documented shape.
func TestClaudeSettingsMerge(t *testing.T) {
	existing := []byte(`{"permissions": {"allow": ["Bash(npm test)"]},
	  "hooks": {"PreToolUse": [
	    {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint-hook.sh"}]},
	    {"matcher": "Bash", "hooks": [{"type": "command", "command": "countersign hook claude-code --env old"}]}],
	   "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt.sh"}]}]}}`)
	o := hooks.InstallOptions{Command: "countersign hook claude-code --env production", Timeout: 330}
	out, err := hooks.ClaudeSettings(existing, o)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Permissions map[string]any `json:"permissions"`
		Hooks       map[string][]struct {
			Matcher string `json:"matcher"`
			Hooks   []struct {
				Type    string `json:"type"`
				Command string `json:"command"`
				Timeout int    `json:"timeout"`
			} `json:"hooks"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	pre := got.Hooks["PreToolUse"]
	if got.Permissions == nil || len(got.Hooks["PostToolUse"]) != 1 || len(pre) != 2 || pre[0].Hooks[0].Command != "./lint-hook.sh" {
		t.Fatalf("merged settings lost something:\n%s", out)
	}
	h := pre[1]
	if h.Matcher != hooks.ClaudeMatcher || h.Hooks[0].Type != "command" || h.Hooks[0].Command != o.Command || h.Hooks[0].Timeout != 330 {
		t.Fatalf("countersign hook: %+v", h)
	}
	// The documented example has the same shape.
	var doc map[string]any
	if err := json.Unmarshal(fixture(t, "claude-code/settings-command.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["hooks"].(map[string]any)["PreToolUse"]; !ok {
		t.Fatal("fixture has no PreToolUse")
	}
	// Installing twice is idempotent.
	again, err := hooks.ClaudeSettings(out, o)
	if err != nil || string(again) != string(out) {
		t.Fatalf("second install changed the file:\n%s", again)
	}
	if _, err := hooks.ClaudeSettings([]byte(`{"hooks": []}`), o); err == nil {
		t.Fatal("a settings file whose hooks is not an object was overwritten")
	}
	httpOut, err := hooks.ClaudeSettings(nil, hooks.InstallOptions{HTTPURL: "http://127.0.0.1:8080/v1/hooks/claude-code?wait=5m0s", Timeout: 330})
	if err != nil {
		t.Fatal(err)
	}
	var hs struct {
		Hooks map[string][]struct {
			Hooks []map[string]any `json:"hooks"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(httpOut, &hs); err != nil {
		t.Fatal(err)
	}
	hh := hs.Hooks["PreToolUse"][0].Hooks[0]
	if hh["type"] != "http" || hh["headers"].(map[string]any)["Authorization"] != "Bearer $COUNTERSIGN_KEY" {
		t.Fatalf("http hook %v", hh)
	}
}

func TestCursorHooksMerge(t *testing.T) {
	existing := []byte(`{"version": 1, "hooks": {"afterFileEdit": [{"command": "./format.sh"}],
	  "beforeShellExecution": [{"command": "./audit.sh"}, {"command": "countersign hook cursor --wait 1m"}]}}`)
	out, err := hooks.CursorHooks(existing, hooks.InstallOptions{Command: "countersign hook cursor", Timeout: 330})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version int                         `json:"version"`
		Hooks   map[string][]map[string]any `json:"hooks"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	shell := got.Hooks["beforeShellExecution"]
	if got.Version != 1 || len(got.Hooks["afterFileEdit"]) != 1 || len(shell) != 2 || shell[0]["command"] != "./audit.sh" {
		t.Fatalf("merged hooks lost something:\n%s", out)
	}
	for _, ev := range []string{"beforeShellExecution", "beforeMCPExecution"} {
		h := got.Hooks[ev][len(got.Hooks[ev])-1]
		if h["command"] != "countersign hook cursor" || h["failClosed"] != true || h["timeout"].(float64) != 330 {
			t.Fatalf("%s: %v", ev, h)
		}
	}
}
