package sql

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// corpus is testdata/corpus.yaml: hand-labelled payloads.
type corpus struct {
	Options struct {
		SensitiveTables []string `yaml:"sensitive_tables"`
		MaxRows         int64    `yaml:"max_rows"`
	} `yaml:"options"`
	Cases []corpusCase `yaml:"cases"`
}

type corpusCase struct {
	SQL           string    `yaml:"sql"`
	True          []string  `yaml:"true"`
	Types         *[]string `yaml:"types"`
	TablesRead    *[]string `yaml:"tables_read"`
	TablesWritten *[]string `yaml:"tables_written"`
	Functions     *[]string `yaml:"functions"`
}

// boolFacts are the payload's boolean facts as Map names them.
var boolFacts = []string{"read_only", "writes", "ddl", "destructive", "is_export", "copy_program",
	"privilege", "server_side_file", "remote", "transaction_control", "parse_error"}

func loadCorpus(t testing.TB) corpus {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("testdata/corpus.yaml: %v", err)
	}
	return c
}

func (c corpus) options() Options {
	return Options{SensitiveTables: c.Options.SensitiveTables, MaxRows: c.Options.MaxRows}
}

func (c corpusCase) name(i int) string {
	s := strings.Join(strings.Fields(c.SQL), " ")
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return fmt.Sprintf("#%d %q", i+1, s)
}

// TestCorpus checks every labelled payload, fact by fact, and logs
// precision and recall per boolean fact.
func TestCorpus(t *testing.T) {
	c := loadCorpus(t)
	opt := c.options()
	type score struct{ tp, fp, fn, tn int }
	scores := map[string]*score{}
	for _, f := range boolFacts {
		scores[f] = &score{}
	}
	detailed := 0
	for i, cs := range c.Cases {
		name := cs.name(i)
		for _, f := range cs.True {
			if !slices.Contains(boolFacts, f) {
				t.Errorf("%s: unknown fact %q in \"true\"", name, f)
			}
		}
		m := Analyze(cs.SQL, opt).Map()
		for _, f := range boolFacts {
			want := slices.Contains(cs.True, f)
			got := m[f].(bool)
			s := scores[f]
			switch {
			case got && want:
				s.tp++
			case got && !want:
				s.fp++
				t.Errorf("%s: %s: got true, want false (reasons %q)", name, f, m["reasons"])
			case !got && want:
				s.fn++
				t.Errorf("%s: %s: got false, want true (reasons %q)", name, f, m["reasons"])
			default:
				s.tn++
			}
		}
		if cs.Types != nil || cs.TablesRead != nil || cs.TablesWritten != nil {
			detailed++
		}
		for _, l := range []struct {
			key  string
			want *[]string
		}{{"types", cs.Types}, {"tables_read", cs.TablesRead}, {"tables_written", cs.TablesWritten}, {"functions", cs.Functions}} {
			if l.want == nil {
				continue
			}
			if got := m[l.key].([]string); !slices.Equal(got, *l.want) {
				t.Errorf("%s: %s: got %q, want %q", name, l.key, got, *l.want)
			}
		}
	}
	t.Logf("%d cases, %d with types or tables checked", len(c.Cases), detailed)
	t.Logf("%-20s %5s %5s %5s %5s %9s %7s", "fact", "tp", "fp", "fn", "tn", "precision", "recall")
	for _, f := range boolFacts {
		s := scores[f]
		t.Logf("%-20s %5d %5d %5d %5d %9s %7s", f, s.tp, s.fp, s.fn, s.tn, ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn))
	}
	if len(c.Cases) < 320 {
		t.Errorf("corpus has %d cases, want at least 320", len(c.Cases))
	}
	if detailed < 100 {
		t.Errorf("corpus checks types or tables on %d cases, want at least 100", detailed)
	}
}

func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", float64(n)/float64(d))
}
