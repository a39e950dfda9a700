package dlp

import "unicode/utf8"

// genericPattern is the generic-secret detector's format: a name that says
// it holds a secret, = or :, and the value. matchGeneric implements it
// without the regexp engine (it runs at every "token" and "password" in a
// log); TestGenericMatcher and FuzzGenericMatcher hold the two equal.
const genericPattern = `(?i)(?:password|passwd|pwd|secret|token|api[_\-]?key|access_key)[a-z0-9_.\-]*["']?\s*[:=]\s*(?:"([^"\n]{8,})"|'([^'\n]{8,})'|["']?([^\s"',;&]{8,}))`

var genericNames = []string{"password", "passwd", "pwd", "secret", "token", "api_key", "api-key", "apikey", "access_key"}

// matchGeneric returns the value's span (whichever group of genericPattern
// matched) in a match starting at text[0], or -1, -1.

func matchGeneric(text []byte) (int, int) {
	i := -1
	for _, n := range genericNames {
		if hasPrefixFold(text, n) {
			i = len(n)
			break
		}
	}
	if i < 0 {
		return -1, -1
	}
	// [a-z0-9_.\-]* case-insensitively: under (?i) that also takes the
	// Kelvin sign and the long s, which fold to k and s.
	for i < len(text) {
		c := text[i]
		if isAlnum(c) || c == '_' || c == '.' || c == '-' {
			i++
			continue
		}
		if r, n := utf8.DecodeRune(text[i:]); r == '\u212a' || r == '\u017f' {
			i += n
			continue
		}
		break
	}
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++
	}
	i = skipRESpace(text, i)
	if i >= len(text) || text[i] != ':' && text[i] != '=' {
		return -1, -1
	}
	i = skipRESpace(text, i+1)
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		// A quoted value runs to its closing quote: it may hold spaces
		// ("correct horse battery staple") and & , ;.
		if s, e := quotedValue(text, i); s >= 0 {
			return s, e
		}
		i++
	}
	start, runes := i, 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '&' {
				break
			}
			i++
		} else {
			_, n := utf8.DecodeRune(text[i:])
			i += n
		}
		runes++
	}
	if runes < 8 {
		return -1, -1
	}
	return start, i
}

// quotedValue returns the span of 8 or more runes, no newline, between the
// quote at text[q] and the same quote after them, or -1, -1.
func quotedValue(text []byte, q int) (int, int) {
	quote := text[q]
	i, runes := q+1, 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == quote:
			if runes < 8 {
				return -1, -1
			}
			return q + 1, i
		case c == '\n':
			return -1, -1
		case c < utf8.RuneSelf:
			i++
		default:
			_, n := utf8.DecodeRune(text[i:])
			i += n
		}
		runes++
	}
	return -1, -1
}

// skipRESpace skips what RE2's \s matches: tab, newline, form feed,
// carriage return and space (not vertical tab).
func skipRESpace(text []byte, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\n', '\f', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// hasPrefixFold reports whether text starts with the lower-case ASCII word,
// ASCII case-insensitively.
func hasPrefixFold(text []byte, word string) bool {
	if len(text) < len(word) {
		return false
	}
	for k := 0; k < len(word); k++ {
		if lowerASCII(text[k]) != word[k] {
			return false
		}
	}
	return true
}
