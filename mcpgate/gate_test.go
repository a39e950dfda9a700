package mcpgate_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// clean fails when s still holds the email or the card number.
func clean(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, "jane.doe@acme-corp.io") || strings.Contains(s, "4111 1111 1111 1111") {
		t.Fatalf("unmasked: %s", s)
	}
}

// onlyRequest returns the single request in the store.
func (e *env) onlyRequest() *countersign.Request {
	e.t.Helper()
	rs, _, err := e.svc.List(context.Background(), admin, countersign.ListRequestsParams{})
	if err != nil || len(rs) != 1 {
		e.t.Fatalf("requests: %d %v, want 1", len(rs), err)
	}
	return rs[0]
}

func TestAllowedCallIsForwardedMaskedAndRecorded(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	tools, err := e.agent.ListTools(context.Background(), nil)
	if err != nil || len(tools.Tools) != 4 {
		t.Fatalf("tools: %v %v, want the upstream's 4", tools, err)
	}
	res := e.call("echo", map[string]any{"text": "hi"})
	if res.IsError || !strings.Contains(text(res), "echo hi") {
		t.Fatalf("echo: %+v %q", res, text(res))
	}
	clean(t, text(res))
	r := e.recorded(e.onlyRequest().ID)
	if r.State != countersign.StateExecuted {
		t.Fatalf("state %s, want executed", r.State)
	}
	var result struct {
		Status string         `json:"status"`
		Masked map[string]int `json:"masked"`
	}
	if err := json.Unmarshal(r.Result, &result); err != nil || result.Status != "ok" || len(result.Masked) < 2 {
		t.Fatalf("result %s (%v), want ok with email and card counts", r.Result, err)
	}
	var payload map[string]any
	_ = json.Unmarshal(r.Action.Payload, &payload)
	if payload["server"] != "db" || payload["tool"] != "echo" || payload["annotations"].(map[string]any)["readOnlyHint"] != true {
		t.Fatalf("payload %s", r.Action.Payload)
	}

	// Embedded resources and structured content are masked too.
	res = e.call("lookup", nil)
	clean(t, text(res))
	sc, _ := json.Marshal(res.StructuredContent)
	clean(t, string(sc))
	if res.IsError || !strings.Contains(string(sc), `"note":"ok"`) {
		t.Fatalf("lookup: %+v %s", res, sc)
	}
	// The same call again is a new request, not the used-up one.
	res = e.call("echo", map[string]any{"text": "hi"})
	if res.IsError || e.calls["echo"].Load() != 2 {
		t.Fatalf("second echo: %q, %d upstream calls", text(res), e.calls["echo"].Load())
	}
}

// TestSQLArgumentMustBeAString checks a call whose configured SQL argument
// is missing or not a string is refused, not judged without the SQL facts.
func TestSQLArgumentMustBeAString(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	for _, args := range []map[string]any{{"text": "no sql"}, {"sql": 42}} {
		res := e.call("query", args)
		if !res.IsError || !strings.Contains(text(res), `"sql" of query must be a string`) {
			t.Fatalf("query %v: %+v %q", args, res, text(res))
		}
	}
	if n := e.calls["query"].Load(); n != 0 {
		t.Fatalf("upstream query called %d times", n)
	}
}

func TestDeniedCallIsNeverForwarded(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	res := e.call("drop", map[string]any{"text": "customers"})
	if !res.IsError || !strings.Contains(text(res), "dropping tables is not allowed") || !strings.Contains(text(res), "not made") {
		t.Fatalf("drop: %+v %q", res, text(res))
	}
	if n := e.calls["drop"].Load(); n != 0 {
		t.Fatalf("upstream drop called %d times", n)
	}
}

func TestHeldCallCompletesWhenApproved(t *testing.T) {
	e := newEnv(t, 10*time.Second, "")
	done := make(chan *mcp.CallToolResult, 1)
	go func() { done <- e.call("query", map[string]any{"sql": "SELECT * FROM customers"}) }()
	r := e.pending()
	var payload map[string]any
	_ = json.Unmarshal(r.Action.Payload, &payload)
	if payload["sql"] != "SELECT * FROM customers" {
		t.Fatalf("payload %s: want the sql argument as payload.sql", r.Action.Payload)
	}
	time.Sleep(100 * time.Millisecond)
	if e.calls["query"].Load() != 0 {
		t.Fatal("forwarded before approval")
	}
	e.review(r.ID, countersign.VerdictApprove, "")
	res := <-done
	if res.IsError || !strings.Contains(text(res), "query SELECT") {
		t.Fatalf("query: %+v %q", res, text(res))
	}
	clean(t, text(res))
	if got := e.get(r.ID).State; got != countersign.StateExecuted {
		t.Fatalf("state %s, want executed", got)
	}
	if e.progress.Load() == 0 {
		t.Error("no progress notification while held")
	}
}

func TestRejectedCallReturnsTheReason(t *testing.T) {
	e := newEnv(t, 10*time.Second, "")
	done := make(chan *mcp.CallToolResult, 1)
	go func() { done <- e.call("query", map[string]any{"sql": "SELECT * FROM customers"}) }()
	r := e.pending()
	e.review(r.ID, countersign.VerdictReject, "too broad, select only the columns you need")
	res := <-done
	if !res.IsError || !strings.Contains(text(res), "too broad") || e.calls["query"].Load() != 0 {
		t.Fatalf("query: %+v %q, %d upstream calls", res, text(res), e.calls["query"].Load())
	}
}

func TestHoldElapsesThenTheSameCallRunsOnceApproved(t *testing.T) {
	e := newEnv(t, 200*time.Millisecond, "")
	args := map[string]any{"sql": "SELECT * FROM customers"}
	res := e.call("query", args)
	id := regexp.MustCompile(`act_\w+`).FindString(text(res))
	if !res.IsError || id == "" || !strings.Contains(text(res), "waiting for human approval") {
		t.Fatalf("held query: %+v %q", res, text(res))
	}
	if e.get(id).State != countersign.StatePending {
		t.Fatalf("%s is not pending", id)
	}
	e.review(id, countersign.VerdictApprove, "")
	res = e.call("query", args)
	if res.IsError || e.calls["query"].Load() != 1 {
		t.Fatalf("query after approval: %q", text(res))
	}
	if r := e.onlyRequest(); r.ID != id || r.State != countersign.StateExecuted {
		t.Fatalf("request %s %s, want %s executed", r.ID, r.State, id)
	}
}

func TestServerDownFailsClosedAndTheSessionStays(t *testing.T) {
	down := httptest.NewServer(nil)
	url := down.URL
	down.Close()
	e := newEnv(t, 200*time.Millisecond, url)
	for range 2 {
		res := e.call("echo", map[string]any{"text": "hi"})
		if !res.IsError || !strings.Contains(text(res), "was not made") {
			t.Fatalf("echo with the server down: %+v %q", res, text(res))
		}
	}
	if e.calls["echo"].Load() != 0 {
		t.Fatal("forwarded without a decision")
	}
	if _, err := e.agent.ListTools(context.Background(), nil); err != nil {
		t.Fatalf("session gone: %v", err)
	}
}
