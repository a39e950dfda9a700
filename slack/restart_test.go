package slack_test

import (
	"context"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
)

// A restart between the post and the click loses nothing: the new replica
// (new store, gateway, notifier and handler on the same SQLite file) records
// the click and updates the message posted before, found in the store.
func TestRestartBetweenPostAndClick(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	posted := only(e.slack.take(), "chat.postMessage")
	if len(posted) != 1 {
		t.Fatal("not posted")
	}
	ref, _ := e.store.ChannelRef(context.Background(), r.ID, "slack:#prod-approvals")

	e.close()
	e.open()

	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	if got := e.request(r.ID); len(got.Reviews) != 1 {
		t.Fatalf("click after restart: %d reviews", len(got.Reviews))
	}
	e.deliver()
	calls := e.slack.take()
	upd := only(calls, "chat.update")
	if len(upd) != 1 || len(only(calls, "chat.postMessage")) != 0 {
		t.Fatalf("after restart: %+v, want one chat.update and no new message", calls)
	}
	if got := upd[0].Form.Get("channel") + "/" + upd[0].Form.Get("ts"); got != ref {
		t.Fatalf("updated %s, want the message posted before the restart, %s", got, ref)
	}
	if f := blockText(upd[0].Blocks(t), "fields"); !strings.Contains(f, "1 of 2") {
		t.Fatalf("fields %s", f)
	}
}

// A message deleted in Slack is posted again, and the new one is recorded.
func TestDeletedMessageIsPostedAgain(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()
	ref, _ := e.store.ChannelRef(context.Background(), r.ID, "slack:#prod-approvals")
	e.slack.mu.Lock()
	delete(e.slack.messages, ref)
	e.slack.mu.Unlock()

	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	e.deliver()
	calls := e.slack.take()
	if len(only(calls, "chat.update")) != 1 || len(only(calls, "chat.postMessage")) != 1 {
		t.Fatalf("%+v", calls)
	}
	now, _ := e.store.ChannelRef(context.Background(), r.ID, "slack:#prod-approvals")
	if now == ref || now == "" {
		t.Fatalf("ref %q after repost, was %q", now, ref)
	}
	if got := e.request(r.ID); got.State != countersign.StatePending {
		t.Fatal(got.State)
	}
}
