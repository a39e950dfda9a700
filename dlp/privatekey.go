package dlp

import "bytes"

// privateKeyPattern is the private-key detector's format as a regular
// expression: a PEM (RFC 7468) or OpenSSH private-key header, then either
// everything up to the first matching END line or, for a block cut off
// before it, the base64 and header text that follows. matchPrivateKey
// implements it without the regexp engine, whose lazy [\s\S]*? over a 16 KiB
// window was the scanner's largest cost on dense input; TestPrivateKeyMatcher
// and FuzzPrivateKeyMatcher hold the two equal.
const privateKeyPattern = `-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,\-\\]*)`

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
)

// matchPrivateKey returns the span of the private-key block starting at
// text[0], or -1, -1.
func matchPrivateKey(text []byte) (int, int) {
	end := privateKeyEnd(text)
	if end < 0 {
		return -1, -1
	}
	return 0, end
}

// privateKeyEnd returns the end of the block starting at text[0], or -1.
func privateKeyEnd(text []byte) int {
	if !bytes.HasPrefix(text, pemBegin) {
		return -1
	}
	h := pemLabel(text, len(pemBegin))
	if h < 0 {
		return -1
	}
	for from := h; ; {
		i := bytes.Index(text[from:], pemEnd)
		if i < 0 {
			break
		}
		if end := pemLabel(text, from+i+len(pemEnd)); end >= 0 {
			return end
		}
		from += i + 1
	}
	end := h
	for end < len(text) && isPEMBody(text[end]) {
		end++
	}
	return end
}

// pemLabel matches `(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----` at text[i]
// and returns the index after it, or -1.
func pemLabel(text []byte, i int) int {
	for {
		for _, tail := range []string{"PRIVATE KEY-----", "PRIVATE KEY BLOCK-----"} {
			if bytes.HasPrefix(text[i:], []byte(tail)) {
				return i + len(tail)
			}
		}
		// Otherwise a word of [A-Z0-9]+ and a space.
		j := i
		for j < len(text) && ('A' <= text[j] && text[j] <= 'Z' || '0' <= text[j] && text[j] <= '9') {
			j++
		}
		if j == i || j == len(text) || text[j] != ' ' {
			return -1
		}
		i = j + 1
	}
}

// isPEMBody reports whether c is in [A-Za-z0-9+/=\s:,\-\\]: base64, the
// headers of encrypted PEM, and the backslashes of a key written with \n
// escapes (a JSON string in a log).
func isPEMBody(c byte) bool {
	switch {
	case isAlnum(c):
		return true
	}
	switch c {
	case '+', '/', '=', ':', ',', '-', ' ', '\t', '\n', '\f', '\r', '\\':
		return true
	}
	return false
}
