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
	v     []jval
	esc   []string // strings that held escapes, unescaped
	stack []frame  // scratch for decode
	src   string
	pos   int // unescape's position
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

// maxJSONDepth bounds the nesting the decoder accepts; PostgreSQL's own
// stack limit stops the parser long before this.
const maxJSONDepth = 10000

var errJSON = errors.New("malformed parse tree")

// frame is an object or array still open while decoding.
type frame struct {
	r    ref // the container
	last ref // its last child so far
}

// decode reads src, replacing what the tree held. It is one loop over src
// with a stack of open containers, which keeps its position in a register.
func (t *tree) decode(src string) (ref, error) {
	if len(src) > 1<<30 {
		return none, errJSON
	}
	t.v, t.esc, t.src = t.v[:0], t.esc[:0], src
	stack := t.stack[:0]
	defer func() { t.stack = stack[:0] }()
	root := none
	var key span
	i := 0
value:
	for {
		i = skipSpace(src, i)
		if i >= len(src) {
			return none, errJSON
		}
		var r ref
		c := src[i]
		switch {
		case c == '{':
			r = t.add(jObj, span{})
		case c == '[':
			r = t.add(jArr, span{})
		case c == '"':
			s, next, err := t.string(i)
			if err != nil {
				return none, err
			}
			r, i = t.add(jStr, s), next
		case c == 't' && strings.HasPrefix(src[i:], "true"):
			r, i = t.add(jBool, span{int32(i), int32(i + 4)}), i+4
		case c == 'f' && strings.HasPrefix(src[i:], "false"):
			r, i = t.add(jBool, span{int32(i), int32(i + 5)}), i+5
		case c == 'n' && strings.HasPrefix(src[i:], "null"):
			r, i = t.add(jNull, span{int32(i), int32(i + 4)}), i+4
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' || src[j] == '+' || src[j] == '-') {
				j++
			}
			r, i = t.add(jNum, span{int32(i), int32(j)}), j
		default:
			return none, errJSON
		}
		if len(stack) == 0 {
			root = r
		} else {
			top := &stack[len(stack)-1]
			if t.v[top.r].kind == jObj {
				t.v[r].key = key
			}
			if top.last == none {
				t.v[top.r].first = r
			} else {
				t.v[top.last].next = r
			}
			top.last = r
		}
		if c == '{' || c == '[' {
			if len(stack) >= maxJSONDepth {
				return none, errJSON
			}
			stack = append(stack, frame{r: r, last: none})
			i = skipSpace(src, i+1)
			if c == '{' && i < len(src) && src[i] != '}' {
				var err error
				if key, i, err = t.key(i); err != nil {
					return none, err
				}
				continue value
			}
			if c == '[' && i < len(src) && src[i] != ']' {
				continue value
			}
		}
		// After a value: close containers until a comma starts the next one.
		for {
			i = skipSpace(src, i)
			if len(stack) == 0 {
				if i != len(src) {
					return none, errJSON
				}
				return root, nil
			}
			if i >= len(src) {
				return none, errJSON
			}
			top := stack[len(stack)-1]
			obj := t.v[top.r].kind == jObj
			switch c := src[i]; {
			case c == ',' && top.last != none:
				i++
				if obj {
					var err error
					if key, i, err = t.key(i); err != nil {
						return none, err
					}
				}
				continue value
			case c == '}' && obj, c == ']' && !obj:
				i++
				stack = stack[:len(stack)-1]
			default:
				return none, errJSON
			}
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

func (t *tree) add(k jkind, s span) ref {
	t.v = append(t.v, jval{kind: k, s: s, first: none, next: none})
	return ref(len(t.v) - 1)
}

// key reads a member name and its colon at i.
func (t *tree) key(i int) (span, int, error) {
	i = skipSpace(t.src, i)
	if i >= len(t.src) || t.src[i] != '"' {
		return span{}, i, errJSON
	}
	k, i, err := t.string(i)
	if err != nil {
		return span{}, i, err
	}
	i = skipSpace(t.src, i)
	if i >= len(t.src) || t.src[i] != ':' {
		return span{}, i, errJSON
	}
	return k, i + 1, nil
}

// string reads the string literal at i and returns the index after it;
// without escapes it is a span of src.
func (t *tree) string(i int) (span, int, error) {
	src := t.src
	start := i + 1 // after the opening quote
	for j := start; j < len(src); j++ {
		switch src[j] {
		case '"':
			return span{int32(start), int32(j)}, j + 1, nil
		case '\\':
			t.pos = j
			u, err := t.unescape(start)
			if err != nil {
				return span{}, t.pos, err
			}
			t.esc = append(t.esc, u)
			return span{off: -int32(len(t.esc))}, t.pos, nil
		}
	}
	return span{}, len(src), errJSON
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
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					b.WriteRune(pair)
					continue
				}
				t.pos -= 6 // not a pair: the second escape stands alone
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
