package dlp

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

type seqCase struct {
	name string
	seq  *seqMatcher
	re   *regexp.Regexp
}

// seqCases compiles every built-in anchored detector that has the simple
// shape, and a few patterns that test the edges.
func seqCases(t testing.TB) []seqCase {
	var cs []seqCase
	add := func(name, expr string) {
		if seq, ok := compileSeq(expr); ok {
			cs = append(cs, seqCase{name, seq, regexp.MustCompile(`^(?:` + expr + `)`)})
		}
	}
	for _, d := range DefaultDetectors() {
		if d.Anchored {
			add(d.Name, d.Pattern)
		}
	}
	for _, e := range []string{
		`\b(ab[0-9]{2,4})\b`, `(?i)ey-[a-f0-9]{4}`, `x[a-z]+_[0-9]*`, `\b(?:AKIA|ASIA)[A-Z2-7]{4}\b`,
		`(?i)(?:pa|PB)[a-z]?q`, `[a-z]{3}\b`, `(tok_[A-Za-z0-9]{3,})\b`,
	} {
		add(e, e)
	}
	if len(cs) < 10 {
		t.Fatalf("only %d patterns compiled to sequence matchers", len(cs))
	}
	return cs
}

func checkSeq(t *testing.T, c seqCase, text []byte) {
	t.Helper()
	want := c.re.FindSubmatchIndex(text)
	got := c.seq.loc(text, nil)
	if want == nil && got == nil {
		return
	}
	if want == nil || got == nil || want[0] != got[0] || want[1] != got[1] ||
		(c.seq.captured && (want[2] != got[2] || want[3] != got[3])) {
		t.Fatalf("%s on %q: sequence matcher %v, regexp %v", c.name, text, got, want)
	}
}

// TestSeqMatchesRegexp checks each sequence matcher against its regexp at
// every offset of every corpus document and on random mutations of them.
func TestSeqMatchesRegexp(t *testing.T) {
	t.Parallel()
	cs := seqCases(t)
	t.Logf("%d patterns compiled to sequence matchers", len(cs))
	docs := corpusDocs(t)
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("aAzZ09_-.=:/+ \n\"'@gGhHpPkKsSxX")
	for _, c := range cs {
		for _, d := range docs {
			text := []byte(d.text)
			for i := range text {
				checkSeq(t, c, text[i:])
			}
			for range 8 {
				m := slices.Clone(text)
				for range 1 + r.IntN(3) {
					if len(m) > 0 {
						m[r.IntN(len(m))] = alphabet[r.IntN(len(alphabet))]
					}
				}
				for i := range m {
					checkSeq(t, c, m[i:])
				}
			}
		}
	}
}

func TestCompileSeqRefuses(t *testing.T) {
	t.Parallel()
	for _, e := range []string{
		`a[a-z]*z`,            // the run can eat what follows
		`ab|abc`,              // one alternative a prefix of another
		`[a-z]+?x`,            // non-greedy
		`a(b)c`,               // a capture that is not the whole
		`é[a-z]{3}`,           // non-ASCII
		`a[^x]{3}`,            // a class with non-ASCII members
		`[a-z\-]+\b`,          // a run of non-word bytes could end at an inner boundary
		`a[a-z]*[0-9]?x`,      // an optional element lets the run meet what follows it
		`a[a-z]*[0-9]?\b`,     // an optional last element before \b
		`(?:(?i:ab)|cd)[0-9]`, // partly case-insensitive
		`(?i)key-[0-9]`,       // RE2 folds k to the Kelvin sign
	} {
		if _, ok := compileSeq(e); ok {
			t.Errorf("compileSeq(%q) accepted a pattern it cannot match greedily", e)
		}
	}
}

func FuzzSeqMatcher(f *testing.F) {
	for _, s := range []string{"ghp_Lm4Kx8Qw2Er6Ty0Ui3Op7As1Df5Gh9Jk2ZxC", "AKIAQ3XZ7WPL2M4RN5TV", "xoxb-2481632641-13579", "npm_x", "\u212aey-\u017f"} {
		f.Add([]byte(s))
	}
	var cs []seqCase
	f.Fuzz(func(t *testing.T, text []byte) {
		if cs == nil {
			cs = seqCases(t)
		}
		for _, c := range cs {
			checkSeq(t, c, text)
		}
	})
}
