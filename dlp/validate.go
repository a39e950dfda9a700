package dlp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
)

// clog2c[k] is k*log2(k), for entropy over short values.
var clog2c = func() (t [256]float64) {
	for k := 1; k < len(t); k++ {
		t[k] = float64(k) * math.Log2(float64(k))
	}
	return t
}()

// entropy returns the Shannon entropy of b in bits per byte:
// log2(n) - sum(c*log2(c))/n over the count c of each distinct byte.
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	if len(b) < 256 {
		var counts [256]uint8
		for _, c := range b {
			counts[c]++
		}
		sum := 0.0
		for _, c := range b {
			if k := counts[c]; k > 0 {
				sum += clog2c[k]
				counts[c] = 0
			}
		}
		n := float64(len(b))
		return math.Log2(n) - sum/n
	}

	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	h, n := 0.0, float64(len(b))
	for _, k := range counts {
		if k > 0 {
			p := float64(k) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// isExample reports whether a secret is a documented sample value. Vendors'
// documentation marks them with EXAMPLE (AWS: AKIAIOSFODNN7EXAMPLE and
// wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY); they grant nothing, so they are
// not reported — masking them would only damage documentation that flows
// through the gateway.
func isExample(value []byte) bool {
	return bytes.Contains(value, []byte("EXAMPLE"))
}

// secret wraps a fixed confidence with the example check.
func secret(conf float64) func(value, match []byte) (float64, bool) {
	return func(value, _ []byte) (float64, bool) {
		return conf, !isExample(value)
	}
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(digits []byte) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func onlyDigits(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if '0' <= c && c <= '9' {
			out = append(out, c)
		}
	}
	return out
}

func prefixIn(d []byte, lo, hi int, n int) bool {
	if len(d) < n {
		return false
	}
	v := 0
	for _, c := range d[:n] {
		v = v*10 + int(c-'0')
	}
	return lo <= v && v <= hi
}

// cardBrand returns the brand of a card number by its IIN prefix and length,
// or "" if none matches.
func cardBrand(d []byte) string {
	n := len(d)
	switch {
	case d[0] == '4' && (n == 13 || n == 16 || n == 19):
		return "visa"
	case (prefixIn(d, 51, 55, 2) || prefixIn(d, 2221, 2720, 4)) && n == 16:
		return "mastercard"
	case (prefixIn(d, 34, 34, 2) || prefixIn(d, 37, 37, 2)) && n == 15:
		return "amex"
	case (prefixIn(d, 6011, 6011, 4) || prefixIn(d, 65, 65, 2) || prefixIn(d, 644, 649, 3)) && n >= 16:
		return "discover"
	case prefixIn(d, 3528, 3589, 4) && n >= 16:
		return "jcb"
	case (prefixIn(d, 300, 305, 3) || prefixIn(d, 36, 36, 2) || prefixIn(d, 38, 39, 2)) && n >= 14:
		return "diners"
	case prefixIn(d, 62, 62, 2) && n >= 16:
		return "unionpay"
	}
	return ""
}

// validCard accepts a card number with a known brand prefix and length whose
// digits pass Luhn. Separators must be used consistently (all spaces, all
// dashes or none).
func validCard(value, _ []byte) (float64, bool) {
	d := onlyDigits(value)
	if len(d) < 13 || len(d) > 19 || cardBrand(d) == "" || !luhn(d) {
		return 0, false
	}
	if bytes.ContainsRune(value, ' ') && bytes.ContainsRune(value, '-') {
		return 0, false
	}
	return 0.9, true
}

// validSSN applies the SSA's rules: area 000, 666 and 900-999 are never
// issued, nor group 00 or serial 0000. 078-05-1120 (the Woolworth wallet
// card) and 123-45-6789 (advertising) are well-known samples.
func validSSN(value, _ []byte) (float64, bool) {
	d := onlyDigits(value)
	if len(d) != 9 {
		return 0, false
	}
	area, group, serial := string(d[:3]), string(d[3:5]), string(d[5:])
	switch {
	case area == "000", area == "666", d[0] == '9', group == "00", serial == "0000":
		return 0, false
	case string(d) == "078051120", string(d) == "123456789":
		return 0, false
	}
	return 0.8, true
}

// ibanLength is the IBAN length per country (ISO 13616 registry), for the
// countries most often seen; others are accepted at 15-34 characters.
var ibanLength = map[string]int{
	"AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24,
	"FI": 18, "FR": 27, "GB": 22, "GR": 27, "IE": 22, "IT": 27, "LU": 20,
	"NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24, "SK": 24,
}

// validIBAN checks the country length and the ISO 7064 mod-97 check digits.
func validIBAN(value, _ []byte) (float64, bool) {
	s := make([]byte, 0, len(value))
	for _, c := range value {
		if c != ' ' {
			s = append(s, c)
		}
	}
	if n, ok := ibanLength[string(s[:2])]; ok && len(s) != n {
		return 0, false
	}
	if len(s) < 15 || len(s) > 34 {
		return 0, false
	}
	r := append(append([]byte{}, s[4:]...), s[:4]...)
	var num []byte
	for _, c := range r {
		switch {
		case '0' <= c && c <= '9':
			num = append(num, c)
		case 'A' <= c && c <= 'Z':
			num = strconv.AppendInt(num, int64(c-'A'+10), 10)
		default:
			return 0, false
		}
	}
	rem := 0
	for _, c := range num {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return 0.9, rem == 1
}

// validJWT requires the header to decode (base64url) to a JSON object with
// an "alg" member.
func validJWT(value, _ []byte) (float64, bool) {
	head, _, _ := bytes.Cut(value, []byte("."))
	raw, err := base64.RawURLEncoding.DecodeString(string(head))
	if err != nil {
		return 0, false
	}
	// A JSON object naming an algorithm; checked without decoding it into
	// a map, which cost more than the rest of the scan of a JWT.
	raw = bytes.TrimSpace(raw)
	ok := len(raw) > 0 && raw[0] == '{' && json.Valid(raw) && bytes.Contains(raw, []byte(`"alg"`))
	return 0.95, ok

}

// placeholder reports values that stand for a secret rather than being one:
// template references (${DB_PASS}, $DB_PASS, <password>, {{ .Secret }},
// %(pw)s) and masked or dummy values. A value that only starts with such a
// character ($uperS3cret, a percent-encoded %21...) is not one.
func placeholder(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	last := v[len(v)-1]
	switch v[0] {
	case '$':
		if len(v) > 1 && (v[1] == '{' || v[1] == '(') || envName(v[1:]) {
			return true
		}
	case '<':
		if last == '>' {
			return true
		}
	case '{':
		if last == '}' {
			return true
		}
	case '%':
		if bytes.HasPrefix(v, []byte("%(")) || bytes.HasPrefix(v, []byte("%{")) || string(v) == "%s" {
			return true
		}
	}

	lv := string(lowerBytes(append([]byte{}, v...)))
	switch lv {
	case "password", "changeme", "secret", "xxxxxxxx", "redacted", "null", "none", "true", "false":
		return true
	}
	return bytes.Contains(v, []byte("EXAMPLE")) || bytes.Contains(v, []byte("***"))
}

// validGeneric gates generic assignments on entropy (at least 3 bits per
// byte, less for values shorter than 12 bytes) and on a mix of at least two
// character classes.
func validGeneric(value, _ []byte) (float64, bool) {
	if placeholder(value) {
		return 0, false
	}
	// A URL is where a token is fetched ("token_uri": "https://..."), not
	// the token; credentials inside URLs are the database-url detector's.
	if bytes.Contains(value, []byte("://")) {
		return 0, false
	}

	h := entropy(value)
	var lower, upper, digit, other bool
	for _, c := range value {
		switch {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case '0' <= c && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	// A random value of n distinct bytes has log2(n) bits per byte; short
	// values cannot reach 3 bits, so the gate scales with length.
	gate := min(3.0, 0.85*math.Log2(float64(len(value))))
	switch {
	case classes < 2 || h < gate:
		return 0, false
	case h >= 3.5:
		return 0.8, true
	}
	return 0.6, true
}

// validDBPassword rejects placeholder passwords in connection URLs.
func validDBPassword(value, _ []byte) (float64, bool) {
	if placeholder(value) {
		return 0, false
	}
	return 0.95, true
}

// validAWSSecret requires the entropy of a random 40-character base64 key.
func validAWSSecret(value, _ []byte) (float64, bool) {
	if isExample(value) || entropy(value) < 4.0 {
		return 0, false
	}
	return 0.85, true
}

// validEmail rejects addresses in documentation domains (RFC 2606) with a
// lower confidence rather than dropping them, since they may still be real
// people's addresses at a real host of that name.
func validEmail(value, _ []byte) (float64, bool) {
	at := bytes.LastIndexByte(value, '@')
	dom := string(lowerBytes(append([]byte{}, value[at+1:]...)))
	switch dom {
	case "example.com", "example.org", "example.net":
		return 0.5, true
	}
	return 0.9, true
}

// ibanRun keeps a digit run as an IBAN candidate only if an IBAN could hold
// it: within 34 bytes before it, over IBAN characters only ([A-Z0-9 ]), a
// country code and check digits start. Timestamps and ids in logs stop
// here instead of costing a window each.
func ibanRun(input []byte, start, _ int) bool {
	p := start
	for p > 0 && start-p < 34 {
		c := input[p-1]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == ' ') {
			break
		}
		p--
	}
	return hasCountryCheck(input[p:min(len(input), start+2)])
}

// ssnRun keeps a digit run as an SSN candidate only if it starts
// AAA-GG-SSSS (dash or space separators), the only form reported.
func ssnRun(input []byte, start, end int) bool {
	if end-start < 11 {
		return false
	}
	d := input[start : start+11]
	for i, c := range d {
		switch i {
		case 3, 6:
			if c != '-' && c != ' ' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// cardRun drops a digit run without separators that cannot be a card: the
// pattern would take it whole (13-19 digits) or not at all, so a run of
// another length, an unknown brand or a bad Luhn digit is settled here
// without a window (order numbers and ids in logs). Runs with separators go
// on to the pattern.
func cardRun(input []byte, start, end int) bool {
	d := input[start:end]
	for _, c := range d {
		if c < '0' || c > '9' {
			return true
		}
	}
	return len(d) >= 13 && len(d) <= 19 && cardBrand(d) != "" && luhn(d)
}

// envName reports whether v is an environment variable's name as shell
// references write it: upper-case letters, digits and _, not starting with
// a digit.
func envName(v []byte) bool {
	if len(v) == 0 || '0' <= v[0] && v[0] <= '9' {
		return false
	}
	for _, c := range v {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
