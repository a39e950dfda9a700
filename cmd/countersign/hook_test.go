package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
)

// runHook runs `countersign ARGS` with stdin and returns the exit code and
// stdout.
func runHook(t *testing.T, stdin []byte, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errb)
	if errb.Len() > 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return code, out.String()
}

func hookFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The hook commands as Claude Code and Cursor run them: the docs' JSON on
// stdin, the decision on stdout, exit 0; a held call is denied naming the
// request, and allowed when made again once approved.
func TestHookCommands(t *testing.T) {
	e := newEnv(t, "")
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "claude", Owner: "olive@example.com"})
	dana := e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_KEY", agent)
	t.Setenv("COUNTERSIGN_STATE_DIR", t.TempDir())
	decision := func(out string) (string, string) {
		var o struct {
			H struct {
				D string `json:"permissionDecision"`
				R string `json:"permissionDecisionReason"`
			} `json:"hookSpecificOutput"`
		}
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatalf("hook output %q: %v", out, err)
		}
		return o.H.D, o.H.R
	}

	bash := hookFixture(t, "claude-code/pretooluse-bash.json")
	if code, out := runHook(t, bash, "hook", "claude-code", "--env", "staging"); code != 0 {
		t.Fatalf("staging: exit %d", code)
	} else if d, why := decision(out); d != "allow" {
		t.Fatalf("staging: %s %s, want allow", d, why)
	}
	code, out := runHook(t, bash, "hook", "claude-code", "--env", "production", "--wait", "200ms")
	d, why := decision(out)
	if code != 0 || d != "deny" || !strings.Contains(why, "act_") {
		t.Fatalf("production: exit %d %s %s, want deny naming the request", code, d, why)
	}
	id := why[strings.Index(why, "act_"):]
	id = id[:strings.IndexAny(id, " .")]
	st, eb := e.call(dana, "POST", "/v1/actions/"+id+"/reviews", countersign.ReviewInput{Verdict: countersign.VerdictApprove}, nil)
	e.want(200, "", st, eb, "dana approves")
	if _, out := runHook(t, bash, "hook", "claude-code", "--env", "production"); !strings.Contains(out, `"allow"`) || !strings.Contains(out, id) {
		t.Fatalf("after approval: %s", out)
	}

	// Cursor: allow and deny, never ask.
	cur := hookFixture(t, "cursor/before-shell.json")
	var c struct {
		Permission string `json:"permission"`
		Agent      string `json:"agent_message"`
	}
	_, out = runHook(t, cur, "hook", "cursor", "--env", "staging")
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Permission != "allow" {
		t.Fatalf("cursor staging: %s %v", out, err)
	}
	_, out = runHook(t, cur, "hook", "cursor", "--env", "production", "--wait", "0s")
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Permission != "deny" || !strings.Contains(c.Agent, "act_") {
		t.Fatalf("cursor production: %s %v", out, err)
	}

	// Errors deny: unreadable input, no key, server down.
	if _, out := runHook(t, []byte("{"), "hook", "claude-code"); !strings.Contains(out, `"deny"`) {
		t.Fatalf("bad input: %s", out)
	}
	t.Setenv("COUNTERSIGN_URL", "http://127.0.0.1:1")
	if _, out := runHook(t, bash, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"deny"`) || !strings.Contains(out, "could not judge") {
		t.Fatalf("server down: %s", out)
	}
	t.Setenv("COUNTERSIGN_KEY", "")
	if _, out := runHook(t, bash, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"deny"`) {
		t.Fatalf("no key: %s", out)
	}
}

