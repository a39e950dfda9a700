package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
)

// postHook sends a Claude Code HTTP hook request as Claude Code does and
// returns the status and the decision.
func (e *env) postHook(key, query string, body []byte) (int, string, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+"/v1/hooks/claude-code?"+query, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		HookSpecificOutput struct {
			HookEventName            string `json:"hookEventName"`
			PermissionDecision       string `json:"permissionDecision"`
			PermissionDecisionReason string `json:"permissionDecisionReason"`
		} `json:"hookSpecificOutput"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("hook answer is not JSON: %v", err)
	}
	if out.HookSpecificOutput.HookEventName != "PreToolUse" {
		e.t.Fatalf("hook answer %+v", out)
	}
	return resp.StatusCode, out.HookSpecificOutput.PermissionDecision, out.HookSpecificOutput.PermissionDecisionReason
}

// The server's HTTP hook endpoint: allow, held then allowed on retry, and
// every failure (no key, a bad key, bad input) a 200 denial, since Claude
// Code runs the call on any other status.
func TestHTTPHook(t *testing.T) {
	e := newEnv(t)
	q := "env=production&on_behalf_of=olive@example.com&wait=100ms"
	if st, d, why := e.postHook(e.key, q, bash("git status")); st != 200 || d != "allow" {
		t.Fatalf("git status: %d %s %s", st, d, why)
	}
	raw := fixture(t, "claude-code/pretooluse-bash.json")
	st, d, why := e.postHook(e.key, q, raw)
	if st != 200 || d != "deny" || !strings.Contains(why, "act_") {
		t.Fatalf("held: %d %s %s", st, d, why)
	}
	id := why[strings.Index(why, "act_"):]
	id = id[:strings.IndexAny(id, " .")]
	r := e.get(id)
	if r.Action.Environment != "production" || r.Action.OnBehalfOf != "olive@example.com" || r.Agent != "claude" {
		t.Fatalf("request %+v", r.Action)
	}
	e.review(id, countersign.VerdictApprove, "")
	if st, d, why := e.postHook(e.key, q, raw); st != 200 || d != "allow" || !strings.Contains(why, id) {
		t.Fatalf("retry after approval: %d %s %s", st, d, why)
	}
	for name, c := range map[string]struct {
		key, query string
		body       []byte
	}{
		"no key":    {"", q, raw},
		"bad key":   {"cs_nope", q, raw},
		"bad wait":  {e.key, "wait=soon", raw},
		"bad input": {e.key, q, []byte(`{"tool_name":`)},
		"human key": {e.humanKey(), q, raw},
	} {
		if st, d, why := e.postHook(c.key, c.query, c.body); st != 200 || d != "deny" || why == "" {
			t.Errorf("%s: %d %s %q, want 200 deny with a reason", name, st, d, why)
		}
	}
}

func (e *env) humanKey() string {
	e.t.Helper()
	k, _, err := e.svc.CreateKey(context.Background(), admin, dana)
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// The server remembers used-up requests per agent: another agent running
// the identical call (same command, cwd and environment, as in two
// containers) does not move this agent past the request its reviewers
// approved, so its retry still finds and runs it.
func TestHTTPHookGenerationsPerAgent(t *testing.T) {
	e := newEnv(t)
	otherKey, _, err := e.svc.CreateKey(context.Background(), admin,
		countersign.Principal{Kind: countersign.KindAgent, Name: "claude-2", Owner: "olive@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	q := "env=production&on_behalf_of=olive@example.com&wait=0s"
	raw := fixture(t, "claude-code/pretooluse-bash.json")
	held := func(key string) string {
		_, d, why := e.postHook(key, q, raw)
		if d != "deny" || !strings.Contains(why, "act_") {
			t.Fatalf("held: %s %s", d, why)
		}
		id := why[strings.Index(why, "act_"):]
		return id[:strings.IndexAny(id, " .")]
	}
	mine := held(e.key)
	theirs := held(otherKey)
	e.review(theirs, countersign.VerdictApprove, "")
	if _, d, why := e.postHook(otherKey, q, raw); d != "allow" {
		t.Fatalf("other agent after approval: %s %s", d, why)
	}
	e.review(mine, countersign.VerdictApprove, "")
	if _, d, why := e.postHook(e.key, q, raw); d != "allow" || !strings.Contains(why, mine) {
		t.Fatalf("retry after approval: %s %s, want allowed on %s", d, why, mine)
	}
}

// A held call waiting on the server when it shuts down (its long-polls then
// answer at once) is denied at once, naming the request, instead of
// polling the store in a loop until its wait runs out and holding up the
// shutdown.
func TestHTTPHookDrain(t *testing.T) {
	e := newEnv(t)
	q := "env=production&on_behalf_of=olive@example.com&wait=1m"
	type answer struct{ d, why string }
	done := make(chan answer, 1)
	go func() {
		_, d, why := e.postHook(e.key, q, fixture(t, "claude-code/pretooluse-bash.json"))
		done <- answer{d, why}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		rs, _, err := e.svc.List(context.Background(), admin, countersign.ListRequestsParams{State: countersign.StatePending})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the held call made no request")
		}
	}
	time.Sleep(50 * time.Millisecond) // the hook is in its wait
	e.svc.Drain()
	select {
	case a := <-done:
		if a.d != "deny" || !strings.Contains(a.why, "act_") {
			t.Fatalf("drained: %s %q, want deny naming the request", a.d, a.why)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hook kept waiting after the server began to shut down")
	}
}
