package webhook_test

// Review findings (review2) on the webhook channel: regression tests worth
// keeping. Each says which it is.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// REGRESSION (passes). The same secret signs the events Countersign sends
// and the reviews it accepts, and the signed content does not name the
// direction: an event Countersign signed, sent back to the review route
// within the tolerance, verifies. It must still record nothing (today only
// DisallowUnknownFields stops it: keep it so).
func TestReview2OutboundEventReplayedInboundRecordsNothing(t *testing.T) {
	e := newEnv(t)
	r := e.submit(t)
	var hdr http.Header
	var body []byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hdr = req.Header.Clone()
		body, _ = io.ReadAll(req.Body)
	}))
	defer recv.Close()
	ints := []webhook.Integration{{Name: "siem", URL: recv.URL, Secret: testSecret, SubmitFor: []string{"group:sre"}}}
	n := webhook.NewNotifier(ints, recv.Client(), e.clk.Now)
	item := countersign.OutboxItem{ID: 7, Target: "webhook:siem", RequestID: r.ID, EventType: countersign.EventDecided, Attempts: 1, CreatedAt: e.clk.Now()}
	if err := n.Notify(context.Background(), item, r); err != nil {
		t.Fatal(err)
	}
	if err := webhook.Verify(testSecret, hdr, body, e.clk.Now()); err != nil {
		t.Fatalf("the outbound event does not verify: %v", err)
	}
	in := http.Header{}
	for _, k := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		in.Set(k, hdr.Get(k))
	}
	a := post(t, e.inbound(), "siem", in, body)
	if a.status < 400 {
		t.Fatalf("outbound event accepted as a review: %d %s", a.status, a.body)
	}
	e.pending(t, r.ID)
}

// REGRESSION (passes). Validly signed, malformed bodies are refused with
// 4xx, never panic, and record nothing.
func TestReview2MalformedSignedBodies(t *testing.T) {
	e := newEnv(t)
	r := e.submit(t)
	h := e.inbound()
	bodies := []string{
		``, `null`, `[]`, `"x"`, `{}`, `{"request_id":null}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"sam@example.com"} {}`,
		`{"request_id":"` + r.ID + `","verdict":"APPROVE","reviewer":"sam@example.com"}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":" "}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"sam@example.com","extra":1}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":["sam@example.com"]}`,
		`{"request_id":"` + r.ID + `","verdict":"reject","reviewer":"sam@example.com","reason":"   "}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"dave@example.com"}`,
		`{"request_id":"` + r.ID + `","verdict":"approve","reviewer":"olive@example.com"}`,
		"{\"request_id\":\"" + r.ID + "\",\"verdict\":\"approve\",\"reviewer\":\"sam@example.com\u0000\"}",
	}
	for i, b := range bodies {
		hdr := signed(t, testSecret, "msg_r2_"+string(rune('a'+i)), e.clk.Now(), []byte(b))
		a := post(t, h, "siem", hdr, []byte(b))
		if a.status < 400 || a.status >= 500 {
			t.Errorf("body %d %q: %d %s", i, b, a.status, a.body)
		}
	}
	e.pending(t, r.ID)
}
