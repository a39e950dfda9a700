package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitKeepsEntitiesAndRunes(t *testing.T) {
	s := escape(strings.Repeat("a<b>&c é ", 500) + "\n" + strings.Repeat("€", 700))
	for _, max := range []int{8, 9, 10, 11, 97, 2800} {
		parts := split(s, max)
		if strings.Join(parts, "") != s {
			t.Fatalf("max %d: parts do not join to the text", max)
		}
		for _, p := range parts {
			if len(p) > max || p == "" {
				t.Fatalf("max %d: part of %d bytes", max, len(p))
			}
			if !utf8.ValidString(p) {
				t.Fatalf("max %d: part cuts a character: %q", max, p)
			}
			if i := strings.LastIndexByte(p, '&'); i >= 0 && !strings.Contains(p[i:], ";") {
				t.Fatalf("max %d: part cuts an entity: %q", max, p[i:])
			}
		}
	}
}

func TestEscapedTextCannotBreakOut(t *testing.T) {
	in := "x ``` <!channel> <https://evil.example|click> & ````` y"
	out := fence(unfence(escape(in)))
	if strings.Contains(out, "<") || strings.Contains(out, ">") {
		t.Fatalf("mrkdwn control characters left: %s", out)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(out, "```\n"), "\n```")
	if strings.Contains(inner, "```") {
		t.Fatalf("payload can close its code block: %q", inner)
	}
}

func TestFactsText(t *testing.T) {
	got := factsText([]byte(`{"shell":{"destructive":true,"dynamic":false,"commands":["rm"],"reads":[],"reasons":["destructive: rm -rf"]},"sql":{"is_export":true}}`))
	want := "shell: destructive, commands: [\"rm\"]\n  - destructive: rm -rf\nsql: is_export"
	if got != want {
		t.Fatalf("factsText = %q, want %q", got, want)
	}
}
