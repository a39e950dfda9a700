package sql

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pganalyze/pg_query_go/v6/parser"
)

func TestTreeDecode(t *testing.T) {
	t.Parallel()
	var tr tree
	root, err := tr.decode(` {"a": [1, -2.5e3, true, false, null, "x\u003ey\\z\"\n\u00e9\ud83d\ude00"], "b": {}, "c": {"RangeVar": {"relname": "t"}}} `)
	if err != nil {
		t.Fatal(err)
	}
	a := tr.get(root, "a")
	if got := tr.count(a); got != 6 {
		t.Fatalf("count(a) = %d, want 6", got)
	}
	var got []string
	for c := tr.first(a); c != none; c = tr.next(c) {
		got = append(got, tr.raw(c))
	}
	want := []string{"1", "-2.5e3", "true", "false", "null", "x>y\\z\"\né😀"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("a[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if !tr.flag(tr.next(tr.next(tr.first(a)))) {
		t.Error("a[2] is not true")
	}
	if kind, body := tr.node(tr.get(root, "c")); kind != "RangeVar" || tr.text(tr.get(body, "relname")) != "t" {
		t.Errorf("node(c) = %q, relname %q; want RangeVar, t", kind, tr.text(tr.get(body, "relname")))
	}
	if kind, _ := tr.node(tr.get(root, "b")); kind != "" {
		t.Errorf("node(b) = %q, want none", kind)
	}
	if kind, _ := tr.node(root); kind != "" {
		t.Errorf("node(root) = %q, want none: it has three members", kind)
	}
	if tr.get(root, "missing") != none || tr.get(a, "x") != none || tr.text(none) != "" || tr.first(none) != none {
		t.Error("lookups of absent values are not none")
	}
}

func TestTreeDecodeErrors(t *testing.T) {
	t.Parallel()
	for _, src := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1 2]`, `"abc`, `"\x"`, `"\u12"`, `{} x`, `tru`, `{"a":[}`, `{1:2}`} {
		var tr tree
		if _, err := tr.decode(src); err == nil {
			t.Errorf("decode(%q): no error", src)
		}
	}
}

func TestTreeReuse(t *testing.T) {
	t.Parallel()
	var tr tree
	for _, src := range []string{`{"a":{"b":[1,2,3]}}`, `[]`, `{"z":"y"}`} {
		root, err := tr.decode(src)
		if err != nil {
			t.Fatalf("decode(%q): %v", src, err)
		}
		if root != 0 {
			t.Errorf("decode(%q): root %d, want 0", src, root)
		}
	}
	if len(tr.v) != 2 {
		t.Errorf("after three decodes the tree holds %d values, want 2", len(tr.v))
	}
}

// FuzzTreeDecode checks the decoder against encoding/json: what the
// standard library reads as JSON, the tree reads to the same value.
func FuzzTreeDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x\u003e",true,null,{}],"b":{"c":-1.5e3}}`, `[]`, `"\ud83d\ude00"`, `{"a":{"a":1},"a":2}`, `"\ud83d\u0041"`, `"\ude00\ud83d"`} {
		f.Add(s)
	}
	for _, q := range []string{"SELECT 1", "SELECT 'a\\b' FROM t WHERE x > 1", "BEGIN; DELETE FROM t; COMMIT"} {
		if js, err := parser.ParseToJSON(q); err == nil {
			f.Add(js)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		var tr tree
		root, err := tr.decode(src)
		dec := json.NewDecoder(strings.NewReader(src))
		dec.UseNumber()
		var want any
		if dec.Decode(&want) != nil || dec.More() || !utf8.ValidString(src) {
			return // not JSON to the standard library: anything may happen, but no panic
		}
		if _, extra := dec.Token(); extra != io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("decode(%q): %v; encoding/json reads it", src, err)
		}
		if got := tr.value(root); !reflect.DeepEqual(got, want) {
			t.Fatalf("decode(%q) = %#v, encoding/json reads %#v", src, got, want)
		}
	})
}

// value converts the tree at r to what encoding/json decodes (the last of
// duplicate keys wins, numbers as json.Number).
func (t *tree) value(r ref) any {
	v := t.v[r]
	switch v.kind {
	case jObj:
		m := map[string]any{}
		for c := t.first(r); c != none; c = t.next(c) {
			m[t.str(t.v[c].key)] = t.value(c)
		}
		return m
	case jArr:
		a := []any{}
		for c := t.first(r); c != none; c = t.next(c) {
			a = append(a, t.value(c))
		}
		return a
	case jStr:
		return t.str(v.s)
	case jNum:
		return json.Number(t.str(v.s))
	case jBool:
		return t.flag(r)
	}
	return nil
}
