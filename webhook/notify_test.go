package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/webhook"
)

// delivery is what a receiver saw of one POST.
type delivery struct {
	id, timestamp, contentType string
	verifyErr                  error
	event                      webhook.Event
}

// receiver is an httptest server that verifies every POST with Verify, as
// an integration would, and answers with fail's status while fail says so.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []delivery
	fail func(n int) int // status for the n-th POST (from 1); 0 means 200
}

func newReceiver(t *testing.T, secret string, now func() time.Time, fail func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{fail: fail}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := delivery{id: r.Header.Get(webhook.HeaderID), timestamp: r.Header.Get(webhook.HeaderTimestamp),
			contentType: r.Header.Get("Content-Type")}
		d.verifyErr = webhook.Verify(secret, r.Header, body, now())
		if err := json.Unmarshal(body, &d.event); err != nil && d.verifyErr == nil {
			d.verifyErr = err
		}
		rc.mu.Lock()
		rc.got = append(rc.got, d)
		n := len(rc.got)
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.fail != nil {
			if s := rc.fail(n); s != 0 {
				status = s
			}
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery{}, rc.got...)
}

// deliver does what the delivery worker does, once: claim the due outbox
// items, notify each with its request as it is now, and finish the claim
// (delivered, or due again at OutboxRetry). It returns the items and their
// errors.
func deliver(t *testing.T, e *env, n countersign.Notifier) ([]countersign.OutboxItem, []error) {
	t.Helper()
	ctx := context.Background()
	items, err := e.st.ClaimOutbox(ctx, e.clk.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, it := range items {
		r, err := e.st.Request(ctx, it.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		nerr := n.Notify(ctx, it, r)
		errs = append(errs, nerr)
		typ, retry := countersign.EventNotified, time.Time{}
		if nerr != nil {
			typ, retry = countersign.EventNotifyFailed, countersign.OutboxRetry(e.clk.Now(), it.Attempts)
		}
		ev := countersign.NewEvent(typ, it.RequestID, "system", e.clk.Now(), map[string]any{"target": it.Target})
		if err := e.st.FinishOutbox(ctx, it, nerr == nil, retry, ev); err != nil {
			t.Fatal(err)
		}
	}
	return items, errs
}

func TestEventTypeOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		countersign.EventDecided:   webhook.TypeCreated,
		countersign.EventReviewed:  webhook.TypeReviewed,
		countersign.EventApproved:  webhook.TypeResolved,
		countersign.EventRejected:  webhook.TypeResolved,
		countersign.EventCancelled: webhook.TypeResolved,
		countersign.EventExpired:   webhook.TypeExpired,
	} {
		if got, ok := webhook.EventTypeOf(in); !ok || got != want {
			t.Errorf("EventTypeOf(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := webhook.EventTypeOf(countersign.EventExecuted); ok {
		t.Errorf("action.executed maps to a webhook event")
	}
}

// TestNotifierDelivers follows a request from the real outbox to a receiver
// that verifies each POST: created, reviewed and resolved, each signed, each
// showing the request as it is at delivery.
func TestNotifierDelivers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := newReceiver(t, testSecret, e.clk.Now, nil)
	n := webhook.NewNotifier([]webhook.Integration{{Name: "siem", URL: rc.srv.URL + "/hook", Secret: testSecret}}, nil, e.clk.Now)

	r := e.submit(t)
	items, errs := deliver(t, e, n)
	if len(items) != 1 || errs[0] != nil {
		t.Fatalf("first delivery: %v %v", items, errs)
	}
	if items[0].Target != "webhook:siem" || items[0].EventType != countersign.EventDecided {
		t.Fatalf("outbox item %+v", items[0])
	}
	sam, _ := people.ByEmail("sam@example.com")
	if _, err := e.svc.Review(context.Background(), sam.Principal(), r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // review.recorded, then request.approved: one at a time per request and target
		if items, errs := deliver(t, e, n); len(items) != 1 || errs[0] != nil {
			t.Fatalf("delivery: %v %v", items, errs)
		}
	}
	if items, _ := deliver(t, e, n); len(items) != 0 {
		t.Fatalf("left in the outbox: %v", items)
	}

	got := rc.deliveries()
	wantTypes := []string{webhook.TypeCreated, webhook.TypeReviewed, webhook.TypeResolved}
	wantEvents := []string{countersign.EventDecided, countersign.EventReviewed, countersign.EventApproved}
	if len(got) != len(wantTypes) {
		t.Fatalf("%d deliveries, want %d", len(got), len(wantTypes))
	}
	ids := map[string]bool{}
	for i, d := range got {
		if d.verifyErr != nil {
			t.Fatalf("delivery %d: receiver could not verify: %v", i, d.verifyErr)
		}
		if d.contentType != "application/json" {
			t.Errorf("delivery %d: Content-Type %q", i, d.contentType)
		}
		if d.timestamp != strconv.FormatInt(e.clk.Now().Unix(), 10) {
			t.Errorf("delivery %d: webhook-timestamp %s", i, d.timestamp)
		}
		if !strings.HasPrefix(d.id, "msg_") || ids[d.id] {
			t.Errorf("delivery %d: webhook-id %q (seen before: %v)", i, d.id, ids[d.id])
		}
		ids[d.id] = true
		ev := d.event
		if ev.Type != wantTypes[i] || ev.EventType != wantEvents[i] {
			t.Errorf("delivery %d: type %s event_type %s, want %s %s", i, ev.Type, ev.EventType, wantTypes[i], wantEvents[i])
		}
		if ev.Request.ID != r.ID || ev.Request.Agent != "bot" || ev.Request.Digest != r.Digest || ev.Timestamp.IsZero() {
			t.Errorf("delivery %d: request %+v", i, ev.Request)
		}
	}
	// The request is shown as it is at delivery: the "created" event was
	// delivered before the review, the later ones after the approval.
	if got[0].event.Request.State != countersign.StatePending {
		t.Errorf("created: state %s", got[0].event.Request.State)
	}
	for _, d := range got[1:] {
		v := d.event.Request
		if v.State != countersign.StateApproved || len(v.Reviews) != 1 || v.Reviews[0].Reviewer != "sam@example.com" {
			t.Errorf("%s: state %s reviews %+v", d.event.Type, v.State, v.Reviews)
		}
	}
}

// TestNotifierRetries has the receiver fail three times, as the worker
// retries the item from the store, then succeed: three errors, then a
// delivery, all with one webhook-id.
func TestNotifierRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	statuses := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusTooManyRequests}
	rc := newReceiver(t, testSecret, e.clk.Now, func(n int) int {
		if n <= len(statuses) {
			return statuses[n-1]
		}
		return 0
	})
	n := webhook.NewNotifier([]webhook.Integration{{Name: "siem", URL: rc.srv.URL, Secret: testSecret}}, nil, e.clk.Now)
	e.submit(t)

	var firstID int64
	for attempt := 1; attempt <= 4; attempt++ {
		items, errs := deliver(t, e, n)
		if len(items) != 1 {
			t.Fatalf("attempt %d: claimed %v", attempt, items)
		}
		if firstID == 0 {
			firstID = items[0].ID
		}
		if items[0].ID != firstID || items[0].Attempts != attempt {
			t.Fatalf("attempt %d: item %+v", attempt, items[0])
		}
		if attempt <= 3 {
			if errs[0] == nil || !strings.Contains(errs[0].Error(), strconv.Itoa(statuses[attempt-1])) {
				t.Fatalf("attempt %d: error %v, want one naming status %d", attempt, errs[0], statuses[attempt-1])
			}
		} else if errs[0] != nil {
			t.Fatalf("attempt %d: %v", attempt, errs[0])
		}
		// Not due before its retry time; due after.
		if items, _ := deliver(t, e, n); len(items) != 0 {
			t.Fatalf("attempt %d: claimed again at once: %v", attempt, items)
		}
		e.clk.Advance(time.Minute)
	}
	got := rc.deliveries()
	if len(got) != 4 {
		t.Fatalf("%d deliveries, want 4", len(got))
	}
	for i, d := range got {
		if d.verifyErr != nil {
			t.Errorf("attempt %d: %v", i+1, d.verifyErr)
		}
		if d.id != got[0].id || d.id != "msg_"+strconv.FormatInt(firstID, 10) {
			t.Errorf("attempt %d: webhook-id %s, first %s", i+1, d.id, got[0].id)
		}
	}
	// Each attempt is signed at its own time.
	if got[0].timestamp == got[3].timestamp {
		t.Errorf("every attempt has timestamp %s", got[0].timestamp)
	}
}

func TestNotifierRefusesUnknownTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.submit(t)
	n := webhook.NewNotifier([]webhook.Integration{{Name: "siem", URL: "http://127.0.0.1:1/", Secret: testSecret}}, nil, e.clk.Now)
	for target, want := range map[string]string{
		"webhook:nope":  `no integration named "nope"`,
		"slack:#ops":    "not a webhook",
		"webhook:SIEM":  `no integration named "SIEM"`,
		"webhook:siem2": `no integration named "siem2"`,
	} {
		err := n.Notify(context.Background(), countersign.OutboxItem{ID: 1, Target: target, RequestID: r.ID, EventType: countersign.EventDecided}, r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %s", target, err, want)
		}
	}
	err := n.Notify(context.Background(), countersign.OutboxItem{ID: 1, Target: "webhook:siem", RequestID: r.ID, EventType: countersign.EventExecuted}, r)
	if err == nil {
		t.Errorf("an event webhooks do not carry was sent")
	}
	err = n.Notify(context.Background(), countersign.OutboxItem{ID: 1, Target: "webhook:siem", RequestID: "other", EventType: countersign.EventDecided}, r)
	if err == nil {
		t.Errorf("an item was sent with another request")
	}
}

// TestNotifierFailures checks that redirects, error statuses, timeouts and
// network errors are errors, and that no error shows the secret or the
// URL (which may carry a token).
func TestNotifierFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.submit(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/redirect":
			http.Redirect(w, req, "/ok", http.StatusFound)
		case "/ok":
			w.WriteHeader(http.StatusOK)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/slow":
			select {
			case <-req.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	item := countersign.OutboxItem{ID: 42, Target: "webhook:x", RequestID: r.ID, EventType: countersign.EventDecided}
	for _, c := range []struct {
		url, want string
	}{
		{srv.URL + "/ok?token=t0k3n", ""},
		{srv.URL + "/redirect?token=t0k3n", "302"},
		{srv.URL + "/gone?token=t0k3n", "410"},
		{srv.URL + "/slow?token=t0k3n", "no answer within"},
		{closedURL + "/?token=t0k3n", "post msg_42"},
	} {
		n := webhook.NewNotifier([]webhook.Integration{{Name: "x", URL: c.url, Secret: testSecret}}, srv.Client(), e.clk.Now)
		webhook.SetTimeout(n, 200*time.Millisecond)
		err := n.Notify(context.Background(), item, r)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %s", c.url, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "t0k3n") || strings.Contains(err.Error(), strings.TrimPrefix(testSecret, "whsec_")) {
			t.Errorf("error %q shows the URL or the secret", err)
		}
	}
	// A context that ends first is reported as such.
	n := webhook.NewNotifier([]webhook.Integration{{Name: "x", URL: srv.URL + "/slow", Secret: testSecret}}, nil, e.clk.Now)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := n.Notify(ctx, item, r); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("with an ending context: %v", err)
	}
}

