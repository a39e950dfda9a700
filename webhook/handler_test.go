package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

const otherSecret = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

// integrations of the inbound tests: siem speaks for the sre group, ops for
// anyone, feed for nobody.
var integrations = []webhook.Integration{
	{Name: "siem", URL: "https://siem.example.com/hook", Secret: testSecret, SubmitFor: []string{"group:sre"}},
	{Name: "ops", URL: "https://ops.example.com/hook", Secret: otherSecret, SubmitFor: []string{"any_human"}},
	{Name: "feed", URL: "https://feed.example.com/hook", Secret: testSecret},
}

// inbound serves the handler as the lead mounts it.
func (e *env) inbound() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(webhook.Pattern, webhook.NewHandler(integrations, e.st, e.svc, people, e.clk.Now))
	return mux
}

type answer struct {
	status int
	body   []byte
}

func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	var eb countersign.ErrorBody
	if err := json.Unmarshal(a.body, &eb); err != nil {
		t.Fatalf("error body %s: %v", a.body, err)
	}
	return eb.Error.Code
}

func (a answer) request(t *testing.T) countersign.RequestView {
	t.Helper()
	var rr webhook.ReviewResult
	if err := json.Unmarshal(a.body, &rr); err != nil {
		t.Fatalf("body %s: %v", a.body, err)
	}
	return rr.Request
}

// post sends body to integration name's endpoint with the headers h.
func post(t *testing.T, h http.Handler, name string, hdr http.Header, body []byte) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/channels/webhook/"+name+"/reviews", bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Body.Bytes()}
}

func reviewBody(t *testing.T, id, verdict, reason, reviewer string) []byte {
	t.Helper()
	b, err := json.Marshal(webhook.ReviewInput{RequestID: id, Verdict: countersign.Verdict(verdict), Reason: reason, Reviewer: reviewer})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pending checks that request id is still pending with no review recorded,
// in the request and in the events.
func (e *env) pending(t *testing.T, id string) {
	t.Helper()
	r, err := e.st.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != countersign.StatePending || len(r.Reviews) != 0 {
		t.Fatalf("request is %s with reviews %+v, want pending with none", r.State, r.Reviews)
	}
	if evs, _ := e.reviewEvents(t, id); len(evs) != 0 {
		t.Fatalf("review events %+v", evs)
	}
}

// TestInboundApprove is the round trip: an agent's SQL is held for review
// with notify [webhook:siem]; siem posts a signed approval for sam (group
// sre); the request is approved and the review recorded with the
// integration as its channel. The same message again is refused.
func TestInboundApprove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.inbound()
	r := e.submit(t)
	if got := r.Decision.Review.Notify; len(got) != 1 || got[0] != "webhook:siem" {
		t.Fatalf("notify %v", got)
	}

	body := reviewBody(t, r.ID, "approve", "change ticket OPS-7", "sam@example.com")
	hdr := signed(t, testSecret, "evt_1", e.clk.Now(), body)
	a := post(t, h, "siem", hdr, body)
	if a.status != http.StatusOK {
		t.Fatalf("approve: %d %s", a.status, a.body)
	}
	v := a.request(t)
	if v.ID != r.ID || v.State != countersign.StateApproved || v.Grant == nil || len(v.Reviews) != 1 {
		t.Fatalf("answer %+v", v)
	}
	stored, err := e.st.Request(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != countersign.StateApproved {
		t.Fatalf("stored request is %s", stored.State)
	}
	want := countersign.Review{Reviewer: "sam@example.com", Verdict: countersign.VerdictApprove, Reason: "change ticket OPS-7",
		Channel: "webhook:siem", ChannelUser: "siem", At: e.clk.Now()}
	evs, actors := e.reviewEvents(t, r.ID)
	if len(evs) != 1 || !evs[0].At.Equal(want.At) {
		t.Fatalf("review events %+v", evs)
	}
	evs[0].At = want.At
	if evs[0] != want || actors[0] != "human:sam@example.com" {
		t.Fatalf("review event %+v by %s, want %+v by human:sam@example.com", evs[0], actors[0], want)
	}

	// The same message again: refused, nothing recorded.
	e.clk.Advance(time.Second)
	a = post(t, h, "siem", hdr, body)
	if a.status != http.StatusConflict || a.errorCode(t) != countersign.EConflict {
		t.Fatalf("replay: %d %s", a.status, a.body)
	}
	// The same webhook-id, signed anew at another time for someone else:
	// still a replay.
	body2 := reviewBody(t, r.ID, "approve", "", "Sue@example.com")
	a = post(t, h, "siem", signed(t, testSecret, "evt_1", e.clk.Now(), body2), body2)
	if a.status != http.StatusConflict {
		t.Fatalf("replayed id: %d %s", a.status, a.body)
	}
	if evs, _ := e.reviewEvents(t, r.ID); len(evs) != 1 {
		t.Fatalf("after replays: %d review events", len(evs))
	}
	// A webhook-id is scoped to its integration: ops may use evt_1 too (and
	// gets the gateway's answer: the request is no longer pending).
	a = post(t, h, "ops", signed(t, otherSecret, "evt_1", e.clk.Now(), body2), body2)
	if a.status != http.StatusConflict || a.errorCode(t) != countersign.ENotPending {
		t.Fatalf("ops after approval: %d %s", a.status, a.body)
	}
}

// TestInboundReject records a rejection for sue, who is in sre by the
// directory only.
func TestInboundReject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.inbound()
	r := e.submit(t)
	body := reviewBody(t, r.ID, "reject", "", "sue@example.com")
	if a := post(t, h, "siem", signed(t, testSecret, "evt_1", e.clk.Now(), body), body); a.status != http.StatusBadRequest ||
		a.errorCode(t) != countersign.EInvalid {
		t.Fatalf("reject without a reason: %d %s", a.status, a.body)
	}
	body = reviewBody(t, r.ID, "reject", "not during the freeze", "sue@example.com")
	a := post(t, h, "siem", signed(t, testSecret, "evt_2", e.clk.Now(), body), body)
	if a.status != http.StatusOK || a.request(t).State != countersign.StateRejected {
		t.Fatalf("reject: %d %s", a.status, a.body)
	}
	evs, _ := e.reviewEvents(t, r.ID)
	if len(evs) != 1 || evs[0].Reviewer != "sue@example.com" || evs[0].Channel != "webhook:siem" {
		t.Fatalf("review events %+v", evs)
	}
}

