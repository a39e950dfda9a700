package slack_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
)

func TestForgedOrStaleInteractionChangesNothing(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()
	const actionTS = "1767323100.000001"
	good := e.signed(blockAction("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, actionTS))

	wrongSecret := good
	wrongSecret.sig = slack.Sign("not-the-secret", strconv.FormatInt(good.ts, 10), []byte(good.body))
	tampered := good
	tampered.body = good.body + "x"
	stale := e.signed(good.payload)
	stale.ts = e.clk.Now().Add(-6 * time.Minute).Unix()
	stale.sig = slack.Sign(signingSecret, strconv.FormatInt(stale.ts, 10), []byte(stale.body))
	future := stale
	future.ts = e.clk.Now().Add(6 * time.Minute).Unix()
	future.sig = slack.Sign(signingSecret, strconv.FormatInt(future.ts, 10), []byte(future.body))
	unsigned := good
	unsigned.sig = ""
	otherTS := good
	otherTS.ts++ // the signature was made for another timestamp

	for name, in := range map[string]interaction{"wrong secret": wrongSecret, "tampered body": tampered,
		"6 minutes old": stale, "6 minutes ahead": future, "unsigned": unsigned, "replayed at another time": otherTS} {
		if rec := e.post(in); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, rec.Code)
		}
	}
	e.ix.Wait()
	if calls := e.slack.take(); len(calls) != 0 {
		t.Fatalf("refused requests reached Slack: %+v", calls)
	}
	if got := e.request(r.ID); len(got.Reviews) != 0 {
		t.Fatalf("refused requests recorded reviews: %+v", got.Reviews)
	}

	// Nothing was recorded, not even the interaction's guard: the genuine
	// click still counts.
	if rec := e.post(good); rec.Code != http.StatusOK {
		t.Fatalf("genuine click: %d", rec.Code)
	}
	e.ix.Wait()
	if got := e.request(r.ID); len(got.Reviews) != 1 {
		t.Fatalf("genuine click after forgeries: %d reviews", len(got.Reviews))
	}
}

func TestRetriedInteractionIsIdempotent(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()

	in := e.signed(blockAction("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001"))
	if rec := e.post(in); rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
	e.ix.Wait()
	first := e.slack.take()

	// Slack retries the same request (it did not see our answer in time).
	retry := in
	retry.retry = "1"
	if rec := e.post(retry); rec.Code != http.StatusOK {
		t.Fatalf("retry: %d, want 200 so that Slack stops retrying", rec.Code)
	}
	e.ix.Wait()
	if calls := e.slack.take(); len(calls) != 0 {
		t.Fatalf("a retry did the work again: %+v", calls)
	}
	if eph := ephemerals(first, "UDANA"); len(eph) != 1 {
		t.Fatalf("first click answered %q", eph)
	}

	// A double click is a new interaction; the gateway refuses a second
	// review by the same person, and Dana is told so.
	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000002")
	if eph := ephemerals(e.slack.take(), "UDANA"); len(eph) != 1 || !contains(eph[0], "already reviewed") {
		t.Fatalf("double click answered %q", eph)
	}
	got := e.request(r.ID)
	if len(got.Reviews) != 1 || got.State != countersign.StatePending {
		t.Fatalf("%d reviews, %s; want 1, pending", len(got.Reviews), got.State)
	}
	if n := countEvents(t, e, countersign.EventReviewed); n != 1 {
		t.Fatalf("%d review events, want 1", n)
	}
}
