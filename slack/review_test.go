package slack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
)

func TestApprovalsCountAndUpdateTheMessage(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()
	ref, _ := e.store.ChannelRef(context.Background(), r.ID, "slack:#prod-approvals")

	// Dana is mapped by her Slack id.
	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	got := e.request(r.ID)
	if len(got.Reviews) != 1 || got.State != countersign.StatePending {
		t.Fatalf("after Dana: %d reviews, %s", len(got.Reviews), got.State)
	}
	rv := got.Reviews[0]
	if rv.Reviewer != "dana@example.com" || rv.Channel != "slack" || rv.ChannelUser != "UDANA" || rv.Verdict != countersign.VerdictApprove {
		t.Fatalf("review %+v", rv)
	}
	calls := e.slack.take()
	if eph := ephemerals(calls, "UDANA"); len(eph) != 1 || !strings.Contains(eph[0], "1 of 2") {
		t.Fatalf("Dana was told %q", eph)
	}
	e.deliver()
	calls = e.slack.take()
	upd := only(calls, "chat.update")
	if len(upd) != 1 || len(only(calls, "chat.postMessage")) != 0 {
		t.Fatalf("after a review: %+v, want one chat.update", calls)
	}
	if upd[0].Form.Get("channel")+"/"+upd[0].Form.Get("ts") != ref {
		t.Fatalf("updated %s/%s, want the posted message %s", upd[0].Form.Get("channel"), upd[0].Form.Get("ts"), ref)
	}
	blocks := upd[0].Blocks(t)
	if f := blockText(blocks, "fields"); !strings.Contains(f, "*Approvals*\n1 of 2") {
		t.Errorf("fields after one approval:\n%s", f)
	}
	if rv := blockText(blocks, "reviews-1"); !strings.Contains(rv, "*dana@example.com* approved via slack") {
		t.Errorf("reviews: %q", rv)
	}

	// Dave is mapped by the email Slack confirms for him (users.info). The
	// click is acknowledged before that look-up answers.
	e.slack.mu.Lock()
	e.slack.gate = make(chan struct{})
	e.slack.mu.Unlock()
	acked := make(chan int, 1)
	go func() {
		acked <- e.post(e.signed(blockAction("UDAVE", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323101.000001"))).Code
	}()
	select {
	case code := <-acked:
		if code != http.StatusOK {
			t.Fatalf("ack %d", code)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the click was not acknowledged while its work waited on Slack")
	}
	e.slack.mu.Lock()
	close(e.slack.gate)
	e.slack.gate = nil
	e.slack.mu.Unlock()
	e.ix.Wait()
	if got := e.request(r.ID); got.State != countersign.StateApproved || len(got.Reviews) != 2 {
		t.Fatalf("after Dave: %s with %d reviews, want approved with 2", got.State, len(got.Reviews))
	}
	if len(only(e.slack.take(), "users.info")) != 1 {
		t.Fatal("Dave was not looked up")
	}

	e.deliver()
	calls = e.slack.take()
	upd = only(calls, "chat.update")
	if len(upd) == 0 {
		t.Fatal("message not updated on approval")
	}
	last := upd[len(upd)-1].Blocks(t)
	if blockText(last, "actions") != "" {
		t.Error("a resolved message still has buttons")
	}
	if o := blockText(last, "outcome"); !strings.Contains(o, "Approved by dana@example.com, dave@example.com") {
		t.Errorf("outcome: %q", o)
	}
	if h := blockText(last, "head"); !strings.Contains(h, "Approved") {
		t.Errorf("header: %q", h)
	}
	dms := only(calls, "chat.postMessage")
	if len(dms) != 1 || dms[0].Form.Get("channel") != "UOLIVE" || !strings.Contains(dms[0].Form.Get("text"), "is *approved*") {
		t.Fatalf("owner messages %+v, want one to UOLIVE", dms)
	}
	if len(only(calls, "users.lookupByEmail")) != 1 {
		t.Fatal("the owner was not found by email")
	}

	// A late or repeated delivery of the approval tells the owner nothing twice.
	item := countersign.OutboxItem{Target: "slack:#prod-approvals", RequestID: r.ID, EventType: countersign.EventApproved}
	if err := e.note.Notify(context.Background(), item, e.request(r.ID)); err != nil {
		t.Fatal(err)
	}
	if dms := only(e.slack.take(), "chat.postMessage"); len(dms) != 0 {
		t.Fatalf("owner told twice: %+v", dms)
	}
}

func TestOwnerCannotReviewOwnAgent(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()

	e.click("UOLIVE", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	e.click("UOLIVE", "CPRODAPPROVALS", slack.ActionReject, r.ID, "1767323100.000002")
	calls := e.slack.take()
	eph := ephemerals(calls, "UOLIVE")
	if len(eph) != 2 || !strings.Contains(eph[0], "owns agent orders-bot") || !strings.Contains(eph[1], "owns agent orders-bot") {
		t.Fatalf("Olive was told %q", eph)
	}
	if len(only(calls, "views.open")) != 0 {
		t.Fatal("a reason dialog opened for someone who cannot review")
	}
	if got := e.request(r.ID); len(got.Reviews) != 0 || got.State != countersign.StatePending {
		t.Fatalf("owner's click recorded: %+v", got.Reviews)
	}
	e.deliver()
	if calls := e.slack.take(); len(calls) != 0 {
		t.Fatalf("refusal changed the message: %+v", calls)
	}
}

func TestUnmappedUsersAndBotsRefused(t *testing.T) {
	e := newEnv(t)
	r := e.submit("staging", "DELETE FROM carts")
	e.deliver()
	if posts := only(e.slack.take(), "chat.postMessage"); len(posts) != 1 || posts[0].Form.Get("channel") != "UDANA" {
		t.Fatalf("staging request not sent to Dana directly: %+v", posts)
	}
	ref, _ := e.store.ChannelRef(context.Background(), r.ID, "slack:@UDANA")
	if !strings.HasPrefix(ref, "DDANA/") {
		t.Fatalf("DM ref %q", ref)
	}

	e.click("UEVE", "DDANA", slack.ActionApprove, r.ID, "1767323100.000001")
	e.click("UBOT", "DDANA", slack.ActionApprove, r.ID, "1767323100.000002")
	e.click("UNOBODY", "DDANA", slack.ActionApprove, r.ID, "1767323100.000003")
	calls := e.slack.take()
	if eph := ephemerals(calls, "UEVE"); len(eph) != 1 || !strings.Contains(eph[0], "not a Countersign reviewer") {
		t.Fatalf("Eve was told %q", eph)
	}
	if eph := ephemerals(calls, "UBOT"); len(eph) != 1 || !strings.Contains(eph[0], "Bots and apps cannot review") {
		t.Fatalf("the bot was told %q", eph)
	}
	if eph := ephemerals(calls, "UNOBODY"); len(eph) != 1 || !strings.Contains(eph[0], "could not look up") {
		t.Fatalf("an unknown user was told %q", eph)
	}
	if got := e.request(r.ID); len(got.Reviews) != 0 {
		t.Fatalf("refused users recorded reviews: %+v", got.Reviews)
	}

	// With allow_unlisted, a member's confirmed email is enough, as a human
	// with no groups.
	e.close()
	e.allowUnlisted = true
	e.open()
	e.click("UEVE", "DDANA", slack.ActionApprove, r.ID, "1767323100.000004")
	got := e.request(r.ID)
	if got.State != countersign.StateApproved || got.Reviews[0].Reviewer != "eve@example.com" {
		t.Fatalf("unlisted Eve: %s %+v", got.State, got.Reviews)
	}
}

func TestRejectAsksForReason(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()

	e.click("UDANA", "CPRODAPPROVALS", slack.ActionReject, r.ID, "1767323100.000001")
	views := only(e.slack.take(), "views.open")
	if len(views) != 1 || views[0].JSON["trigger_id"] != "701234567.123456789.trigger1767323100.000001" {
		t.Fatalf("views.open %+v", views)
	}
	view := views[0].JSON["view"].(map[string]any)
	if view["callback_id"] != slack.ModalCallback {
		t.Fatalf("modal %v", view)
	}
	meta := view["private_metadata"].(string)
	if len(e.request(r.ID).Reviews) != 0 {
		t.Fatal("a rejection was recorded before its reason")
	}

	// No reason: the dialog shows an error and nothing is recorded.
	rec := e.post(e.signed(viewSubmission("UDANA", meta, "  ", "trig-1")))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"response_action":"errors"`) ||
		!strings.Contains(rec.Body.String(), `"reason":"A reason is required."`) {
		t.Fatalf("empty reason: %d %s", rec.Code, rec.Body.String())
	}
	e.ix.Wait()
	if len(e.request(r.ID).Reviews) != 0 {
		t.Fatal("recorded without a reason")
	}

	rec = e.post(e.signed(viewSubmission("UDANA", meta, "exports customer PII", "trig-2")))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("submission: %d %q, want an empty 200 that closes the dialog", rec.Code, rec.Body.String())
	}
	e.ix.Wait()
	got := e.request(r.ID)
	if got.State != countersign.StateRejected || got.Reviews[0].Reason != "exports customer PII" || got.Reviews[0].ChannelUser != "UDANA" {
		t.Fatalf("after the dialog: %s %+v", got.State, got.Reviews)
	}
	e.slack.take()
	e.deliver()
	calls := e.slack.take()
	upd := only(calls, "chat.update")
	last := upd[len(upd)-1].Blocks(t)
	if o := blockText(last, "outcome"); !strings.Contains(o, "Rejected by dana@example.com: exports customer PII") {
		t.Errorf("outcome %q", o)
	}
	if blockText(last, "actions") != "" {
		t.Error("a rejected message still has buttons")
	}
	if dms := only(calls, "chat.postMessage"); len(dms) != 1 || !strings.Contains(dms[0].Form.Get("text"), "is *rejected*") {
		t.Fatalf("owner not told of the rejection: %+v", dms)
	}
}

func TestApproveAsksForReasonWhenRequired(t *testing.T) {
	e := newEnv(t)
	r := e.submit("finance", "UPDATE ledger SET closed = true")
	e.deliver()
	if posts := only(e.slack.take(), "chat.postMessage"); len(posts) != 1 || posts[0].Form.Get("channel") != "C0FINANCE" {
		t.Fatalf("posts %+v", posts)
	}
	e.click("UDANA", "C0FINANCE", slack.ActionApprove, r.ID, "1767323100.000001")
	views := only(e.slack.take(), "views.open")
	if len(views) != 1 {
		t.Fatal("approval under require_reason opened no dialog")
	}
	meta := views[0].JSON["view"].(map[string]any)["private_metadata"].(string)
	if !strings.Contains(meta, `"verdict":"approve"`) {
		t.Fatalf("metadata %s", meta)
	}
	rec := e.post(e.signed(viewSubmission("UDANA", meta, "month-end close, ticket FIN-12", "trig-1")))
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
	e.ix.Wait()
	got := e.request(r.ID)
	if got.State != countersign.StateApproved || got.Reviews[0].Reason != "month-end close, ticket FIN-12" {
		t.Fatalf("%s %+v", got.State, got.Reviews)
	}
}

func TestExpiryUpdatesTheMessage(t *testing.T) {
	e := newEnv(t)
	r := e.submit("staging", "DELETE FROM carts")
	e.deliver()
	e.slack.take()
	e.clk.Advance(11 * time.Minute)
	if _, err := e.svc.Expire(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	calls := e.slack.take()
	upd := only(calls, "chat.update")
	if len(upd) != 1 {
		t.Fatalf("%+v", calls)
	}
	blocks := upd[0].Blocks(t)
	if o := blockText(blocks, "outcome"); !strings.Contains(o, "Expired: review window ended") || blockText(blocks, "actions") != "" {
		t.Fatalf("expired message: %q", o)
	}
	if dms := only(calls, "chat.postMessage"); len(dms) != 1 || !strings.Contains(dms[0].Form.Get("text"), "is *expired*") {
		t.Fatalf("owner not told: %+v", dms)
	}
	// A click on the stale message is refused by the gateway, not recorded.
	e.click("UDANA", "DDANA", slack.ActionApprove, r.ID, "1767323900.000001")
	if eph := ephemerals(e.slack.take(), "UDANA"); len(eph) != 1 || !strings.Contains(eph[0], "not pending") {
		t.Fatalf("Dana was told %q", eph)
	}
}
