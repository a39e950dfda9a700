package shell

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// corpusCase is one labelled command of testdata/corpus.yaml: a command line
// (cmd) or an exec-style argv, the boolean facts that must be true (all
// others must be false) and, optionally, the programs in order.
type corpusCase struct {
	Cmd      *string  `yaml:"cmd"`
	Argv     []string `yaml:"argv"`
	True     []string `yaml:"true"`
	Programs []string `yaml:"programs"`
	Note     string   `yaml:"note"`
}

// boolFacts are the boolean facts the corpus labels, in table order.
var boolFacts = []string{"destructive", "infra_change", "privilege", "network_egress", "reads_secrets", "dynamic", "opaque", "parse_error"}

// Minimum corpus sizes: the corpus must not shrink below what was promised.
const (
	minCases    = 320
	minPrograms = 100
	minArgv     = 20
)

func loadCorpus(tb testing.TB) []corpusCase {
	tb.Helper()
	data, err := os.ReadFile("testdata/corpus.yaml")
	if err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	var doc struct {
		Anchors any          `yaml:"anchors"`
		Cases   []corpusCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("decode corpus: %v", err)
	}
	return doc.Cases
}

func (c corpusCase) name() string {
	if c.Cmd != nil {
		return fmt.Sprintf("%q", *c.Cmd)
	}
	return fmt.Sprintf("argv %q", c.Argv)
}

func (c corpusCase) analyze() Facts {
	if c.Cmd != nil {
		return Analyze(*c.Cmd)
	}
	return AnalyzeArgv(c.Argv)
}

// TestCorpus checks every labelled command: each boolean fact and, where
// given, the programs. It logs precision and recall per fact.
func TestCorpus(t *testing.T) {
	t.Parallel()
	cases := loadCorpus(t)
	type score struct{ tp, fp, fn, tn int }
	scores := map[string]*score{}
	for _, f := range boolFacts {
		scores[f] = &score{}
	}
	withPrograms, argvCases := 0, 0
	for i, c := range cases {
		if (c.Cmd == nil) == (c.Argv == nil) {
			t.Errorf("case %d: give exactly one of cmd and argv", i)
			continue
		}
		want := map[string]bool{}
		for _, f := range c.True {
			if !slices.Contains(boolFacts, f) {
				t.Errorf("case %d %s: unknown fact %q", i, c.name(), f)
			}
			want[f] = true
		}
		got := c.analyze()
		m := got.Map()
		for _, f := range boolFacts {
			g := m[f].(bool)
			s := scores[f]
			switch {
			case g && want[f]:
				s.tp++
			case g && !want[f]:
				s.fp++
				t.Errorf("case %d %s: %s = true, want false (reasons %q)", i, c.name(), f, got.Reasons)
			case !g && want[f]:
				s.fn++
				t.Errorf("case %d %s: %s = false, want true (reasons %q)", i, c.name(), f, got.Reasons)
			default:
				s.tn++
			}
		}
		if c.Programs != nil {
			withPrograms++
			if !slices.Equal(got.Programs, c.Programs) {
				t.Errorf("case %d %s: programs = %q, want %q", i, c.name(), got.Programs, c.Programs)
			}
		}
		if c.Argv != nil {
			argvCases++
		}
	}
	t.Logf("corpus: %d cases (%d with programs, %d argv)", len(cases), withPrograms, argvCases)
	t.Logf("%-15s %5s %5s %5s %5s %9s %7s", "fact", "tp", "fp", "fn", "tn", "precision", "recall")
	for _, f := range boolFacts {
		s := scores[f]
		t.Logf("%-15s %5d %5d %5d %5d %9s %7s", f, s.tp, s.fp, s.fn, s.tn, ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn))
	}
	if len(cases) < minCases || withPrograms < minPrograms || argvCases < minArgv {
		t.Errorf("corpus has %d cases, %d with programs, %d argv; want at least %d, %d, %d",
			len(cases), withPrograms, argvCases, minCases, minPrograms, minArgv)
	}
}

func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", float64(n)/float64(d))
}
