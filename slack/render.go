package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
	slackgo "github.com/slack-go/slack"
)

// Action ids of the message's buttons; their value is the request id.
const (
	ActionApprove = "countersign_approve"
	ActionReject  = "countersign_reject"
)

// How many section blocks the payload and the facts may take in a message.
// What does not fit goes, whole, into a file in the message's thread, and
// the message says so: nothing is cut silently.
const (
	maxPayloadBlocks = 5
	maxFactsBlocks   = 2
	maxReviewBlocks  = 2
)

// message is a request rendered for Slack.
type message struct {
	text   string // the notification's plain text
	blocks []slackgo.Block
	// file is the whole masked payload and facts when the blocks could not
	// hold them, "" otherwise.
	file string
}

// render shows r as it is now. Everything an agent or a person wrote passes
// the masker first and is escaped. fileRef is what attach recorded for the
// request's file, "" if nothing yet.
func render(ctx context.Context, m *dlp.Masker, r *countersign.Request, fileRef string) message {
	var msg message
	a := r.Action
	msg.text = fmt.Sprintf("Countersign: %s — %s action by agent %s in %s (%s)", stateTitle(r.State), a.Kind, r.Agent,
		orNone(maskText(ctx, m, a.Environment)), r.ID)
	msg.text = escape(msg.text)
	add := func(b slackgo.Block) { msg.blocks = append(msg.blocks, b) }

	add(slackgo.NewHeaderBlock(plain(clip(stateEmoji(r.State)+" "+stateTitle(r.State), maxHeaderText)),
		slackgo.HeaderBlockOptionBlockID("head")))
	add(slackgo.NewSectionBlock(nil, fields(ctx, m, r), nil, slackgo.SectionBlockOptionBlockID("fields")))

	if s := maskText(ctx, m, a.Summary); s != "" {
		for i, part := range split(escape(s), chunkText) {
			if i == 0 {
				part = "*Summary*\n" + part
			}
			add(section(fmt.Sprintf("summary-%d", i+1), part))
		}
	}

	var overflow bool
	payload := maskPayload(ctx, m, a.Payload)
	parts := split(unfence(escape(payload)), chunkText)
	if len(parts) > maxPayloadBlocks {
		parts, overflow = parts[:maxPayloadBlocks-1], true
	}
	for i, part := range parts {
		text := fence(part)
		if i == 0 {
			text = "*Payload* (masked)\n" + text
		}
		add(section(fmt.Sprintf("payload-%d", i+1), text))
	}
	if overflow {
		add(section("payload-more", fmt.Sprintf("_The payload continues: it is %d bytes in all. "+
			"The whole masked payload %s._", len(payload), whereFile(fileRef))))
	}

	facts := maskText(ctx, m, factsText(r.Decision.Facts))
	if facts != "" {
		fparts := split(unfence(escape(facts)), chunkText)
		more := len(fparts) > maxFactsBlocks
		if more {
			fparts, overflow = fparts[:maxFactsBlocks], true
		}
		for i, part := range fparts {
			text := fence(part)
			if i == 0 {
				text = "*Why it is sensitive* (what the analysers found)\n" + text
			}
			if more && i == len(fparts)-1 {
				text += "\n_…the rest " + whereFile(fileRef) + "._"
			}
			add(section(fmt.Sprintf("facts-%d", i+1), text))
		}
	}
	if overflow {
		msg.file = fmt.Sprintf("Countersign request %s (masked)\n\nFacts:\n%s\n\nPayload:\n%s\n", r.ID, facts, payload)
	}

	add(section("rules", rulesText(ctx, m, r)))
	if rv := reviewsText(ctx, m, r); rv != "" {
		for i, part := range split(rv, chunkText) {
			if i == maxReviewBlocks {
				add(section("reviews-more", fmt.Sprintf("_…%d reviews in all; see the request for the rest._", len(r.Reviews))))
				break
			}
			add(section(fmt.Sprintf("reviews-%d", i+1), part))
		}
	}
	add(slackgo.NewContextBlock("outcome", mrkdwn(outcome(ctx, m, r))))
	if r.State == countersign.StatePending {
		add(slackgo.NewActionBlock("actions",
			slackgo.NewButtonBlockElement(ActionApprove, r.ID, plain("Approve")).WithStyle(slackgo.StylePrimary),
			slackgo.NewButtonBlockElement(ActionReject, r.ID, plain("Reject")).WithStyle(slackgo.StyleDanger)))
	}
	return msg
}

func fields(ctx context.Context, m *dlp.Masker, r *countersign.Request) []*slackgo.TextBlockObject {
	a := r.Action
	field := func(name, value string) *slackgo.TextBlockObject {
		v := escape(value)
		if len(v)+len(name)+4 > maxFieldText {
			v = split(v, maxFieldText-len(name)-16)[0] + "…"
		}
		return mrkdwn("*" + name + "*\n" + v)
	}
	out := []*slackgo.TextBlockObject{
		field("Agent", r.Agent),
		field("Owner", r.AgentOwner),
	}
	if a.OnBehalfOf != "" {
		out = append(out, field("On behalf of", a.OnBehalfOf))
	}
	out = append(out,
		field("Environment", orNone(maskText(ctx, m, a.Environment))),
		field("Resource", orNone(maskText(ctx, m, a.Resource))),
		field("Kind", string(a.Kind)),
		field("Request", r.ID),
	)
	got, want := r.Approvals()
	out = append(out, mrkdwn(fmt.Sprintf("*Approvals*\n%d of %d", got, want)))
	if due := r.DueAt(); due != nil {
		label := "Expires"
		if r.State == countersign.StateApproved {
			label = "Grant expires"
		}
		out = append(out, mrkdwn("*"+label+"*\n"+slackDate(*due)))
	}
	return out
}

