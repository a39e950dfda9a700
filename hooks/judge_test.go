package hooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/hooks"
)

func bash(cmd string) []byte {
	return []byte(`{"session_id":"s1","cwd":"/home/user/p","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"` + cmd + `"}}`)
}

// A harmless command is allowed at once, and its grant is taken, so the
// evidence shows it went ahead; running it again is a new request.
func TestAllowedAtOnce(t *testing.T) {
	e := newEnv(t)
	gens := client.NewMemoryGenerations()
	v := e.claude(bash("ls -la"), gens, hooks.Options{})
	if !v.Allow || v.RequestID == "" {
		t.Fatalf("ls: %+v, want allow", v)
	}
	if r := e.get(v.RequestID); r.State != countersign.StateExecuted {
		t.Fatalf("request %s is %s, want executed", r.ID, r.State)
	}
	again := e.claude(bash("ls -la"), gens, hooks.Options{})
	if !again.Allow || again.RequestID == v.RequestID {
		t.Fatalf("second ls: %+v, want a new allowed request", again)
	}
	// Forgotten generations cost round trips, not correctness.
	third := e.claude(bash("ls -la"), client.NewMemoryGenerations(), hooks.Options{})
	if !third.Allow || third.RequestID == v.RequestID || third.RequestID == again.RequestID {
		t.Fatalf("third ls with no memory: %+v, want a new allowed request", third)
	}
}

// A held call waits, is denied naming the pending request, and the same
// call made again once approved is allowed, once.
func TestPendingThenRetryAfterApproval(t *testing.T) {
	e := newEnv(t)
	gens := hooks.FileGenerations{Path: t.TempDir() + "/gens.json"}
	raw := fixture(t, "claude-code/pretooluse-bash.json") // kubectl delete namespace prod
	opt := hooks.Options{Wait: 300 * time.Millisecond}
	start := time.Now()
	v := e.claude(raw, gens, opt)
	if v.Allow || !strings.Contains(v.Reason, "waiting for human approval") || !strings.Contains(v.Reason, v.RequestID) {
		t.Fatalf("held: %+v, want a denial naming the pending request", v)
	}
	if time.Since(start) < 300*time.Millisecond {
		t.Fatalf("denied after %s, before the wait", time.Since(start))
	}
	id := v.RequestID
	if again := e.claude(raw, gens, hooks.Options{}); again.Allow || again.RequestID != id {
		t.Fatalf("retry while pending: %+v, want the same request %s, denied", again, id)
	}
	e.review(id, countersign.VerdictApprove, "")
	// Retried with the model's description reworded: the same command.
	raw = []byte(strings.Replace(string(raw), "Delete the prod namespace", "Remove prod as the user asked", 1))
	if ok := e.claude(raw, gens, opt); !ok.Allow || ok.RequestID != id || !strings.Contains(ok.Reason, "dana@example.com") {
		t.Fatalf("retry after approval: %+v, want allowed on %s", ok, id)
	}
	if r := e.get(id); r.State != countersign.StateExecuted {
		t.Fatalf("%s is %s, want executed", id, r.State)
	}
	// The approval was used: the same command again is a new request.
	if next := e.claude(raw, gens, hooks.Options{}); next.Allow || next.RequestID == id || next.RequestID == "" {
		t.Fatalf("after the approved run: %+v, want a new pending request", next)
	}
}

