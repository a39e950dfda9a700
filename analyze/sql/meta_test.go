package sql

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		src  string
		want []segment
	}{
		{"SELECT 1", []segment{{sql: "SELECT 1"}}},
		{"SELECT 1;\n\\copy t to 'x'\nSELECT 2", []segment{{sql: "SELECT 1;\n"}, {meta: `\copy t to 'x'`}, {sql: "\nSELECT 2"}}},
		{"SELECT 1 \\g", []segment{{sql: "SELECT 1 "}, {meta: `\g`}, {sql: ""}}},
		{`SELECT 'a\b'`, []segment{{sql: `SELECT 'a\b'`}}},
		{`SELECT E'a\'b\\'`, []segment{{sql: `SELECT E'a\'b\\'`}}},
		{`SELECT "a\b"`, []segment{{sql: `SELECT "a\b"`}}},
		{"SELECT $$\\x$$, $t$ \\y $t$", []segment{{sql: "SELECT $$\\x$$, $t$ \\y $t$"}}},
		{"SELECT 1 /* \\x /* \\y */ \\z */", []segment{{sql: "SELECT 1 /* \\x /* \\y */ \\z */"}}},
		{"SELECT 1 -- \\x\n\\q", []segment{{sql: "SELECT 1 -- \\x\n"}, {meta: `\q`}, {sql: ""}}},
		{"SELECT a$b$ \\q", []segment{{sql: "SELECT a$b$ "}, {meta: `\q`}, {sql: ""}}},
		{"SELECT $1 \\q", []segment{{sql: "SELECT $1 "}, {meta: `\q`}, {sql: ""}}},
		{"SELECT se'x' \\q", []segment{{sql: "SELECT se'x' "}, {meta: `\q`}, {sql: ""}}},
	} {
		got, err := split(tc.src)
		if err != nil {
			t.Errorf("split(%q): %v", tc.src, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("split(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestSplitStandardConformingStrings refuses strings whose end moves when
// the server reads backslashes as escapes.
func TestSplitStandardConformingStrings(t *testing.T) {
	t.Parallel()
	for _, src := range []string{`SELECT 'C:\'`, `SELECT 'a\'' ; DROP TABLE t; --'`, `SELECT 'x\' , $$'; DROP TABLE t; --$$`} {
		if _, err := split(src); err == nil {
			t.Errorf("split(%q): no error", src)
		}
	}
	for _, src := range []string{`SELECT 'a\\'`, `SELECT '\d+'`, `SELECT E'\''`, `SELECT 'a''\b'`} {
		if _, err := split(src); err != nil {
			t.Errorf("split(%q): %v", src, err)
		}
	}
}

func TestClientCopyTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args           string
		from, to       bool
		program, found bool
	}{
		{"t to 'x.csv'", false, true, false, true},
		{"t from stdin", true, false, false, true},
		{"(select 'to', \"from\" from u) to stdout", false, true, false, true},
		{"t (a, b) from program 'curl x'", true, false, true, true},
		{"\"to\" to x.csv", false, true, false, true},
		{"t sideways x", false, false, false, false},
	} {
		start, end := copyDirection(tc.args)
		if found := start >= 0; found != tc.found {
			t.Errorf("copyDirection(%q) found %v, want %v", tc.args, found, tc.found)
			continue
		}
		if !tc.found {
			continue
		}
		kw := tc.args[start:end]
		if (kw == "from") != tc.from || (kw == "to") != tc.to {
			t.Errorf("copyDirection(%q) = %q", tc.args, kw)
		}
		tok, _ := copyToken(tc.args[end+1:])
		if (tok == "program") != tc.program {
			t.Errorf("copyDirection(%q): target %q, program %v", tc.args, tok, tc.program)
		}
	}
}