// rulesText names the policy rules that matched, their reasons, and each
// review threshold with its progress.
func rulesText(ctx context.Context, m *dlp.Masker, r *countersign.Request) string {
	var b strings.Builder
	d := r.Decision
	fmt.Fprintf(&b, "*Rules*: %s", escape(orNone(strings.Join(d.Rules, ", "))))
	if len(d.Reasons) > 0 {
		fmt.Fprintf(&b, "\n*Reasons*: %s", escape(maskText(ctx, m, strings.Join(d.Reasons, "; "))))
	}
	if rv := d.Review; rv != nil {
		for _, t := range rv.Thresholds {
			fmt.Fprintf(&b, "\n• %s: %d of %d from %s", escape(t.Rule), min(len(t.ApprovedBy), t.MinApprovals),
				t.MinApprovals, escape(strings.Join(t.Approvers, ", ")))
			if len(t.ApprovedBy) > 0 {
				fmt.Fprintf(&b, " (approved by %s)", escape(strings.Join(t.ApprovedBy, ", ")))
			}
		}
		if rv.RequireReason {
			b.WriteString("\n_A reason is required to approve._")
		}
	}
	return clipEscaped(b.String())
}

func reviewsText(ctx context.Context, m *dlp.Masker, r *countersign.Request) string {
	var lines []string
	for _, rv := range r.Reviews {
		verb := "approved"
		if rv.Verdict == countersign.VerdictReject {
			verb = "rejected"
		}
		line := fmt.Sprintf("• *%s* %s via %s", escape(rv.Reviewer), verb, escape(rv.Channel))
		if rv.Reason != "" {
			line += ": " + escape(maskText(ctx, m, rv.Reason))
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return ""
	}
	return "*Reviews*\n" + strings.Join(lines, "\n")
}

// outcome says where the request stands and, once it is resolved, who
// decided.
func outcome(ctx context.Context, m *dlp.Masker, r *countersign.Request) string {
	by := func(v countersign.Verdict) string {
		var names []string
		for _, rv := range r.Reviews {
			if rv.Verdict == v {
				names = append(names, rv.Reviewer)
			}
		}
		return escape(orNone(strings.Join(names, ", ")))
	}
	reason := escape(maskText(ctx, m, r.Reason))
	var s string
	switch r.State {
	case countersign.StatePending:
		got, want := r.Approvals()
		s = fmt.Sprintf("Waiting for approval: %d of %d.", got, want)
	case countersign.StateApproved:
		s = "Approved by " + by(countersign.VerdictApprove) + ". The agent may now run this exact action once."
	case countersign.StateExecuted:
		s = "Approved by " + by(countersign.VerdictApprove) + " and executed by the agent."
	case countersign.StateRejected:
		s = "Rejected by " + by(countersign.VerdictReject) + ": " + reason
	case countersign.StateExpired:
		s = "Expired: " + reason
	case countersign.StateCancelled:
		s = "Cancelled by agent " + escape(r.Agent) + "."
		if reason != "" {
			s += " " + reason
		}
	default:
		s = "Denied by policy: " + reason
	}
	if r.ResolvedAt != nil && r.State != countersign.StatePending {
		s += " (" + slackDate(*r.ResolvedAt) + ")"
	}
	return clipEscaped(s)
}

// whereFile says where the text that did not fit is.
func whereFile(fileRef string) string {
	if code, failed := strings.CutPrefix(fileRef, fileFailed); failed {
		return "could not be attached here (Slack said " + escape(code) + "); see the request in Countersign"
	}
	return "is in the file in this message's thread"
}

func stateTitle(s countersign.State) string {
	switch s {
	case countersign.StatePending:
		return "Approval needed"
	case countersign.StateApproved:
		return "Approved"
	case countersign.StateExecuted:
		return "Approved and executed"
	case countersign.StateRejected:
		return "Rejected"
	case countersign.StateExpired:
		return "Expired"
	case countersign.StateCancelled:
		return "Cancelled"
	default:
		return "Denied"
	}
}

func stateEmoji(s countersign.State) string {
	switch s {
	case countersign.StatePending:
		return ":hourglass_flowing_sand:"
	case countersign.StateApproved, countersign.StateExecuted:
		return ":white_check_mark:"
	case countersign.StateRejected, countersign.StateDenied:
		return ":no_entry:"
	default:
		return ":heavy_minus_sign:"
	}
}

// slackDate shows t in the reader's time zone, with UTC as the fallback.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// clipEscaped bounds text that is already escaped to one section.
func clipEscaped(s string) string {
	if len(s) <= maxSectionText {
		return s
	}
	return split(s, maxSectionText-8)[0] + "…"
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, true)
}

func section(id, text string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(mrkdwn(text), nil, nil, slackgo.SectionBlockOptionBlockID(id))
}
