package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/slack"
	"github.com/countersign/countersign/sqlite"
	slackgo "github.com/slack-go/slack"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"))
}

const signingSecret = "test-signing-secret"

// testPolicy holds production actions for two DBAs and announces them in
// #prod-approvals; staging actions for any human, announced to Dana by
// direct message; finance actions need a reason to approve.
const testPolicy = `version: 1
default: deny
groups:
  dba: [dana@example.com, dave@example.com]
rules:
  - name: prod-changes
    match: action.environment == "production"
    effect: review
    reason: production data leaves the database
    review: {approvers: [group:dba], min_approvals: 2, ttl: 30m, notify: ["slack:#prod-approvals"]}
  - name: staging-changes
    match: action.environment == "staging"
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 10m, notify: ["slack:@UDANA"]}
  - name: finance
    match: action.environment == "finance"
    effect: review
    review: {approvers: [group:dba], require_reason: true, notify: ["slack:C0FINANCE"]}
`

// The agent, owned by Olive.
var agent = countersign.Principal{Kind: countersign.KindAgent, Name: "orders-bot", Owner: "olive@example.com"}

// people is the gateway's directory: Dana by Slack id, Dave and Olive by the
// email Slack confirms for them.
var people = countersign.People{
	{Email: "dana@example.com", Groups: []string{"dba"}, Slack: "UDANA"},
	{Email: "dave@example.com", Groups: []string{"dba"}},
	{Email: "olive@example.com"},
}

// fakeSecret looks like a GitHub token; it must never reach Slack.
var fakeSecret = "ghp_" + "R7xQ2mZp9LkT4vWc8NbJ3sHd6FgYa1Ue5OiK"

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one gateway replica with the Slack channel, over a SQLite file.
type env struct {
	t     *testing.T
	path  string
	clk   *clock
	slack *fakeSlack
	store *sqlite.Store
	svc   *gateway.Service
	note  *slack.Notifier
	ix    *slack.Interactions
	// allowUnlisted is passed to the interactions of the next open.
	allowUnlisted bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "cs.db"),
		clk: &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, slack: newFakeSlack(t)}
	e.slack.addUser("UDANA", "dana@example.com", false)
	e.slack.addUser("UDAVE", "dave@example.com", false)
	e.slack.addUser("UOLIVE", "olive@example.com", false)
	e.slack.addUser("UEVE", "eve@example.com", false)
	e.slack.addUser("UBOT", "", true)
	e.open()
	t.Cleanup(e.close)
	return e
}

// open starts a replica: a store on the file, a gateway, a notifier and
// the interaction handler, all new.
func (e *env) open() {
	t := e.t
	st, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("test.yaml", []byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	api := slackgo.New("xoxb-test", slackgo.OptionAPIURL(e.slack.srv.URL+"/"))
	e.store = st
	e.svc = gateway.New(gateway.Config{Store: st, Policy: p, Now: e.clk.Now})
	e.note = slack.NewNotifier(api, st, dlp.DefaultMasker(), people)
	e.note.Now = e.clk.Now
	e.ix = slack.NewInteractions(slack.Config{API: api, Reviewer: e.svc, Store: st, SigningSecret: signingSecret,
		People: people, AllowUnlisted: e.allowUnlisted, Now: e.clk.Now, WorkTimeout: 5 * time.Second,
		APIURL: e.slack.srv.URL + "/"})
}

// close stops the replica as a restart would.
func (e *env) close() {
	if e.store == nil {
		return
	}
	e.ix.Wait()
	e.svc.Drain()
	_ = e.store.Close()
	e.store = nil
}

// submit submits an action of the agent in env with payload sql.
func (e *env) submit(environment, sql string) *countersign.Request {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]string{"sql": sql})
	r, _, err := e.svc.Submit(context.Background(), agent, countersign.Action{Kind: countersign.ActionSQL,
		Environment: environment, Resource: "postgres://orders-db/orders", Summary: "Export last month's orders for finance",
		Payload: payload})
	if err != nil {
		e.t.Fatal(err)
	}
	if r.State != countersign.StatePending {
		e.t.Fatalf("submitted request is %s, want pending", r.State)
	}
	return r
}

