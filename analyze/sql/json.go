package sql

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The parse tree is read from the JSON that pg_query's C library prints: its
// protobuf output costs five times more (protobuf-c sizes every nested
// message again at each level, and the Go side decodes it once more), and
// general JSON decoders are slower still. The tree is decoded into one flat
// slice that is reused between calls.

// ref is the index of a value in a tree; none means absent.
type ref = int32

const none ref = -1

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNum
	jStr
	jObj
	jArr
)

// span is a piece of text: src[off:end], or when off is negative the
// unescaped string esc[-off-1]. Values hold no pointers, so filling the
// tree costs no write barriers.
type span struct{ off, end int32 }

// jval is one JSON value. Objects and arrays chain their children through
// first and next.
type jval struct {
	key   span // member name when the value sits in an object
	s     span // string value, or the literal text of a number or boolean
	kind  jkind
	first ref // first child of an object or array
	next  ref // next sibling
}

// tree is a decoded JSON document.
type tree struct {
	v   []jval
	esc []string // strings that held escapes, unescaped
	src string
	pos int
}

// str returns the text of a span.
func (t *tree) str(s span) string {
	if s.off < 0 {
		return t.esc[-s.off-1]
	}
	return t.src[s.off:s.end]
}

// keyIs reports whether the member at c is named key.
func (t *tree) keyIs(c ref, key string) bool {
	k := t.v[c].key
	if k.off < 0 {
		return t.esc[-k.off-1] == key
	}
	return int(k.end-k.off) == len(key) && t.src[k.off:k.end] == key
}

// maxJSONDepth bounds the decoder's recursion; PostgreSQL's own stack limit
// stops the parser long before this.
const maxJSONDepth = 10000

var errJSON = errors.New("malformed parse tree")

// decode reads src, replacing what the tree held.
func (t *tree) decode(src string) (ref, error) {
	if len(src) > 1<<30 {
		return none, errJSON
	}
	t.v, t.esc = t.v[:0], t.esc[:0]
	t.src = src
	t.pos = 0
	r, err := t.value(0)
	if err != nil {
		return none, err
	}
	t.space()
	if t.pos != len(t.src) {
		return none, errJSON
	}
	return r, nil
}

func (t *tree) space() {
	if t.pos < len(t.src) && t.src[t.pos] > ' ' {
		return // pg_query prints no white space
	}
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

func (t *tree) add(k jkind, s span) ref {
	t.v = append(t.v, jval{kind: k, s: s, first: none, next: none})
	return ref(len(t.v) - 1)
}

func (t *tree) lit(k jkind, n int) ref {
	r := t.add(k, span{int32(t.pos), int32(t.pos + n)})
	t.pos += n
	return r
}

func (t *tree) value(depth int) (ref, error) {
	if depth > maxJSONDepth {
		return none, errJSON
	}
	t.space()
	if t.pos >= len(t.src) {
		return none, errJSON
	}
	switch c := t.src[t.pos]; {
	case c == '{':
		return t.object(depth)
	case c == '[':
		return t.array(depth)
	case c == '"':
		s, err := t.string()
		if err != nil {
			return none, err
		}
		return t.add(jStr, s), nil
	case c == 't' && strings.HasPrefix(t.src[t.pos:], "true"):
		return t.lit(jBool, 4), nil
	case c == 'f' && strings.HasPrefix(t.src[t.pos:], "false"):
		return t.lit(jBool, 5), nil
	case c == 'n' && strings.HasPrefix(t.src[t.pos:], "null"):
		return t.lit(jNull, 4), nil
	case c == '-' || (c >= '0' && c <= '9'):
		n := 0
		for t.pos+n < len(t.src) && strings.IndexByte("+-.0123456789eE", t.src[t.pos+n]) >= 0 {
			n++
		}
		return t.lit(jNum, n), nil
	}
	return none, errJSON
}

func (t *tree) object(depth int) (ref, error) {
	o := t.add(jObj, span{})
	t.pos++ // {
	t.space()
	if t.pos < len(t.src) && t.src[t.pos] == '}' {
		t.pos++
		return o, nil
	}
	last := none
	for {
		t.space()
		if t.pos >= len(t.src) || t.src[t.pos] != '"' {
			return none, errJSON
		}
		key, err := t.string()
		if err != nil {
			return none, err
		}
		t.space()
		if t.pos >= len(t.src) || t.src[t.pos] != ':' {
			return none, errJSON
		}
		t.pos++
		v, err := t.value(depth + 1)
		if err != nil {
			return none, err
		}
		t.v[v].key = key
		if last == none {
			t.v[o].first = v
		} else {
			t.v[last].next = v
		}
		last = v
		t.space()
		if t.pos >= len(t.src) {
			return none, errJSON
		}
		switch t.src[t.pos] {
		case ',':
			t.pos++
		case '}':
			t.pos++
			return o, nil
		default:
			return none, errJSON
		}
	}
}

func (t *tree) array(depth int) (ref, error) {
	a := t.add(jArr, span{})
	t.pos++ // [
	t.space()
	if t.pos < len(t.src) && t.src[t.pos] == ']' {
		t.pos++
		return a, nil
	}
	last := none
	for {
		v, err := t.value(depth + 1)
		if err != nil {
			return none, err
		}
		if last == none {
			t.v[a].first = v
		} else {
			t.v[last].next = v
		}
		last = v
		t.space()
		if t.pos >= len(t.src) {
			return none, errJSON
		}
		switch t.src[t.pos] {
		case ',':
			t.pos++
		case ']':
			t.pos++
			return a, nil
		default:
			return none, errJSON
		}
	}
}

// string reads a string literal at pos; without escapes it is a span of
// src.
func (t *tree) string() (span, error) {
	src := t.src
	start := t.pos + 1 // after the opening quote
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '"':
			t.pos = i + 1
			return span{int32(start), int32(i)}, nil
		case '\\':
			t.pos = i
			u, err := t.unescape(start)
			if err != nil {
				return span{}, err
			}
			t.esc = append(t.esc, u)
			return span{off: -int32(len(t.esc))}, nil
		}
	}
	return span{}, errJSON
}

