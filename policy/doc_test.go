package policy

import (
	"os"
	"strings"
	"testing"
)

// TestDocExamples parses every YAML example in docs/policy.md that is a
// whole policy, so the documentation cannot drift from the parser.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatalf("read docs/policy.md: %v", err)
	}
	n := 0
	for i, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		src, _, ok := strings.Cut(block, "```")
		if !ok {
			t.Fatalf("example %d is not closed", i+1)
		}
		if !strings.HasPrefix(src, "version:") {
			continue // a fragment
		}
		n++
		if _, err := Parse("docs/policy.md example", []byte(src)); err != nil {
			t.Errorf("example %d:\n%s\n%v", i+1, src, err)
		}
	}
	if n < 3 {
		t.Errorf("found %d whole-policy examples in docs/policy.md, want at least 3", n)
	}
}
