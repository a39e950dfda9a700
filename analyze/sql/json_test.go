package sql

import (
	"testing"
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