// deliver does what the lead's outbox worker does: claims the due items
// and gives each to the Notifier, until none is left.
func (e *env) deliver() {
	e.t.Helper()
	ctx := context.Background()
	for range 20 {
		items, err := e.store.ClaimOutbox(ctx, e.clk.Now(), time.Minute, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(items) == 0 {
			return
		}
		for _, it := range items {
			r, err := e.store.Request(ctx, it.RequestID)
			if err != nil {
				e.t.Fatal(err)
			}
			if err := e.note.Notify(ctx, it, r); err != nil {
				e.t.Fatalf("notify %s %s: %v", it.Target, it.EventType, err)
			}
			ev := countersign.NewEvent(countersign.EventNotified, it.RequestID, "system", e.clk.Now(), map[string]any{"target": it.Target})
			if err := e.store.FinishOutbox(ctx, it, true, time.Time{}, ev); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.t.Fatal("outbox never emptied")
}

// request reads a request from the store.
func (e *env) request(id string) *countersign.Request {
	e.t.Helper()
	r, err := e.store.Request(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// interaction is a signed POST of a Slack interaction payload.
type interaction struct {
	body    string
	ts      int64
	sig     string
	retry   string
	payload map[string]any
}

// blockAction is the block_actions payload Slack sends when user clicks a
// button of the message in channel.
func blockAction(user, channel, actionID, requestID, actionTS string) map[string]any {
	text := map[string]string{slack.ActionApprove: "Approve", slack.ActionReject: "Reject"}[actionID]
	return map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": strings.ToLower(user[1:]), "name": strings.ToLower(user[1:]), "team_id": "T0TEST"},
		"api_app_id": "A0COUNTER",
		"token":      "verification-token-unused",
		"container":  map[string]any{"type": "message", "message_ts": "1767323045.000101", "channel_id": channel, "is_ephemeral": false},
		"trigger_id": "701234567.123456789.trigger" + actionTS,
		"team":       map[string]any{"id": "T0TEST", "domain": "example"},
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": channel, "name": "prod-approvals"},
		"message":      map[string]any{"type": "message", "ts": "1767323045.000101", "bot_id": "B0COUNTER", "text": "Countersign"},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": "https://hooks.slack.com/actions/T0TEST/1/abc",
		"actions": []map[string]any{{
			"action_id": actionID, "block_id": "actions", "value": requestID, "type": "button", "action_ts": actionTS,
			"text": map[string]any{"type": "plain_text", "text": text, "emoji": true},
		}},
	}
}

// viewSubmission is the view_submission payload of the reason dialog.
func viewSubmission(user, privateMetadata, reason, triggerID string) map[string]any {
	return map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": "T0TEST", "domain": "example"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user[1:]), "name": strings.ToLower(user[1:]), "team_id": "T0TEST"},
		"api_app_id": "A0COUNTER",
		"token":      "verification-token-unused",
		"trigger_id": triggerID,
		"view": map[string]any{
			"id": "V0MODAL", "team_id": "T0TEST", "type": "modal", "callback_id": slack.ModalCallback,
			"private_metadata": privateMetadata, "hash": "156772938.1827394", "blocks": []any{},
			"state": map[string]any{"values": map[string]any{"reason": map[string]any{
				"reason_input": map[string]any{"type": "plain_text_input", "value": reason}}}},
		},
		"response_urls": []any{},
	}
}

// signed returns payload as Slack posts it: form-encoded, signed at now.
func (e *env) signed(payload map[string]any) interaction {
	js, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	body := "payload=" + url.QueryEscape(string(js))
	ts := e.clk.Now().Unix()
	return interaction{body: body, ts: ts, sig: slack.Sign(signingSecret, strconv.FormatInt(ts, 10), []byte(body)), payload: payload}
}

// post sends an interaction to the handler and returns its answer, without
// waiting for the work it starts.
func (e *env) post(in interaction) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/v1/channels/slack/interactions", strings.NewReader(in.body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(slack.HeaderTimestamp, strconv.FormatInt(in.ts, 10))
	req.Header.Set(slack.HeaderSignature, in.sig)
	if in.retry != "" {
		req.Header.Set("X-Slack-Retry-Num", in.retry)
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	rec := httptest.NewRecorder()
	e.ix.ServeHTTP(rec, req)
	return rec
}

// click posts a signed click and waits for its work.
func (e *env) click(user, channel, actionID, requestID, actionTS string) {
	e.t.Helper()
	rec := e.post(e.signed(blockAction(user, channel, actionID, requestID, actionTS)))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		e.t.Fatalf("click: %d %q, want an empty 200", rec.Code, rec.Body.String())
	}
	e.ix.Wait()
}

// ephemerals returns the texts of the ephemeral messages in calls to user.
func ephemerals(calls []call, user string) []string {
	var out []string
	for _, c := range only(calls, "chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

// blockText returns the text of the block with id (its fields too), "" if
// there is none.
func blockText(blocks []map[string]any, id string) string {
	for _, b := range blocks {
		if b["block_id"] != id {
			continue
		}
		var parts []string
		if t, ok := b["text"].(map[string]any); ok {
			parts = append(parts, fmt.Sprint(t["text"]))
		}
		for _, key := range []string{"fields", "elements"} {
			if fs, ok := b[key].([]any); ok {
				for _, f := range fs {
					m := f.(map[string]any)
					if t, ok := m["text"].(map[string]any); ok {
						parts = append(parts, fmt.Sprint(t["text"]))
					} else {
						parts = append(parts, fmt.Sprint(m["text"]))
					}
				}
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// allText is every text of a message's blocks, for "never shown" checks.
func allText(c call) string { return c.Form.Get("text") + "\n" + c.Form.Get("blocks") }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// countEvents counts the store's events of type typ.
func countEvents(t *testing.T, e *env, typ string) int {
	t.Helper()
	evs, err := e.store.Events(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}
