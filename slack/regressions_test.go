package slack_test

// Review findings (review2): tests that show defects of the Slack channel,
// and a few regression tests worth keeping. Each says which it is.

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
)

// addExternalUser adds a Slack Connect user: a member of another
// organisation (team T0PARTNER) who shares a channel with the workspace.
// users.info shows such users with their own team and, because they share
// a channel with the app, is_stranger false.
func (f *fakeSlack) addExternalUser(id, email string) {
	f.addUser(id, email, false)
	u := f.users[id]
	u["team_id"] = "T0PARTNER"
	u["is_stranger"] = false
	u["profile"].(map[string]any)["team"] = "T0PARTNER"
}

// externalClick is a click by a user of another organisation in a shared
// (Slack Connect) channel.
func (e *env) externalClick(user, channel, actionID, requestID, actionTS string) {
	e.t.Helper()
	p := blockAction(user, channel, actionID, requestID, actionTS)
	p["user"].(map[string]any)["team_id"] = "T0PARTNER"
	rec := e.post(e.signed(p))
	if rec.Code != http.StatusOK {
		e.t.Fatalf("click: %d %q", rec.Code, rec.Body.String())
	}
	e.ix.Wait()
}

// Regression (this failed before the fix). docs/slack.md: "people of other workspaces (Slack
// Connect) ... are refused". principal() refuses only is_stranger users,
// which Slack sets for foreign users who share NO channel with the app; a
// Slack Connect member of a shared channel (where the request was posted)
// is not a stranger, and is then mapped by the email their own organisation
// gives them — here to Dave, a listed DBA without a slack id — and his
// approval is recorded.
func TestReview2SlackConnectUserMappedToListedPerson(t *testing.T) {
	e := newEnv(t)
	e.slack.addExternalUser("UPARTNER", "dave@example.com")
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()

	e.externalClick("UPARTNER", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")
	if got := e.request(r.ID); len(got.Reviews) != 0 {
		t.Fatalf("a Slack Connect user of another organisation reviewed as %s: %+v", got.Reviews[0].Reviewer, got.Reviews)
	}
}

// Regression (this failed before the fix). The same with allow_unlisted: a member of a partner
// organisation in a shared channel approves an any_human request as a
// human of their own email, though allow_unlisted is documented to admit
// members of this workspace only.
func TestReview2SlackConnectUserAdmittedAsUnlisted(t *testing.T) {
	e := newEnv(t)
	e.slack.addExternalUser("UPARTNER", "mallory@partner.example")
	e.close()
	e.allowUnlisted = true
	e.open()
	r := e.submit("staging", "DELETE FROM carts")
	e.deliver()
	e.slack.take()

	e.externalClick("UPARTNER", "CSHARED", slack.ActionApprove, r.ID, "1767323100.000001")
	got := e.request(r.ID)
	if len(got.Reviews) != 0 || got.State != countersign.StatePending {
		t.Fatalf("a Slack Connect user approved the request: %s %+v", got.State, got.Reviews)
	}
}

// REGRESSION (passes). A listed person found by confirmed email whose
// listing names another Slack id is refused, and a guest with an unlisted
// email is refused even with allow_unlisted.
func TestReview2MismatchAndGuestRefused(t *testing.T) {
	e := newEnv(t)
	e.slack.addUser("UDANA2", "dana@example.com", false) // Dana is listed as UDANA
	e.slack.addUser("UGUEST", "gus@example.com", false)
	e.slack.users["UGUEST"]["is_restricted"] = true
	e.close()
	e.allowUnlisted = true
	e.open()
	r := e.submit("staging", "DELETE FROM carts")
	e.deliver()
	e.slack.take()

	e.click("UDANA2", "DDANA", slack.ActionApprove, r.ID, "1767323100.000001")
	e.click("UGUEST", "DDANA", slack.ActionApprove, r.ID, "1767323100.000002")
	calls := e.slack.take()
	if eph := ephemerals(calls, "UDANA2"); len(eph) != 1 || !strings.Contains(eph[0], "another Slack account") {
		t.Fatalf("second account of Dana was told %q", eph)
	}
	if eph := ephemerals(calls, "UGUEST"); len(eph) != 1 || !strings.Contains(eph[0], "Guests") {
		t.Fatalf("guest was told %q", eph)
	}
	if got := e.request(r.ID); len(got.Reviews) != 0 {
		t.Fatalf("refused users reviewed: %+v", got.Reviews)
	}
}

// REGRESSION (passes). Fuzz-like payloads that are validly signed but
// malformed: nothing panics, nothing is recorded.
func TestReview2MalformedSignedPayloads(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()
	payloads := []map[string]any{
		{"type": "block_actions", "actions": []any{nil, map[string]any{}}},
		{"type": "block_actions", "actions": []any{map[string]any{"block_id": "x", "action_id": slack.ActionApprove, "value": r.ID}}},
		{"type": "block_actions", "user": map[string]any{"id": "UDANA"}, "actions": []any{map[string]any{"block_id": "x", "action_id": slack.ActionApprove}}},
		{"type": "view_submission", "view": nil},
		{"type": "view_submission", "user": map[string]any{"id": "UDANA"}, "view": map[string]any{"callback_id": slack.ModalCallback, "private_metadata": "{"}},
		{"type": "view_submission", "user": map[string]any{"id": "UDANA"}, "view": map[string]any{"callback_id": slack.ModalCallback,
			"private_metadata": `{"request":"` + r.ID + `","verdict":"approve"}`, "state": nil}},
		{"type": "view_submission", "user": map[string]any{"id": "UDANA"}, "view": map[string]any{"callback_id": slack.ModalCallback,
			"private_metadata": `{"request":"` + r.ID + `","verdict":"approve"}`, "state": map[string]any{"values": map[string]any{"reason": nil}}}},
		{"type": "view_submission", "user": map[string]any{"id": "UDANA"}, "view": map[string]any{"callback_id": slack.ModalCallback,
			"private_metadata": `{"request":"` + r.ID + `","verdict":"abstain"}`}},
		{"type": "shortcut"},
		{},
	}
	for i, p := range payloads {
		rec := e.post(e.signed(p))
		if rec.Code >= 500 {
			t.Fatalf("payload %d: %d %s", i, rec.Code, rec.Body.String())
		}
		e.ix.Wait()
	}
	if got := e.request(r.ID); len(got.Reviews) != 0 {
		t.Fatalf("malformed payloads recorded reviews: %+v", got.Reviews)
	}
}

// REGRESSION (passes). Everything an agent or a reviewer writes reaches
// Slack escaped: no mention, link or special command survives in the
// message's text or blocks (only the message's own <!date^...> tokens).
func TestReview2NoMrkdwnInjection(t *testing.T) {
	e := newEnv(t)
	evil := "<!channel> <!here|x> <@UADMIN> <#C0SECRET> <https://evil.example|Approve here> &lt;!everyone&gt; ``` *bold*"
	payload, _ := json.Marshal(map[string]string{"sql": "SELECT 1 -- ```\n" + evil})
	r, _, err := e.svc.Submit(context.Background(), agent, countersign.Action{Kind: countersign.ActionSQL,
		Environment: "production", Resource: evil, OnBehalfOf: "x" + evil, Summary: evil, Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(context.Background(), countersign.Principal{Kind: countersign.KindHuman, Name: "dana@example.com",
		Groups: []string{"dba"}}, r.ID, countersign.ChannelReview{Verdict: countersign.VerdictReject, Reason: evil, Channel: "slack", ChannelUser: evil}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	ours := regexp.MustCompile(`<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>`)
	n := 0
	for _, c := range e.slack.take() {
		if c.Method != "chat.postMessage" && c.Method != "chat.update" {
			continue
		}
		n++
		for _, s := range []string{c.Form.Get("text"), c.Form.Get("blocks")} {
			var blocks []map[string]any
			text := s
			if json.Unmarshal([]byte(s), &blocks) == nil {
				text = ""
				var walk func(any)
				walk = func(v any) {
					switch v := v.(type) {
					case map[string]any:
						for k, x := range v {
							if k == "text" {
								if str, ok := x.(string); ok {
									text += str + "\n"
								}
							}
							walk(x)
						}
					case []any:
						for _, x := range v {
							walk(x)
						}
					}
				}
				var raw any
				_ = json.Unmarshal([]byte(s), &raw)
				walk(raw)
			}
			// Our own block quote ("\n> ") is the only other markup.
			rest := strings.ReplaceAll(ours.ReplaceAllString(text, ""), "\n> ", "\n")
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("%s carries unescaped markup:\n%s", c.Method, rest)
			}
		}
	}
	if n == 0 {
		t.Fatal("no message posted")
	}
}
