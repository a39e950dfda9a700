package hooks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/hooks"
)

var hc = hooks.Context{Environment: "production", OnBehalfOf: "olive@example.com"}

func payload(t *testing.T, a countersign.SubmitInput) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Each Claude Code tool call from the docs becomes the action policy reads.
func TestClaudeCodeActions(t *testing.T) {
	for _, c := range []struct {
		file  string
		kind  countersign.ActionKind
		check func(t *testing.T, a countersign.SubmitInput, p map[string]any)
	}{
		{"pretooluse-bash.json", countersign.ActionShell, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			if p["command"] != "kubectl delete namespace prod" || strings.Contains(a.Summary, "Delete the prod namespace") {
				t.Errorf("bash: %v %q", p, a.Summary)
			}
		}},
		{"pretooluse-write.json", countersign.ActionCustom, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			if p["tool"] != "Write" || p["path"] != ".github/workflows/deploy.yml" || a.Resource != "file:.github/workflows/deploy.yml" {
				t.Errorf("write: %v %q", p, a.Resource)
			}
			if p["lines_added"].(float64) < 1 || len(p["sha256"].(string)) != 64 {
				t.Errorf("write summary: %v", p)
			}
		}},
		{"pretooluse-edit.json", countersign.ActionCustom, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			edits := p["edits"].([]any)
			e := edits[0].(map[string]any)
			if p["path"] != "terraform/main.tf" || e["old"] != "  deletion_protection = true" || e["new"] != "  deletion_protection = false" {
				t.Errorf("edit: %v", p)
			}
			if a.Summary != "Edit terraform/main.tf (+1 -1 lines)" {
				t.Errorf("edit summary %q", a.Summary)
			}
		}},
		{"pretooluse-multiedit.json", countersign.ActionCustom, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			if p["tool"] != "MultiEdit" || len(p["edits"].([]any)) != 2 || p["lines_removed"].(float64) != 2 {
				t.Errorf("multiedit: %v", p)
			}
		}},
		{"pretooluse-mcp.json", countersign.ActionMCP, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			args := p["arguments"].(map[string]any)
			if p["server"] != "postgres" || p["tool"] != "query" || args["sql"] != "SELECT * FROM customers" {
				t.Errorf("mcp: %v", p)
			}
		}},
		{"pretooluse-webfetch.json", countersign.ActionHTTP, func(t *testing.T, a countersign.SubmitInput, p map[string]any) {
			if p["method"] != "GET" || p["url"] != "https://example.com/" {
				t.Errorf("webfetch: %v", p)
			}
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			in, err := hooks.ParseClaude(fixture(t, "claude-code/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := in.Action(hc)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != c.kind || a.Environment != "production" || a.OnBehalfOf != "olive@example.com" || a.Labels["via"] != "claude-code" {
				t.Fatalf("action %+v, want kind %s in production for olive via claude-code", a, c.kind)
			}
			if _, err := a.Action().Check(); err != nil {
				t.Fatalf("the server would refuse it: %v", err)
			}
			c.check(t, a, payload(t, a))
		})
	}
}

// Two writes of different content to one file are different actions, so an
// approval of one never lets the other run.
func TestFileChangesBindContent(t *testing.T) {
	mk := func(content string) string {
		raw, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "cwd": "/p", "tool_name": "Write",
			"tool_input": map[string]any{"file_path": "/p/.env", "content": content}})
		in, err := hooks.ParseClaude(raw)
		if err != nil {
			t.Fatal(err)
		}
		a, err := in.Action(hc)
		if err != nil {
			t.Fatal(err)
		}
		_, digest, err := a.Action().CanonicalDigest()
		if err != nil {
			t.Fatal(err)
		}
		return digest
	}
	long := string(make([]byte, 10000))
	if mk("A=1") == mk("A=2") || mk(long+"x") == mk(long+"y") {
		t.Fatal("different contents gave the same action digest")
	}
}

