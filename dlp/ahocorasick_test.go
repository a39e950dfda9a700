package dlp

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

type hit struct{ id, start, end int }

// naive finds every occurrence of every pattern, ASCII case-insensitively.
func naive(patterns []string, text string) []hit {
	lt := strings.ToLower(text)
	var hs []hit
	for end := 1; end <= len(text); end++ {
		for id, p := range patterns {
			lp := strings.ToLower(p)
			if p != "" && end >= len(p) && lt[end-len(p):end] == lp {
				hs = append(hs, hit{id, end - len(p), end})
			}
		}
	}
	return hs
}

func collect(m *matcher, text string) []hit {
	var hs []hit
	m.scan([]byte(text), func(id, start, end int) { hs = append(hs, hit{id, start, end}) })
	return hs
}

func sortHits(hs []hit) {
	slices.SortFunc(hs, func(a, b hit) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return a.id - b.id
	})
}

func TestMatcherKnown(t *testing.T) {
	t.Parallel()
	pats := []string{"he", "she", "his", "hers", "PASSWORD"}
	got := collect(newMatcher(pats), "uSHErs Password")
	want := []hit{{1, 1, 4}, {0, 2, 4}, {3, 2, 6}, {4, 7, 15}}
	sortHits(got)
	sortHits(want)
	if !slices.Equal(got, want) {
		t.Errorf("scan = %v, want %v", got, want)
	}
}

// TestMatcherAgainstNaive compares the automaton with a brute-force search
// on random patterns and texts over a small alphabet, where overlaps and
// shared suffixes are frequent.
func TestMatcherAgainstNaive(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "abAB-_"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for round := range 300 {
		var pats []string
		for range 1 + r.IntN(8) {
			pats = append(pats, word(1+r.IntN(4)))
		}
		text := word(r.IntN(60))
		got, want := collect(newMatcher(pats), text), naive(pats, text)
		sortHits(got)
		sortHits(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: patterns %q text %q: got %v, want %v", round, pats, text, got, want)
		}
	}
}

func TestMatcherNoPatterns(t *testing.T) {
	t.Parallel()
	if got := collect(newMatcher(nil), "anything"); len(got) != 0 {
		t.Errorf("scan with no patterns = %v, want none", got)
	}
	if got := collect(newMatcher([]string{""}), "x"); len(got) != 0 {
		t.Errorf("scan with empty pattern = %v, want none", got)
	}
}