// TestInboundBadSignature: a wrong signature, a tampered body or a stale
// or future timestamp is 401 and records nothing, and does not use up the
// webhook-id.
func TestInboundBadSignature(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.inbound()
	r := e.submit(t)
	body := reviewBody(t, r.ID, "approve", "", "sam@example.com")
	now := e.clk.Now()
	tampered := signed(t, testSecret, "evt_1", now, reviewBody(t, r.ID, "approve", "", "dave@example.com"))
	for name, hdr := range map[string]http.Header{
		"other secret": signed(t, otherSecret, "evt_1", now, body),
		"tampered":     tampered,
		"stale":        signed(t, testSecret, "evt_1", now.Add(-webhook.Tolerance-time.Second), body),
		"future":       signed(t, testSecret, "evt_1", now.Add(webhook.Tolerance+time.Second), body),
		"unsigned":     {webhook.HeaderID: {"evt_1"}, webhook.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10)}},
	} {
		a := post(t, h, "siem", hdr, body)
		if a.status != http.StatusUnauthorized || a.errorCode(t) != countersign.EUnauthenticated {
			t.Errorf("%s: %d %s", name, a.status, a.body)
		}
		if bytes.Contains(a.body, []byte(strings.TrimPrefix(testSecret, "whsec_"))) {
			t.Errorf("%s: answer shows the secret", name)
		}
	}
	e.pending(t, r.ID)
	// The forgeries did not use up evt_1.
	if a := post(t, h, "siem", signed(t, testSecret, "evt_1", now, body), body); a.status != http.StatusOK {
		t.Fatalf("genuine message after forgeries: %d %s", a.status, a.body)
	}
}