// Inputs a hook cannot read are errors (the hook then denies).
func TestClaudeCodeBadInputs(t *testing.T) {
	for name, raw := range map[string]string{
		"not json":       `{"tool_name": `,
		"other event":    `{"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}`,
		"no tool":        `{"hook_event_name": "PreToolUse", "tool_input": {}}`,
		"empty command":  `{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": " "}}`,
		"bad mcp name":   `{"hook_event_name": "PreToolUse", "tool_name": "mcp__postgres", "tool_input": {}}`,
		"array input":    `{"hook_event_name": "PreToolUse", "tool_name": "mcp__pg__query", "tool_input": [1]}`,
		"write, no path": `{"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"content": "x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			in, err := hooks.ParseClaude([]byte(raw))
			if err == nil {
				_, err = in.Action(hc)
			}
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// Cursor's shell and MCP hook inputs from its docs.
func TestCursorActions(t *testing.T) {
	in, err := hooks.ParseCursor(fixture(t, "cursor/before-shell.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := in.Action(hc)
	if err != nil || a.Kind != countersign.ActionShell || payload(t, a)["command"] != "kubectl delete namespace prod" || a.Labels["via"] != "cursor" {
		t.Fatalf("shell: %+v %v", a, err)
	}
	in, err = hooks.ParseCursor(fixture(t, "cursor/before-mcp.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err = in.Action(hc)
	if err != nil || a.Kind != countersign.ActionMCP {
		t.Fatalf("mcp: %+v %v", a, err)
	}
	p := payload(t, a)
	if p["tool"] != "query" || p["arguments"].(map[string]any)["sql"] != "SELECT * FROM customers" ||
		p["server"] != "npx -y @modelcontextprotocol/server-postgres postgresql://localhost/app" {
		t.Fatalf("mcp payload %v", p)
	}
	// tool_input as an object, as some versions send it, and a URL server.
	raw := []byte(`{"hook_event_name":"beforeMCPExecution","tool_name":"query","tool_input":{"sql":"select 1"},"url":"https://mcp.example.com/mcp"}`)
	in, err = hooks.ParseCursor(raw)
	if err == nil {
		a, err = in.Action(hc)
	}
	if err != nil || payload(t, a)["server"] != "mcp.example.com/mcp" {
		t.Fatalf("object tool_input with url: %+v %v", a, err)
	}
	if _, err := hooks.ParseCursor([]byte(`{"hook_event_name":"afterFileEdit"}`)); err == nil {
		t.Fatal("an unknown event was accepted")
	}
}

// The outputs have the documented shapes: Claude Code's hookSpecificOutput
// and Cursor's permission with messages; never "ask".
func TestOutputs(t *testing.T) {
	var doc, got map[string]map[string]any
	_ = json.Unmarshal(fixture(t, "claude-code/output-deny.json"), &doc)
	if err := json.Unmarshal(hooks.ClaudeOutput(hooks.Verdict{Reason: "no"}), &got); err != nil {
		t.Fatal(err)
	}
	for k := range doc["hookSpecificOutput"] {
		if _, ok := got["hookSpecificOutput"][k]; !ok {
			t.Errorf("Claude Code output lacks %s: %v", k, got)
		}
	}
	if got["hookSpecificOutput"]["permissionDecision"] != "deny" || got["hookSpecificOutput"]["hookEventName"] != "PreToolUse" {
		t.Errorf("deny output %v", got)
	}
	_ = json.Unmarshal(hooks.ClaudeOutput(hooks.Verdict{Allow: true, Reason: "ok"}), &got)
	if got["hookSpecificOutput"]["permissionDecision"] != "allow" {
		t.Errorf("allow output %v", got)
	}
	var cdoc, cgot map[string]any
	_ = json.Unmarshal(fixture(t, "cursor/output-deny.json"), &cdoc)
	_ = json.Unmarshal(hooks.CursorOutput(hooks.Verdict{Reason: "no"}), &cgot)
	for k := range cdoc {
		if _, ok := cgot[k]; !ok {
			t.Errorf("Cursor output lacks %s: %v", k, cgot)
		}
	}
	if cgot["permission"] != "deny" {
		t.Errorf("cursor deny %v", cgot)
	}
	_ = json.Unmarshal(hooks.CursorOutput(hooks.Verdict{Allow: true}), &cgot)
	if cgot["permission"] != "allow" {
		t.Errorf("cursor allow %v", cgot)
	}
}

// A Bash `cd` moves the session's cwd, but not what a file path is relative
// to: after `cd .github`, a Write to the workflows still has the path
// .github/workflows/..., so a policy on that prefix holds it. The project
// is the directory the session's transcript is named after, or
// CLAUDE_PROJECT_DIR (Context.ProjectDir) where the hook has it.
func TestFilePathRelativeToProjectNotCwd(t *testing.T) {
	write := func(cwd, transcript string) []byte {
		raw, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "Write",
			"transcript_path": transcript,
			"tool_input":      map[string]any{"file_path": "/home/user/my-project/.github/workflows/deploy.yml", "content": "x"}})
		return raw
	}
	const transcript = "/home/user/.claude/projects/-home-user-my-project/8c35adc1.jsonl"
	for name, c := range map[string]struct {
		raw []byte
		ctx hooks.Context
	}{
		"cd .github, transcript":           {write("/home/user/my-project/.github", transcript), hc},
		"cd .github/workflows, transcript": {write("/home/user/my-project/.github/workflows", transcript), hc},
		"cd .github, CLAUDE_PROJECT_DIR": {write("/home/user/my-project/.github", ""),
			hooks.Context{Environment: hc.Environment, OnBehalfOf: hc.OnBehalfOf, ProjectDir: "/home/user/my-project"}},
	} {
		t.Run(name, func(t *testing.T) {
			in, err := hooks.ParseClaude(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			a, err := in.Action(c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p := payload(t, a); p["path"] != ".github/workflows/deploy.yml" || a.Resource != "file:.github/workflows/deploy.yml" {
				t.Fatalf("path %q, resource %q: want .github/workflows/deploy.yml", p["path"], a.Resource)
			}
		})
	}
}

// Go's JSON decoder matches keys without regard to case (the last match
// wins), the tools read them exactly: a key spelled otherwise than the one
// the tool reads would let the action show a decoy while the tool does
// something else. Such inputs are refused.
func TestToolInputKeysMatchExactly(t *testing.T) {
	for name, input := range map[string]string{
		"bash":      `{"command": "kubectl delete namespace prod", "COMMAND": "ls"}`,
		"write":     `{"file_path": "/p/.github/workflows/x.yml", "File_Path": "/p/README.md", "content": "x"}`,
		"edit":      `{"file_path": "/p/a", "old_string": "a", "new_string": "evil", "New_String": "good"}`,
		"multiedit": `{"file_path": "/p/a", "edits": [{"old_string": "a", "new_string": "evil", "NEW_STRING": "good"}]}`,
		"webfetch":  `{"url": "https://evil.example/", "URL": "https://example.com/"}`,
		"long s":    "{\"file_path\": \"/p/a\", \"edits\": [{\"old_string\": \"a\", \"new_string\": \"evil\"}], \"edit\u017f\": [{\"old_string\": \"a\", \"new_string\": \"good\"}]}",
	} {
		t.Run(name, func(t *testing.T) {
			tool := map[string]string{"bash": "Bash", "write": "Write", "edit": "Edit", "multiedit": "MultiEdit",
				"webfetch": "WebFetch", "long s": "MultiEdit"}[name]
			raw := `{"hook_event_name": "PreToolUse", "cwd": "/p", "tool_name": "` + tool + `", "tool_input": ` + input + `}`
			in, err := hooks.ParseClaude([]byte(raw))
			if err == nil {
				var a countersign.SubmitInput
				a, err = in.Action(hc)
				if err == nil {
					t.Fatalf("accepted as %s", a.Payload)
				}
			}
		})
	}
}

// A Bash call that asks to run outside Claude Code's sandbox
// (dangerouslyDisableSandbox) is another action than the same command in
// the sandbox: an approval of the sandboxed one does not let it run
// unsandboxed, and reviewers and policy see it (label sandbox: disabled).
func TestBashSandboxIsPartOfTheAction(t *testing.T) {
	digest := func(input string) (string, countersign.SubmitInput) {
		in, err := hooks.ParseClaude([]byte(`{"hook_event_name": "PreToolUse", "cwd": "/p", "tool_name": "Bash", "tool_input": ` + input + `}`))
		if err != nil {
			t.Fatal(err)
		}
		a, err := in.Action(hc)
		if err != nil {
			t.Fatal(err)
		}
		_, d, err := a.Action().CanonicalDigest()
		if err != nil {
			t.Fatal(err)
		}
		return d, a
	}
	in, _ := digest(`{"command": "make deploy"}`)
	off, a := digest(`{"command": "make deploy", "dangerouslyDisableSandbox": true}`)
	if in == off || a.Labels["sandbox"] != "disabled" {
		t.Fatalf("unsandboxed: labels %v, same digest %v", a.Labels, in == off)
	}
	if same, _ := digest(`{"command": "make deploy", "dangerouslyDisableSandbox": false, "run_in_background": true}`); same != in {
		t.Fatal("sandboxed with other options: another action")
	}
}

// Cursor's tool_input string holds one JSON object: anything after it is
// refused, not dropped from the action.
func TestCursorToolInputTrailingData(t *testing.T) {
	raw, _ := json.Marshal(map[string]any{"hook_event_name": "beforeMCPExecution", "tool_name": "query",
		"url": "https://mcp.example.com/mcp", "tool_input": `{"sql": "select 1"} {"sql": "drop table orders"}`})
	in, err := hooks.ParseCursor(raw)
	if err == nil {
		var a countersign.SubmitInput
		if a, err = in.Action(hc); err == nil {
			t.Fatalf("accepted as %s", a.Payload)
		}
	}
}

// A command hook sees through symbolic links: a Write to a link (or through
// a linked directory) is judged as the file it reaches.
func TestFilePathsThroughLinks(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".github", "workflows", "deploy.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(".github", "workflows"), filepath.Join(root, "w")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(".github", "workflows", "deploy.yml"), filepath.Join(root, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	c := hc
	c.ProjectDir, c.ResolvePath = root, hooks.ResolveExisting
	for file, want := range map[string]string{
		"w/new.yml":         ".github/workflows/new.yml",
		"notes.txt":         ".github/workflows/deploy.yml",
		"src/new/file.go":   "src/new/file.go",
		"w/../w/deploy.yml": ".github/workflows/deploy.yml",
	} {
		raw, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "cwd": root, "tool_name": "Write",
			"tool_input": map[string]any{"file_path": filepath.Join(root, file), "content": "x"}})
		in, err := hooks.ParseClaude(raw)
		if err != nil {
			t.Fatal(err)
		}
		a, err := in.Action(c)
		if err != nil {
			t.Fatal(err)
		}
		if p := payload(t, a); p["path"] != want {
			t.Errorf("%s: path %v, want %s", file, p["path"], want)
		}
	}
}
