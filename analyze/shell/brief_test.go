package shell

import (
	"strings"
	"testing"
)

// A reason line quotes whole arguments only, so a secret is shown whole
// (and masked downstream) or not at all, never as a prefix no detector
// knows.
func TestBriefKeepsWholeArguments(t *testing.T) {
	token := "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	for _, argv := range [][]string{
		{"curl", "-H", "Authorization: token " + token, "https://api.example.com"},
		{"curl", "--silent", "--show-error", "--location", "-H", token},
		{"git", "push", "https://x:" + token + "@github.com/o/r"},
	} {
		got := brief(argv)
		if strings.Contains(got, "ghp_") && !strings.Contains(got, token) {
			t.Errorf("brief(%q) = %q: a cut token", argv, got)
		}
		if len(got) > 60+len(" …") && !strings.HasPrefix(got, argv[0]+" ") {
			t.Errorf("brief(%q) = %q: too long", argv, got)
		}
	}
	if got := brief([]string{"rm", "-rf", "/"}); got != "rm -rf /" {
		t.Errorf("short command: %q", got)
	}
	if got := brief([]string{strings.Repeat("x", 80)}); got != strings.Repeat("x", 80) {
		t.Errorf("a long program name alone is kept: %q", got)
	}
}
