package slack

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/countersign/countersign/dlp"
)

// Slack's limits on Block Kit text, in characters; we count bytes, which
// is never fewer.
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxHeaderText  = 150
	// chunkText leaves room for a title and a code fence around a chunk.
	chunkText = maxSectionText - 200
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes s safe to show in mrkdwn: Slack gives meaning only to &, <
// and >, so an agent cannot mention @channel or forge a link.
func escape(s string) string { return escaper.Replace(s) }

// unfence breaks every run of three backticks in s with a zero-width
// space, so that s cannot close the code block it is shown in.
func unfence(s string) string {
	for strings.Contains(s, "```") {
		s = strings.ReplaceAll(s, "```", "``\u200b`")
	}
	return s
}

// fence returns s (already escaped and unfenced) as a code block.
func fence(s string) string { return "```\n" + s + "\n```" }

// split cuts s (already escaped) into parts of at most max bytes, never
// inside a UTF-8 sequence or an entity (&amp;), at the last newline of a part
// when there is one in its second half. Joined, the parts are s.
func split(s string, max int) []string {
	var parts []string
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && amp > cut-5 && !strings.Contains(s[amp:cut], ";") {
			cut = amp
		}
		if nl := strings.LastIndexByte(s[:cut], '\n'); nl >= cut/2 {
			cut = nl + 1
		}
		if cut == 0 { // cannot happen for max >= 8; never loop forever
			cut = max
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}

// clip shortens plain text to max bytes, saying that it did.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const more = "…"
	cut := max - len(more)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + more
}

// withheld is what is shown in place of text the masker could not check.
const withheld = "[withheld: this text could not be checked for secrets and personal data]"

// maskText masks free text an agent or a person wrote. It never returns the
// text unmasked: when the masker fails, it returns the withheld notice.
func maskText(ctx context.Context, m *dlp.Masker, s string) string {
	if s == "" || m == nil {
		return s
	}
	out, _, err := m.Mask(ctx, []byte(s))
	if err != nil {
		return withheld
	}
	return string(out)
}

// maskPayload masks a JSON payload (as text when it is not JSON) and returns
// it laid out for reading.
func maskPayload(ctx context.Context, m *dlp.Masker, payload []byte) string {
	if len(payload) == 0 {
		return ""
	}
	if m == nil {
		return withheld
	}
	out, _, err := m.MaskJSON(ctx, payload)
	if errors.Is(err, dlp.ErrNotJSON) {
		return maskText(ctx, m, string(payload))
	}
	if err != nil {
		return withheld
	}
	return readable(out)
}
