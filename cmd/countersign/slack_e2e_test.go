package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
)

const slackPolicy = `version: 1
default: deny
rules:
  - name: prod-sql
    match: action.kind == "sql" && action.environment == "production"
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 30m, notify: ["slack:#ops"]}
`

// fakeSlack speaks Slack's Web API wire format (form-encoded calls, JSON
// answers with "ok"): Slack's cloud cannot be reached from here. It records
// the methods called.
type fakeSlack struct {
	mu    sync.Mutex
	calls []string
	posts chan url.Values
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/")
	f.mu.Lock()
	f.calls = append(f.calls, method)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "chat.postMessage", "chat.update":
		select {
		case f.posts <- r.Form:
		default:
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C0OPS", "ts": "1767323045.000101",
			"message": map[string]any{"type": "message", "ts": "1767323045.000101"}})
	case "users.lookupByEmail":
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "users_not_found"})
	default:
		json.NewEncoder(w).Encode(map[string]any{"ok": true})
	}
}

// TestSlackEndToEnd runs the real server with Slack configured against the
// fake: the held request is posted to #ops by the outbox worker, a signed
// click by a mapped human approves it, and the message is updated.
func TestSlackEndToEnd(t *testing.T) {
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	fake := &fakeSlack{posts: make(chan url.Values, 16)}
	api := httptest.NewServer(fake)
	defer api.Close()
	clk := &clock{now: time.Now().UTC()} // Slack signatures are checked against the server's clock
	e := channelEnv(t, slackPolicy, clk, func(cfg *Config) {
		cfg.People = countersign.People{{Email: "dana@example.com", Slack: "UDANA"}}
		cfg.Slack = SlackConfig{BotToken: "xoxb-test", SigningSecret: secret, APIURL: api.URL + "/"}
	})
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "etl", Owner: "olive@example.com"})
	sub := e.submit(agent, sqlAction("production", "delete from sessions"))

	wait := func(what string) url.Values {
		t.Helper()
		select {
		case f := <-fake.posts:
			return f
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s within 5s", what)
		}
		return nil
	}
	post := wait("chat.postMessage")
	if post.Get("channel") != "#ops" || !strings.Contains(post.Get("blocks"), sub.ID) {
		t.Fatalf("posted to %q: %.200s", post.Get("channel"), post.Get("blocks"))
	}

	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UDANA", "team_id": "T0TEST"},
		"team": map[string]any{"id": "T0TEST"}, "trigger_id": "7012.3456.e2e",
		"container": map[string]any{"type": "message", "message_ts": "1767323045.000101", "channel_id": "C0OPS"},
		"channel":   map[string]any{"id": "C0OPS"},
		"actions": []map[string]any{{"action_id": slack.ActionApprove, "block_id": "actions", "value": sub.ID,
			"type": "button", "action_ts": "1767323100.000001"}},
	})
	body := "payload=" + url.QueryEscape(string(payload))
	ts := strconv.FormatInt(clk.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", e.url+"/v1/channels/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(slack.HeaderTimestamp, ts)
	req.Header.Set(slack.HeaderSignature, slack.Sign(secret, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("interaction: %d", resp.StatusCode)
	}
	waitState(t, e, agent, sub.ID, countersign.StateApproved)
	upd := wait("chat.update")
	if upd.Get("ts") != "1767323045.000101" || upd.Get("channel") != "C0OPS" {
		t.Fatalf("update of %q/%q, want the posted message", upd.Get("channel"), upd.Get("ts"))
	}

	// A forged click is refused and changes nothing.
	req, _ = http.NewRequest("POST", e.url+"/v1/channels/slack/interactions", strings.NewReader(body))
	req.Header.Set(slack.HeaderTimestamp, ts)
	req.Header.Set(slack.HeaderSignature, "v0=0000")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("forged interaction: %d, want 401", resp.StatusCode)
	}
}