// TestInboundRefusedReviewers: someone the integration may not speak for,
// someone not in the directory, and the agent's owner (refused by the
// gateway's separation of duties) are 403, and nothing is recorded.
func TestInboundRefusedReviewers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.inbound()
	r := e.submit(t)
	for i, c := range []struct {
		integration, secret, reviewer, code string
	}{
		{"siem", testSecret, "dave@example.com", countersign.EForbidden},    // dba: outside submit_for [group:sre]
		{"feed", testSecret, "sam@example.com", countersign.EForbidden},     // submit_for empty
		{"siem", testSecret, "mallory@example.com", countersign.EForbidden}, // not in the directory
		{"siem", testSecret, "olive@example.com", countersign.ESelfReview},  // owns the agent
		{"siem", testSecret, "OLIVE@example.com", countersign.ESelfReview},  // in any case
		{"ops", otherSecret, "dave@example.com", countersign.ENotEligible},  // not among the approvers
		{"ops", otherSecret, "olive@example.com", countersign.ESelfReview},  // any_human still obeys the gateway
		{"siem", testSecret, "bot", countersign.EForbidden},                 // the agent is nobody's person
	} {
		body := reviewBody(t, r.ID, "approve", "", c.reviewer)
		a := post(t, h, c.integration, signed(t, c.secret, "evt_"+strconv.Itoa(i), e.clk.Now(), body), body)
		if a.status != http.StatusForbidden || a.errorCode(t) != c.code {
			t.Errorf("%s for %s: %d %s, want 403 %s", c.integration, c.reviewer, a.status, a.body, c.code)
		}
	}
	e.pending(t, r.ID)
	// A message refused after its signature verified used up its id: the
	// same id, signed anew for an eligible reviewer, is a replay (409) and
	// records nothing, although the request is still pending.
	body := reviewBody(t, r.ID, "approve", "", "sam@example.com")
	a := post(t, h, "siem", signed(t, testSecret, "evt_0", e.clk.Now(), body), body)
	if a.status != http.StatusConflict || a.errorCode(t) != countersign.EConflict {
		t.Fatalf("reused id: %d %s", a.status, a.body)
	}
	e.pending(t, r.ID)
}

func TestInboundBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.inbound()
	r := e.submit(t)
	n := 0
	send := func(name, secret string, body []byte) answer {
		n++
		return post(t, h, name, signed(t, secret, "evt_"+strconv.Itoa(n), e.clk.Now(), body), body)
	}
	for _, c := range []struct {
		what   string
		name   string
		body   []byte
		status int
		code   string
	}{
		{"unknown integration", "nope", reviewBody(t, r.ID, "approve", "", "sam@example.com"), 404, countersign.ENotFound},
		{"bad JSON", "siem", []byte(`{"request_id":`), 400, countersign.EInvalid},
		{"unknown field", "siem", []byte(`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"sam@example.com","as":"admin"}`), 400, countersign.EInvalid},
		{"two values", "siem", []byte(`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"sam@example.com"} {}`), 400, countersign.EInvalid},
		{"no reviewer", "siem", reviewBody(t, r.ID, "approve", "", ""), 400, countersign.EInvalid},
		{"no request", "siem", reviewBody(t, "", "approve", "", "sam@example.com"), 400, countersign.EInvalid},
		{"bad verdict", "siem", reviewBody(t, r.ID, "maybe", "", "sam@example.com"), 400, countersign.EInvalid},
		{"unknown request", "siem", reviewBody(t, "req_nope", "approve", "", "sam@example.com"), 404, countersign.ENotFound},
		{"too large", "siem", reviewBody(t, r.ID, "approve", strings.Repeat("x", webhook.MaxReviewBody), "sam@example.com"), 400, countersign.EInvalid},
	} {
		a := send(c.name, testSecret, c.body)
		if a.status != c.status || a.errorCode(t) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.what, a.status, a.body, c.status, c.code)
		}
	}
	e.pending(t, r.ID)

	// Not POST.
	rec := httptest.NewRecorder()
	webhook.NewHandler(integrations, e.st, e.svc, people, e.clk.Now).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}

	// After the review window: 409 expired.
	e.clk.Advance(31 * time.Minute)
	a := send("siem", testSecret, reviewBody(t, r.ID, "approve", "", "sam@example.com"))
	if a.status != http.StatusConflict || a.errorCode(t) != countersign.EExpired {
		t.Errorf("after the window: %d %s", a.status, a.body)
	}
}
