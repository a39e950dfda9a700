package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/countersign/countersign/slack"
)

func TestMessagePostedForReview(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY (SELECT id, total FROM orders WHERE token = '"+fakeSecret+"') TO STDOUT")
	e.deliver()

	calls := e.slack.take()
	posts := only(calls, "chat.postMessage")
	if len(posts) != 1 || len(calls) != 1 {
		t.Fatalf("calls %+v, want one chat.postMessage", calls)
	}
	p := posts[0]
	if ch := p.Form.Get("channel"); ch != "#prod-approvals" {
		t.Fatalf("posted to %q, want #prod-approvals", ch)
	}
	if strings.Contains(allText(p), "ghp_") || strings.Contains(allText(p), fakeSecret[4:]) {
		t.Fatalf("the secret reached Slack:\n%s", allText(p))
	}
	blocks := p.Blocks(t)
	fields := blockText(blocks, "fields")
	for _, want := range []string{"*Agent*\norders-bot", "*Owner*\nolive@example.com", "*Environment*\nproduction",
		"*Resource*\npostgres://orders-db/orders", "*Kind*\nsql", "*Request*\n" + r.ID, "*Approvals*\n0 of 2",
		"*Expires*\n<!date^", "|2026-01-02 03:34 UTC>"} {
		if !strings.Contains(fields, want) {
			t.Errorf("fields lack %q:\n%s", want, fields)
		}
	}
	if s := blockText(blocks, "summary-1"); !strings.Contains(s, "Export last month's orders") {
		t.Errorf("summary: %q", s)
	}
	payload := blockText(blocks, "payload-1")
	if !strings.Contains(payload, "[GITHUB_TOKEN]") || !strings.Contains(payload, "COPY (SELECT id, total FROM orders") {
		t.Errorf("payload not shown masked:\n%s", payload)
	}
	if facts := blockText(blocks, "facts-1"); !strings.Contains(facts, "sql:") || !strings.Contains(facts, "is_export") {
		t.Errorf("facts:\n%s", facts)
	}
	rules := blockText(blocks, "rules")
	for _, want := range []string{"prod-changes", "production data leaves the database", "0 of 2 from group:dba"} {
		if !strings.Contains(rules, want) {
			t.Errorf("rules lack %q:\n%s", want, rules)
		}
	}
	if o := blockText(blocks, "outcome"); !strings.Contains(o, "Waiting for approval: 0 of 2") {
		t.Errorf("outcome: %q", o)
	}
	buttons := map[string]string{}
	for _, b := range blocks {
		if b["block_id"] == "actions" {
			for _, el := range b["elements"].([]any) {
				m := el.(map[string]any)
				buttons[m["action_id"].(string)] = m["value"].(string)
			}
		}
	}
	if buttons[slack.ActionApprove] != r.ID || buttons[slack.ActionReject] != r.ID {
		t.Errorf("buttons %v, want approve and reject of %s", buttons, r.ID)
	}
	ref, err := e.store.ChannelRef(context.Background(), r.ID, "slack:#prod-approvals")
	if err != nil || !strings.HasPrefix(ref, "CPRODAPPROVALS/1767323045.") {
		t.Fatalf("stored ref %q %v, want the posted channel/ts", ref, err)
	}
}

// longSQL is a statement far too long for one message, with a secret near
// its end.
func longSQL() string {
	var sql strings.Builder
	sql.WriteString("INSERT INTO audit (note) VALUES\n")
	for i := range 900 {
		sql.WriteString("  ('row " + strings.Repeat("x", 20) + " <&> " + string(rune('a'+i%26)) + "'),\n")
	}
	sql.WriteString("  ('" + fakeSecret + "'), ('THE-END')")
	return sql.String()
}

func TestLongPayloadSplitAndUploadedWhole(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", longSQL())
	e.deliver()
	calls := e.slack.take()
	posts := only(calls, "chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	blocks := posts[0].Blocks(t)
	n := 0
	for _, b := range blocks {
		text := blockText(blocks, b["block_id"].(string))
		if len(text) > 3000 {
			t.Errorf("block %s has %d characters; Slack allows 3000", b["block_id"], len(text))
		}
		if strings.HasPrefix(b["block_id"].(string), "payload-") && b["block_id"] != "payload-more" {
			n++
		}
	}
	if n < 2 {
		t.Fatalf("payload in %d blocks, want several", n)
	}
	if more := blockText(blocks, "payload-more"); !strings.Contains(more, "whole masked payload is in the file") {
		t.Fatalf("long payload cut without saying so: %q", more)
	}
	if strings.Contains(allText(posts[0]), "ghp_") {
		t.Fatal("secret reached Slack")
	}
	if got := len(only(calls, "upload")); got != 1 {
		t.Fatalf("%d uploads, want 1", got)
	}
	complete := only(calls, "files.completeUploadExternal")
	if len(complete) != 1 || complete[0].Form.Get("thread_ts") == "" || complete[0].Form.Get("channel_id") != "CPRODAPPROVALS" {
		t.Fatalf("file not shared in the message's thread: %+v", complete)
	}
	e.slack.mu.Lock()
	file := e.slack.uploads["F0FILE1"]
	e.slack.mu.Unlock()
	if !strings.Contains(file, "THE-END") || !strings.Contains(file, "[GITHUB_TOKEN]") || strings.Contains(file, "ghp_") {
		t.Fatalf("uploaded file is not the whole masked payload (%d bytes)", len(file))
	}

	// An update after a review does not upload the file again.
	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	e.deliver()
	calls = e.slack.take()
	if len(only(calls, "chat.update")) != 1 || len(only(calls, "upload")) != 0 {
		t.Fatalf("after a review: %d updates, %d uploads; want 1, 0", len(only(calls, "chat.update")), len(only(calls, "upload")))
	}
}

// When Slack refuses the file (the app is not in the channel), the message
// says the payload could not be attached, and the delivery is not retried.
func TestLongPayloadFileRefused(t *testing.T) {
	e := newEnv(t)
	e.slack.mu.Lock()
	e.slack.refuseUpload = "not_in_channel"
	e.slack.mu.Unlock()
	r := e.submit("production", longSQL())
	e.deliver()
	calls := e.slack.take()
	upd := only(calls, "chat.update")
	if len(only(calls, "chat.postMessage")) != 1 || len(upd) != 1 {
		t.Fatalf("%d posts, %d updates; want 1, 1", len(only(calls, "chat.postMessage")), len(upd))
	}
	if more := blockText(upd[0].Blocks(t), "payload-more"); !strings.Contains(more, "could not be attached here (Slack said not_in_channel)") {
		t.Fatalf("payload-more: %q", more)
	}
	e.click("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	e.deliver()
	calls = e.slack.take()
	if len(only(calls, "files.getUploadURLExternal")) != 0 || len(only(calls, "chat.update")) != 1 {
		t.Fatalf("after a review: %+v", calls)
	}
}