// `hook install --write` merges into the project's config files.
func TestHookInstall(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".claude"), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(dir, ".claude", "settings.json")
	if err := os.WriteFile(settings, []byte(`{"model": "opus"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := runHook(t, nil, "hook", "install", "claude-code", "--write", "--dir", dir, "--env", "production", "--wait", "2m"); code != 0 {
		t.Fatalf("install: exit %d %s", code, out)
	}
	raw, _ := os.ReadFile(settings)
	for _, want := range []string{`"model": "opus"`, `"command": "countersign hook claude-code --env production --wait 2m0s"`, `"timeout": 150`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("settings lack %s:\n%s", want, raw)
		}
	}
	code, out := runHook(t, nil, "hook", "install", "claude-code", "--http", "https://cs.example.com/v1/hooks/claude-code", "--env", "prod")
	if code != 0 || !strings.Contains(out, `"url": "https://cs.example.com/v1/hooks/claude-code?env=prod&wait=5m0s"`) {
		t.Fatalf("http hook: exit %d %s", code, out)
	}
	if code, _ := runHook(t, nil, "hook", "install", "claude-code", "--http", "cs.example.com"); code != 2 {
		t.Fatalf("--http without a scheme: exit %d, want 2", code)
	}
	if code, out := runHook(t, nil, "hook", "install", "cursor"); code != 0 || !strings.Contains(out, `"beforeMCPExecution"`) {
		t.Fatalf("print cursor hooks: exit %d %s", code, out)
	}
	if code, _ := runHook(t, nil, "hook", "install", "cursor", "--http", "http://x"); code != 2 {
		t.Fatalf("cursor --http: exit %d, want 2 (usage)", code)
	}
}

// While the server cannot be reached, a hook allows only the kinds the
// policy's offline_allow listed when the hook last reached it.
func TestHookOffline(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(pol, []byte("version: 1\ndefault: deny\noffline_allow: [custom]\nrules:\n"+
		"  - name: staging\n    match: action.environment == \"staging\"\n    effect: allow\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, "", pol)
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_KEY", e.key(countersign.KeyInput{Kind: "agent", Name: "claude", Owner: "olive@example.com"}))
	t.Setenv("COUNTERSIGN_STATE_DIR", t.TempDir())
	edit := hookFixture(t, "claude-code/pretooluse-edit.json")
	bash := hookFixture(t, "claude-code/pretooluse-bash.json")
	var ek countersign.EvidenceKeyView
	st, eb := e.call(os.Getenv("COUNTERSIGN_KEY"), "GET", "/v1/evidence/key", nil, &ek)
	e.want(200, "", st, eb, "the verifier key")

	// Without the pinned verifier key, nothing is believed offline.
	if _, out := runHook(t, edit, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"allow"`) {
		t.Fatalf("up: %s", out)
	}
	t.Setenv("COUNTERSIGN_URL", "http://127.0.0.1:1")
	if _, out := runHook(t, edit, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"deny"`) {
		t.Fatalf("down, no verifier key: %s", out)
	}
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_STATE_DIR", t.TempDir())
	// hook install pins the server's verifier key in the command it writes.
	if code, out := runHook(t, nil, "hook", "install", "claude-code"); code != 0 || !strings.Contains(out, "--verifier-key "+ek.VerifierKey) {
		t.Fatalf("install does not pin the verifier key %s: %s", ek.VerifierKey, out)
	}
	t.Setenv("COUNTERSIGN_VERIFIER_KEY", ek.VerifierKey)
	// Down before the hook ever reached the server: nothing is allowed.
	t.Setenv("COUNTERSIGN_URL", "http://127.0.0.1:1")
	if _, out := runHook(t, edit, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"deny"`) {
		t.Fatalf("down, never reached: %s", out)
	}
	t.Setenv("COUNTERSIGN_URL", e.url)
	if _, out := runHook(t, edit, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"allow"`) {
		t.Fatalf("up: %s", out)
	}
	t.Setenv("COUNTERSIGN_URL", "http://127.0.0.1:1")
	if _, out := runHook(t, edit, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"allow"`) || !strings.Contains(out, "actions offline (offline_allow") {
		t.Fatalf("down, custom allowed offline: %s", out)
	}
	if _, out := runHook(t, bash, "hook", "claude-code", "--env", "staging"); !strings.Contains(out, `"deny"`) {
		t.Fatalf("down, shell not allowed offline: %s", out)
	}
}

// A server that takes the call but never answers: the hook denies before
// the tool's own timeout (--wait + 30 s, as install writes it), which would
// run the call.
func TestHookServerHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	defer func(g time.Duration) { hookGrace = g }(hookGrace)
	hookGrace = 200 * time.Millisecond
	t.Setenv("COUNTERSIGN_URL", srv.URL)
	t.Setenv("COUNTERSIGN_KEY", "cs_x")
	t.Setenv("COUNTERSIGN_STATE_DIR", t.TempDir())
	done := make(chan string, 1)
	go func() {
		_, out := runHook(t, hookFixture(t, "claude-code/pretooluse-bash.json"), "hook", "claude-code", "--wait", "100ms")
		done <- out
	}()
	select {
	case out := <-done:
		if !strings.Contains(out, `"deny"`) {
			t.Fatalf("hanging server: %s, want deny", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hook hung with the server: the tool's timeout would run the call")
	}
}

// A hook that cannot answer exits 2, which both tools take as a denial:
// exit 1 would let the call run. A mistyped flag in the hook's config is
// such a case.
func TestHookFailuresBlock(t *testing.T) {
	bash := hookFixture(t, "claude-code/pretooluse-bash.json")
	for _, args := range [][]string{
		{"hook", "claude-code", "--wait", "5mins"},
		{"hook", "cursor", "--wait", "soon"},
		{"hook", "claude-code", "--no-such-flag"},
	} {
		if code, _ := runHook(t, bash, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
