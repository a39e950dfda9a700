package sql

import (
	"strings"
	"testing"
)

// FuzzAnalyze runs the analyser on mutations of the corpus: it must not
// panic, Map must keep its shape, a parse error must assume every risk, and
// nothing read-only may write.
func FuzzAnalyze(f *testing.F) {
	c := loadCorpus(f)
	for _, cs := range c.Cases {
		f.Add(cs.SQL)
	}
	opt := c.options()
	f.Fuzz(func(t *testing.T, src string) {
		facts := Analyze(src, opt)
		if strings.HasPrefix(facts.Error, "internal error") {
			t.Fatalf("Analyze(%q) panicked: %s", src, facts.Error)
		}
		m := facts.Map()
		if bad := checkMap(m); len(bad) > 0 {
			t.Fatalf("Analyze(%q).Map(): %s", src, strings.Join(bad, "; "))
		}
		if facts.ParseError && (facts.ReadOnly || !facts.Writes || !facts.DDL || !facts.Destructive ||
			!facts.IsExport || !facts.CopyProgram || !facts.Privilege || !facts.ServerSideFile ||
			!facts.Remote || !facts.TransactionControl || facts.Error == "") {
			t.Fatalf("Analyze(%q): parse error without every risk: %+v", src, facts)
		}
		if !facts.ParseError && len(facts.Statements) == 0 {
			t.Fatalf("Analyze(%q): no statements and no parse error", src)
		}
		check := func(where string, ro, writes, ddl, destructive, program, privilege, file, remote bool) {
			if ro && (writes || ddl || destructive || program || privilege || file || remote) {
				t.Fatalf("Analyze(%q): %s read-only yet writes %v ddl %v destructive %v copy_program %v privilege %v server_side_file %v remote %v",
					src, where, writes, ddl, destructive, program, privilege, file, remote)
			}
			if (ddl || destructive) && !writes {
				t.Fatalf("Analyze(%q): %s ddl %v destructive %v without writes", src, where, ddl, destructive)
			}
		}
		check("payload", facts.ReadOnly, facts.Writes, facts.DDL, facts.Destructive, facts.CopyProgram,
			facts.Privilege, facts.ServerSideFile, facts.Remote)
		for _, s := range facts.Statements {
			check(s.Type, s.ReadOnly, s.Writes, s.DDL, s.Destructive, s.CopyProgram, s.Privilege,
				s.ServerSideFile, s.Remote)
			if s.Type == "" {
				t.Fatalf("Analyze(%q): statement without a type", src)
			}
		}
	})
}
