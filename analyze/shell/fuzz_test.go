package shell

import (
	"strings"
	"testing"
	"time"
)

// FuzzAnalyze checks, for any input: no panic (Analyze recovers, so an
// "internal error" is one), Map has every key, a parse error comes with every
// risk and is opaque, a command without a program is dynamic and opaque, and
// opaque comes with every risk. Seeds are the corpus.
func FuzzAnalyze(f *testing.F) {
	for _, c := range loadCorpus(f) {
		if c.Cmd != nil {
			f.Add(*c.Cmd)
		} else {
			f.Add(strings.Join(c.Argv, " "))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		check := func(what string, got Facts) {
			if strings.HasPrefix(got.Error, "internal error") {
				t.Fatalf("%s(%q) panicked: %s", what, in, got.Error)
			}
			checkMap(t, got)
			if got.ParseError && (!allRisky(got) || !got.Opaque || got.Error == "") {
				t.Fatalf("%s(%q): parse error without every risk and opaque: %+v", what, in, got)
			}
			if got.Opaque && !allRisky(got) {
				t.Fatalf("%s(%q): opaque without every risk: %+v", what, in, got)
			}
			for _, c := range got.Commands {
				if c.Program == "" && (!c.Dynamic || !got.Opaque) {
					t.Fatalf("%s(%q): command %q has no program but is not dynamic and opaque", what, in, c.Argv)
				}
			}
			seen := map[string]bool{}
			for _, p := range got.Programs {
				if p == "" || seen[p] {
					t.Fatalf("%s(%q): programs %q hold an empty or repeated name", what, in, got.Programs)
				}
				seen[p] = true
			}
		}
		start := time.Now()
		check("Analyze", Analyze(in))
		check("AnalyzeArgv", AnalyzeArgv(strings.Fields(in)))
		if d := time.Since(start); d > time.Second {
			t.Fatalf("analysing %d bytes took %v", len(in), d)
		}
	})
}