// An approval that arrives while the hook waits lets the call run at once.
func TestApprovedWhileWaiting(t *testing.T) {
	e := newEnv(t)
	go func() {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			rs, _, _ := e.svc.List(context.Background(), admin, countersign.ListRequestsParams{State: countersign.StatePending})
			if len(rs) == 1 {
				e.review(rs[0].ID, countersign.VerdictApprove, "")
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	v := e.claude(fixture(t, "claude-code/pretooluse-bash.json"), client.NewMemoryGenerations(), hooks.Options{Wait: 10 * time.Second})
	if !v.Allow {
		t.Fatalf("approved while waiting: %+v", v)
	}
}

// Denied by policy, and rejected by a reviewer: denials with the reasons.
func TestDeniedAndRejected(t *testing.T) {
	e := newEnv(t)
	gens := client.NewMemoryGenerations()
	v := e.claude(fixture(t, "claude-code/pretooluse-write.json"), gens, hooks.Options{})
	if v.Allow || !strings.Contains(v.Reason, "CI workflows are changed through review") {
		t.Fatalf("write to workflows: %+v, want denied with the policy's reason", v)
	}
	if ok := e.claude(fixture(t, "claude-code/pretooluse-edit.json"), gens, hooks.Options{}); !ok.Allow {
		t.Fatalf("edit outside workflows: %+v, want allowed", ok)
	}
	raw := fixture(t, "claude-code/pretooluse-mcp.json")
	held := e.claude(raw, gens, hooks.Options{})
	e.review(held.RequestID, countersign.VerdictReject, "no bulk reads of customers")
	v = e.claude(raw, gens, hooks.Options{})
	if v.Allow || !strings.Contains(v.Reason, "no bulk reads of customers") || v.RequestID != held.RequestID {
		t.Fatalf("rejected: %+v, want denied with the reviewer's reason", v)
	}
}

// An unreachable server denies, unless the kind is allowed offline; an
// answer from the server (a bad key) always denies.
func TestFailClosed(t *testing.T) {
	e := newEnv(t)
	in, _ := hooks.ParseClaude(fixture(t, "claude-code/pretooluse-edit.json"))
	a, _ := in.Action(hc)
	down := client.New("http://127.0.0.1:1", e.key)
	gens := client.NewMemoryGenerations()
	if v := hooks.Judge(context.Background(), down, gens, a, hooks.Options{}); v.Allow || !strings.Contains(v.Reason, "could not judge") {
		t.Fatalf("server down: %+v, want denied", v)
	}
	offline := hooks.Options{OfflineAllow: []countersign.ActionKind{countersign.ActionCustom}}
	if v := hooks.Judge(context.Background(), down, gens, a, offline); !v.Allow {
		t.Fatalf("server down, custom allowed offline: %+v", v)
	}
	sh, _ := hooks.ParseClaude(bash("ls"))
	sa, _ := sh.Action(hc)
	if v := hooks.Judge(context.Background(), down, gens, sa, offline); v.Allow {
		t.Fatalf("server down, shell not allowed offline: %+v", v)
	}
	badKey := client.New(e.url, "cs_wrong")
	if v := hooks.Judge(context.Background(), badKey, gens, a, offline); v.Allow || !strings.Contains(v.Reason, "unauthenticated") {
		t.Fatalf("bad key: %+v, want denied (an answer, not an outage)", v)
	}
}

// Only a server that cannot be reached at all is offline: an answer that is
// not Countersign's (a proxy's 502 or 413 page, a 200 that is not JSON) is
// no decision, and denies even the kinds allowed offline.
func TestOfflineOnlyWhenUnreachable(t *testing.T) {
	in, _ := hooks.ParseClaude(fixture(t, "claude-code/pretooluse-edit.json"))
	a, _ := in.Action(hc)
	offline := hooks.Options{OfflineAllow: []countersign.ActionKind{countersign.ActionCustom}}
	for name, h := range map[string]http.HandlerFunc{
		"502 page": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad Gateway</html>"))
		},
		"413 page": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = w.Write([]byte("<html>413 Request Entity Too Large</html>"))
		},
		"200 not json": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<html>captive portal</html>"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			v := hooks.Judge(context.Background(), client.New(srv.URL, "cs_x"), client.NewMemoryGenerations(), a, offline)
			if v.Allow {
				t.Fatalf("%s: %+v, want denied (an answer, not an outage)", name, v)
			}
		})
	}
}

// A held request that ended otherwise than by policy (cancelled, expired,
// rejected) is not reported as a policy denial: the answer says what
// became of it, and the same call made again is a new request.
func TestEndedRequestIsNotAPolicyDenial(t *testing.T) {
	e := newEnv(t)
	gens := client.NewMemoryGenerations()
	raw := fixture(t, "claude-code/pretooluse-bash.json") // held for review
	v := e.claude(raw, gens, hooks.Options{})
	if v.Allow || v.RequestID == "" {
		t.Fatalf("held: %+v", v)
	}
	if _, err := e.api.Cancel(context.Background(), v.RequestID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	again := e.claude(raw, gens, hooks.Options{})
	if again.Allow || again.RequestID != v.RequestID || strings.Contains(again.Reason, "policy denied") ||
		strings.Contains(again.Reason, "Do not retry") || !strings.Contains(again.Reason, "cancelled") {
		t.Fatalf("after cancel: %+v, want a denial saying request %s was cancelled, not a policy denial", again, v.RequestID)
	}
	third := e.claude(raw, gens, hooks.Options{})
	if third.Allow || third.RequestID == v.RequestID || !strings.Contains(third.Reason, "waiting for human approval") {
		t.Fatalf("made again: %+v, want a new held request", third)
	}
}
