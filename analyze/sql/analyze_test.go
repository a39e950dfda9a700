package sql

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestConcurrent runs the corpus from several goroutines at once: the pooled
// analysers must not leak state between calls.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	c := loadCorpus(t)
	opt := c.options()
	want := make([]Facts, len(c.Cases))
	for i, cs := range c.Cases {
		want[i] = Analyze(cs.SQL, opt)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(c.Cases)*4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range c.Cases {
				i := (k + g*len(c.Cases)/4) % len(c.Cases)
				if got := Analyze(c.Cases[i].SQL, opt); !reflect.DeepEqual(got, want[i]) {
					errs <- c.Cases[i].name(i)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for name := range errs {
		t.Errorf("%s: concurrent analysis differs from serial", name)
	}
}

// TestDeepNesting fails closed, or analyses, but never crashes on deep trees.
func TestDeepNesting(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"SELECT * FROM t WHERE " + strings.Repeat("NOT ", 5000) + "true",
		strings.Repeat("SELECT * FROM (", 500) + "SELECT 1" + strings.Repeat(") s", 500),
	} {
		f := Analyze(src, Options{})
		if strings.HasPrefix(f.Error, "internal error") {
			t.Errorf("%.40s...: %s", src, f.Error)
		}
		if !f.ParseError && len(f.Statements) != 1 {
			t.Errorf("%.40s...: %d statements", src, len(f.Statements))
		}
	}
}

// TestManyStatements keeps working on a long payload.
func TestManyStatements(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("INSERT INTO log VALUES (1); SELECT * FROM t WHERE id = 2; ", 2000)
	f := Analyze(src, Options{})
	if f.ParseError || len(f.Statements) != 4000 || !f.Writes || f.ReadOnly {
		t.Errorf("got %d statements, parse error %v (%s), writes %v", len(f.Statements), f.ParseError, f.Error, f.Writes)
	}
	if len(f.Reasons) != 1 {
		t.Errorf("reasons %q, want one line", f.Reasons)
	}
}
