package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

const webhookPolicy = `version: 1
default: deny
rules:
  - name: prod-sql
    match: action.kind == "sql" && action.environment == "production"
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 30m, notify: ["webhook:siem"]}
`

// TestWebhookEndToEnd runs the real server with a webhook integration: the
// held request reaches the receiver signed (the outbox worker delivers it),
// the receiver posts a signed approval back naming a reviewer it may speak
// for, the agent's request is approved, and the resolution is delivered too.
func TestWebhookEndToEnd(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	clk := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	events := make(chan map[string]any, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body, clk.Now()); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(400)
			return
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("receiver: %v", err)
		}
		events <- ev
		w.WriteHeader(204)
	}))
	defer recv.Close()

	e := channelEnv(t, webhookPolicy, clk, func(cfg *Config) {
		cfg.People = countersign.People{{Email: "dana@example.com", Groups: []string{"sre"}}, {Email: "olive@example.com"}}
		cfg.Webhooks = []WebhookConfig{{Name: "siem", URL: recv.URL, Secret: secret, SubmitFor: []string{"group:sre"}}}
	})
	m := e.m
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "etl", Owner: "olive@example.com"})
	sub := e.submit(agent, sqlAction("production", "delete from sessions"))
	if sub.State != countersign.StatePending {
		t.Fatalf("submitted: %s", sub.State)
	}

	next := func(want string) map[string]any {
		t.Helper()
		select {
		case ev := <-events:
			if ev["type"] != want {
				t.Fatalf("event %v, want type %s", ev["type"], want)
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s event within 5s", want)
		}
		return nil
	}
	ev := next("request.created")
	if req, _ := ev["request"].(map[string]any); req["id"] != sub.ID {
		t.Fatalf("event for %v, want %s", req["id"], sub.ID)
	}

	post := func(id, reviewer string) int {
		body, _ := json.Marshal(map[string]string{"request_id": sub.ID, "verdict": "approve", "reason": "ticket OPS-7", "reviewer": reviewer})
		req, _ := http.NewRequest("POST", e.url+"/v1/channels/webhook/siem/reviews", bytes.NewReader(body))
		if err := webhook.SetHeaders(req.Header, secret, id, clk.Now(), body); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("msg_olive", "olive@example.com"); st != 403 {
		t.Fatalf("review by someone outside submit_for: %d, want 403", st)
	}
	if st := post("msg_dana", "dana@example.com"); st != 200 {
		t.Fatalf("review: %d, want 200", st)
	}
	if st := post("msg_dana", "dana@example.com"); st != 409 {
		t.Fatalf("replayed review: %d, want 409", st)
	}
	waitState(t, e, agent, sub.ID, countersign.StateApproved)
	next("request.reviewed")
	next("request.resolved")
	// The notification events are in the evidence, and it still verifies.
	deadline := time.Now().Add(5 * time.Second)
	for len(eventsOfType(t, m, countersign.EventNotified)) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(eventsOfType(t, m, countersign.EventNotified)); n != 3 {
		t.Fatalf("%d notification.delivered events, want 3", n)
	}
	exportAndVerify(t, e, agent, sub.ID)
}

func eventsOfType(t *testing.T, m *Main, typ string) []countersign.Event {
	t.Helper()
	evs, err := m.Store.Events(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []countersign.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// channelEnv starts the real server with the policy src and the settings
// edit makes, for the approval channels' end-to-end tests.
func channelEnv(t *testing.T, src string, clk *clock, edit func(*Config)) *env {
	t.Helper()
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Listen, cfg.Data, cfg.Policy = "127.0.0.1:0", filepath.Join(dir, "data"), pol
	cfg.BootstrapKeyFile = filepath.Join(dir, "admin.key")
	edit(&cfg)
	m := startMain(t, cfg, clk)
	t.Cleanup(func() { m.Close() })
	key, err := os.ReadFile(cfg.BootstrapKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, m: m, url: "http://" + m.Addr, clock: clk, admin: strings.TrimSpace(string(key)), cfg: cfg}
}
