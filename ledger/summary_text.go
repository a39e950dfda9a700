package ledger

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// WriteText writes the summary for an auditor: the log range, period and
// totals, then one line per request submitted in the bundle, such as
//
//	req_01 report-bot sql "Export orders": approved by dana@example.com (slack) "finance asked", dave@example.com (cli); executed
//
// Text that agents or reviewers wrote (summaries, reasons, names) is quoted
// or escaped, so that it cannot forge lines or drive the terminal.
func (s *Summary) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "origin     %s\n", safe(s.Origin))
	fmt.Fprintf(bw, "log        entries %d to %d (checkpoints of size %d and %d)\n", s.FirstSize, s.LastSize, s.FirstSize, s.LastSize)
	if s.Since != nil || s.Until != nil {
		fmt.Fprintf(bw, "period     %s to %s\n", stamp(s.Since), stamp(s.Until))
	}
	if s.Counts.Events > 0 {
		fmt.Fprintf(bw, "events     %s to %s\n", s.FirstTime.Format(time.RFC3339), s.LastTime.Format(time.RFC3339))
	}
	if s.AfterSize != nil {
		fmt.Fprintf(bw, "after      consistent with the earlier checkpoint of size %d\n", *s.AfterSize)
	}
	c := s.Counts
	fmt.Fprintf(bw, "totals     %d events, %d actions: %d approved, %d rejected, %d denied, %d executed\n",
		c.Events, c.Actions, c.Approved, c.Rejected, c.Denied, c.Executed)
	for _, d := range s.PolicyDigests {
		fmt.Fprintf(bw, "policy     %s\n", safe(d))
	}
	if len(s.Requests) > 0 {
		fmt.Fprintf(bw, "\nrequests (%d):\n", len(s.Requests))
	}
	for _, r := range s.Requests {
		fmt.Fprintf(bw, "%s\n", r.line())
	}
	if s.Earlier > 0 {
		fmt.Fprintf(bw, "\n%d earlier requests have events here but were submitted before entry %d; verify the earlier bundle for them.\n", s.Earlier, s.FirstSize)
	}
	return bw.Flush()
}

// line is the request's one-line account.
func (r RequestSummary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s: ", safe(r.ID), safe(r.Agent), safe(r.Kind), strconv.Quote(r.Summary))
	switch r.Outcome {
	case "allowed":
		fmt.Fprintf(&b, "allowed by policy%s", rules(r.Rules))
	case "denied":
		fmt.Fprintf(&b, "denied by policy%s", rules(r.Rules))
		if len(r.Reasons) > 0 {
			fmt.Fprintf(&b, " (%s)", safe(strings.Join(r.Reasons, ", ")))
		}
	case "approved":
		b.WriteString("approved by " + reviews(r.Approvals))
	case "rejected":
		b.WriteString("rejected by " + reviews(r.Rejections))
	default:
		b.WriteString(safe(r.Outcome))
		if len(r.Approvals) > 0 {
			b.WriteString(", approvals: " + reviews(r.Approvals))
		}
		if len(r.Rejections) > 0 {
			b.WriteString(", rejections: " + reviews(r.Rejections))
		}
	}
	if r.Outcome == "approved" && len(r.Rejections) > 0 {
		b.WriteString(", rejected by " + reviews(r.Rejections))
	}
	if r.Executed {
		b.WriteString("; executed " + r.ExecutedAt.Format(time.RFC3339))
	} else {
		b.WriteString("; not executed")
	}
	return b.String()
}

func reviews(rs []ReviewSummary) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s (%s)", safe(r.Reviewer), safe(r.Channel))
		if r.Reason != "" {
			parts[i] += " " + strconv.Quote(r.Reason)
		}
	}
	return strings.Join(parts, ", ")
}

func rules(rs []string) string {
	if len(rs) == 0 {
		return ""
	}
	return " (rules: " + safe(strings.Join(rs, ", ")) + ")"
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// safe returns s as is when every rune is a printable, non-space-like
// character other than a plain space, and quoted otherwise.
func safe(s string) string {
	for _, r := range s {
		if r != ' ' && !unicode.IsGraphic(r) || unicode.In(r, unicode.Bidi_Control) {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
