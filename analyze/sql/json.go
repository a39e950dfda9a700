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

// jval is one JSON value. Objects and arrays chain their children through
// first and next.
type jval struct {
	key   string // member name when the value sits in an object
	s     string // string value, or the literal text of a number or boolean
	kind  jkind
	first ref // first child of an object or array
	next  ref // next sibling
}

// tree is a decoded JSON document.
type tree struct {
	v   []jval
	src string
	pos int
}

// maxJSONDepth bounds the decoder's recursion; PostgreSQL's own stack limit
// stops the parser long before this.
const maxJSONDepth = 10000

var errJSON = errors.New("malformed parse tree")

// decode reads src, replacing what the tree held.
func (t *tree) decode(src string) (ref, error) {
	t.v = t.v[:0]
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
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

func (t *tree) add(k jkind, s string) ref {
	t.v = append(t.v, jval{kind: k, s: s, first: none, next: none})
	return ref(len(t.v) - 1)
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
		s, err := t.str()
		if err != nil {
			return none, err
		}
		return t.add(jStr, s), nil
	case c == 't' && strings.HasPrefix(t.src[t.pos:], "true"):
		t.pos += 4
		return t.add(jBool, "true"), nil
	case c == 'f' && strings.HasPrefix(t.src[t.pos:], "false"):
		t.pos += 5
		return t.add(jBool, "false"), nil
	case c == 'n' && strings.HasPrefix(t.src[t.pos:], "null"):
		t.pos += 4
		return t.add(jNull, ""), nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := t.pos
		for t.pos < len(t.src) && strings.IndexByte("+-.0123456789eE", t.src[t.pos]) >= 0 {
			t.pos++
		}
		return t.add(jNum, t.src[start:t.pos]), nil
	}
	return none, errJSON
}

func (t *tree) object(depth int) (ref, error) {
	o := t.add(jObj, "")
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
		key, err := t.str()
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
	a := t.add(jArr, "")
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

// str reads a string literal at pos; without escapes it is a slice of src.
func (t *tree) str() (string, error) {
	t.pos++ // opening quote
	start := t.pos
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case '"':
			s := t.src[start:t.pos]
			t.pos++
			return s, nil
		case '\\':
			return t.unescape(start)
		}
		t.pos++
	}
	return "", errJSON
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
		if t.v[c].key == key {
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
	return t.v[r].s
}

// flag reports whether r is JSON true.
func (t *tree) flag(r ref) bool {
	return r != none && t.v[r].kind == jBool && t.v[r].s == "true"
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
	if k := t.v[c].key; k != "" && k[0] >= 'A' && k[0] <= 'Z' {
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