func (t *tree) unescape(start int) (string, error) {
	var b strings.Builder
	b.WriteString(t.src[start:t.pos])
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == '"':
			t.pos++
			return b.String(), nil
		case c != '\\':
			b.WriteByte(c)
			t.pos++
			continue
		}
		if t.pos+1 >= len(t.src) {
			return "", errJSON
		}
		e := t.src[t.pos+1]
		t.pos += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := t.hex4()
			if !ok {
				return "", errJSON
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(t.src[t.pos:], `\u`) {
				t.pos += 2
				r2, ok := t.hex4()
				if !ok {
					return "", errJSON
				}
				r = utf16.DecodeRune(r, r2)
			}
			b.WriteRune(r)
		default:
			return "", errJSON
		}
	}
	return "", errJSON
}

func (t *tree) hex4() (rune, bool) {
	if t.pos+4 > len(t.src) {
		return utf8.RuneError, false
	}
	n, err := strconv.ParseUint(t.src[t.pos:t.pos+4], 16, 16)
	if err != nil {
		return utf8.RuneError, false
	}
	t.pos += 4
	return rune(n), true
}

// get returns the member key of object o, or none.
func (t *tree) get(o ref, key string) ref {
	if o == none || t.v[o].kind != jObj {
		return none
	}
	for c := t.v[o].first; c != none; c = t.v[c].next {
		if t.keyIs(c, key) {
			return c
		}
	}
	return none
}

// text returns the string value at r, or "".
func (t *tree) text(r ref) string {
	if r == none || t.v[r].kind != jStr {
		return ""
	}
	return t.str(t.v[r].s)
}

// flag reports whether r is JSON true.
func (t *tree) flag(r ref) bool {
	return r != none && t.v[r].kind == jBool && t.v[r].s.end-t.v[r].s.off == 4
}

// raw returns the literal text of a scalar at r (a number, say).
func (t *tree) raw(r ref) string {
	if r == none {
		return ""
	}
	return t.str(t.v[r].s)
}

// node unwraps a parse node, printed as {"Kind": body}. A value that is not
// one (a message printed without its wrapper, a list, a scalar) gives "".
func (t *tree) node(r ref) (string, ref) {
	if r == none || t.v[r].kind != jObj {
		return "", r
	}
	c := t.v[r].first
	if c == none || t.v[c].next != none {
		return "", r
	}
	if k := t.str(t.v[c].key); k != "" && k[0] >= 'A' && k[0] <= 'Z' {
		return k, c
	}
	return "", r
}

// kind returns the node kind at r, or "".
func (t *tree) kind(r ref) string {
	k, _ := t.node(r)
	return k
}

// first returns the first element of the array or member of the object at
// r, or none; next walks on from there.
func (t *tree) first(r ref) ref {
	if r == none || (t.v[r].kind != jArr && t.v[r].kind != jObj) {
		return none
	}
	return t.v[r].first
}

// next returns the sibling after c, or none.
func (t *tree) next(c ref) ref { return t.v[c].next }

// count returns how many elements the array at r holds.
func (t *tree) count(r ref) int {
	if r == none || t.v[r].kind != jArr {
		return 0
	}
	n := 0
	for c := t.v[r].first; c != none; c = t.v[c].next {
		n++
	}
	return n
}
