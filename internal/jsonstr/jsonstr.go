// Package jsonstr writes JSON strings the way RFC 8785 (JSON
// canonicalization) does, for the packages that build JSON by hand: the
// evidence log's canonical form, the analysers' facts and the DLP's masked
// documents.
package jsonstr

import "unicode/utf8"

// Append appends s to b as a JSON string: the two-character escapes for
// " \ \b \f \n \r \t, \u00xx for the other control characters, every other
// character as itself. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func Append(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces each invalid byte with U+FFFD
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= 0x20:
			b = append(b, c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	return append(b, '"')
}