// What leaves for a webhook is masked like what Slack shows: a token and
// an email in the action do not reach the receiver, while the request's id
// and digest, which a callback needs, do; the signature covers the masked
// body.
func TestNotifierMasksTheRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := newReceiver(t, testSecret, e.clk.Now, nil)
	n := webhook.NewNotifier([]webhook.Integration{{Name: "siem", URL: rc.srv.URL + "/hook", Secret: testSecret}}, nil, e.clk.Now)
	r, _, err := e.svc.Submit(context.Background(), bot, countersign.Action{Kind: countersign.ActionSQL, Environment: "production",
		Summary: "mail jane.doe@acme-corp.io", Labels: map[string]string{"ticket": "for jane.doe@acme-corp.io"},
		Payload: json.RawMessage(`{"sql":"UPDATE users SET token = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' WHERE email = 'jane.doe@acme-corp.io'"}`)})
	if err != nil || r.State != countersign.StatePending {
		t.Fatalf("submit: %v %v", r, err)
	}
	if items, errs := deliver(t, e, n); len(items) != 1 || errs[0] != nil {
		t.Fatalf("delivery: %v %v", items, errs)
	}
	d := rc.deliveries()[0]
	if d.verifyErr != nil {
		t.Fatalf("signature over the masked body: %v", d.verifyErr)
	}
	raw, _ := json.Marshal(d.event)
	if s := string(raw); strings.Contains(s, "ghp_A1b2") || strings.Contains(s, "jane.doe@acme-corp.io") {
		t.Fatalf("the event carries the secret or the email: %s", s)
	}
	if d.event.Request.ID != r.ID || d.event.Request.Digest != r.Digest {
		t.Fatalf("event request id %q digest %q, want %q %q", d.event.Request.ID, d.event.Request.Digest, r.ID, r.Digest)
	}
}

// A reviewer's reason that quotes what the agent sent is masked too, as
// Slack masks it, and the request the notifier was given is not changed.
func TestNotifierMasksReviewReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := newReceiver(t, testSecret, e.clk.Now, nil)
	n := webhook.NewNotifier([]webhook.Integration{{Name: "siem", URL: rc.srv.URL + "/hook", Secret: testSecret}}, nil, e.clk.Now)
	r := e.submit(t)
	if items, errs := deliver(t, e, n); len(items) != 1 || errs[0] != nil {
		t.Fatalf("delivery: %v %v", items, errs)
	}
	if first, _ := json.Marshal(rc.deliveries()[0].event.Request); !strings.Contains(string(first), `"reviews":[]`) {
		t.Fatalf("a request without reviews: %s, want \"reviews\":[]", first)
	}
	sam, _ := people.ByEmail("sam@example.com")
	const token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	if _, err := e.svc.Review(context.Background(), sam.Principal(), r.ID,
		gateway.ReviewInput{Verdict: countersign.VerdictReject, Reason: "it would leak " + token}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // review.recorded, request.rejected
		if items, errs := deliver(t, e, n); len(items) != 1 || errs[0] != nil {
			t.Fatalf("delivery: %v %v", items, errs)
		}
	}
	got := rc.deliveries()
	last := got[len(got)-1]
	raw, _ := json.Marshal(last.event)
	if strings.Contains(string(raw), token[:12]) {
		t.Fatalf("the event carries the token a reviewer quoted: %s", raw)
	}
	if len(last.event.Request.Reviews) != 1 || !strings.HasPrefix(last.event.Request.Reviews[0].Reason, "it would leak ") {
		t.Fatalf("reviews %+v, want the reason, masked", last.event.Request.Reviews)
	}
	stored, err := e.st.Request(context.Background(), r.ID)
	if err != nil || stored.Reviews[0].Reason != "it would leak "+token {
		t.Fatalf("stored review %+v %v, want it unchanged", stored.Reviews, err)
	}
}
