package shell

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// word is one argument: its value after quote removal when known, its source
// text when not.
type word struct {
	val   string
	known bool
	glob  bool // an unquoted *, ? or [ makes it a pattern the shell expands
}

// lit makes known words of plain strings (exec-style argv).
func lits(ss []string) []word {
	ws := make([]word, len(ss))
	for i, s := range ss {
		ws[i] = word{val: s, known: true}
	}
	return ws
}

// vals returns the words' texts.
func vals(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.val
	}
	return out
}

// maxBraceWords bounds brace expansion; a word that would expand to more is
// treated as unknown.
const maxBraceWords = 64

// words turns a syntax word into one or more words: brace expansion may make
// several. src is the text the word was parsed from.
func words(src string, w *syntax.Word, out []word) []word {
	if hasBrace(w) && syntax.SplitBraces(w) {
		return append(out, braceWords(src, w)...)
	}
	wd := wordOf(src, w)
	wd.glob = hasGlob(w)
	return append(out, wd)
}

// hasGlob reports whether an unquoted part of w holds a glob character.
func hasGlob(w *syntax.Word) bool {
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?") {
				return true
			}
			if i := strings.IndexByte(p.Value, '['); i >= 0 && strings.IndexByte(p.Value[i+1:], ']') > 0 {
				return true
			}
		case *syntax.ExtGlob:
			return true
		}
	}
	return false
}

// braceWords expands a word holding brace expansions; past maxBraceWords
// the word is one word known only at run time.
func braceWords(src string, w *syntax.Word) []word {
	var out []word
	for e, err := range expand.BracesSeq(nil, w) {
		if err != nil || len(out) == maxBraceWords {
			return []word{{val: sourceText(src, w), known: false}}
		}
		wd := wordOf(src, e)
		wd.glob = hasGlob(e)
		out = append(out, wd)
	}
	return out
}

// hasBrace reports whether an unquoted part of w holds a '{'.
func hasBrace(w *syntax.Word) bool {
	for _, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.IndexByte(l.Value, '{') >= 0 {
			return true
		}
	}
	return false
}

// wordOf removes quotes from w, or returns its source text when a part of it
// is known only at run time.
func wordOf(src string, w *syntax.Word) word {
	if len(w.Parts) == 1 {
		if l, ok := w.Parts[0].(*syntax.Lit); ok && strings.IndexByte(l.Value, '\\') < 0 {
			return word{val: l.Value, known: true}
		}
	}
	var b strings.Builder
	if !appendParts(&b, w.Parts, false) {
		return word{val: sourceText(src, w), known: false}
	}
	return word{val: b.String(), known: true}
}

// appendParts writes the quote-removed parts to b and reports whether they are
// all known. dq is true inside double quotes.
func appendParts(b *strings.Builder, parts []syntax.WordPart, dq bool) bool {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if dq {
				unescapeDouble(b, p.Value)
			} else {
				unescapeBare(b, p.Value)
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				ansiC(b, p.Value)
			} else {
				b.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			if !appendParts(b, p.Parts, true) {
				return false
			}
		case *syntax.BraceExp:
			// Only left after an expansion that was refused.
			return false
		case *syntax.ExtGlob:
			b.WriteString(p.Op.String())
			if p.Pattern != nil {
				b.WriteString(p.Pattern.Value)
			}
			b.WriteByte(')')
		default: // ParamExp, CmdSubst, ArithmExp, ProcSubst
			return false
		}
	}
	return true
}

// unescapeBare removes the backslashes of an unquoted literal.
func unescapeBare(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
			c = s[i]
		}
		b.WriteByte(c)
	}
}

// unescapeDouble removes the backslashes that escape inside double quotes.
func unescapeDouble(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '\n':
				i++
				continue
			case '$', '`', '"', '\\':
				i++
				c = s[i]
			}
		}
		b.WriteByte(c)
	}
}

// unescapeHeredoc removes the backslashes that escape in an unquoted
// here-document body.
func unescapeHeredoc(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '\n':
				i++
				continue
			case '$', '`', '\\':
				i++
				c = s[i]
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ansiC decodes the body of a $'...' string as bash does; it stops at a NUL,
// as bash does.
func ansiC(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"', '?':
			b.WriteByte(e)
		case 'c':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i] & 0x1f)
			}
		case 'x', 'u', 'U':
			digits := 2
			if e == 'u' {
				digits = 4
			} else if e == 'U' {
				digits = 8
			}
			j := i + 1
			for j < len(s) && j-i-1 < digits && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
			i = j - 1
			if n == 0 {
				return
			}
			if e == 'x' {
				b.WriteByte(byte(n))
			} else if n <= utf8.MaxRune {
				b.WriteRune(rune(n))
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 16)
			i = j - 1
			if byte(n) == 0 {
				return
			}
			b.WriteByte(byte(n))
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// sourceText returns the text n was parsed from, or "" if the positions do
// not lie in src.
func sourceText(src string, n syntax.Node) string {
	start, end := n.Pos().Offset(), n.End().Offset()
	if start > end || end > uint(len(src)) {
		return ""
	}
	return src[start:end]
}
