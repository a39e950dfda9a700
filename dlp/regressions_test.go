// Regression tests from a red-team review of the package: each failed
// against the code it was written for and names the leak it guards against.
package dlp

import (
	"bytes"
	"context"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reviewMask masks in with the default masker and fails the test on error.
func reviewMask(t *testing.T, in string) string {
	t.Helper()
	out, _, err := DefaultMasker().Mask(context.Background(), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestReviewOverlapLoserLeaks: the docs say overlapping findings are merged
// so no byte of either leaks, but Scan drops the weaker of two overlapping
// findings before Mask sees them. A password that contains an e-mail-like
// part is reported by generic-secret (0.8) and email (0.9); email wins and
// the rest of the password is passed on in clear.
func TestReviewOverlapLoserLeaks(t *testing.T) {
	const pw = "7Hq!x9Lm@corp-vault.io"
	in := `password = "` + pw + `"`
	out := reviewMask(t, in)
	t.Logf("%s -> %s", in, out)
	if strings.Contains(out, "7Hq!") {
		t.Errorf("part of the password leaks: %s", out)
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestReviewLongJWT: an anchored detector's window ends at most maxExtend
// (256) bytes after its keyword, so a JWT whose header and payload are
// longer than that (any OIDC ID token or access token with a few claims)
// has no second '.' in the window and is not found at all.
func TestReviewLongJWT(t *testing.T) {
	head := b64url(`{"alg":"RS256","typ":"JWT","kid":"2f1e0c9a7b"}`)
	payload := b64url(`{"iss":"https://login.acme-corp.io/","sub":"auth0|5f7c8ec7c33c6c004bbafe82","aud":["https://api.acme-corp.io","https://acme-corp.eu.auth0.com/userinfo"],"iat":1732550000,"exp":1732636400,"azp":"Xk3Lm9Qp2Rs7Tv4Wx8Yz","scope":"openid profile email offline_access","email":"lee@acme-corp.io"}`)
	sig := b64url(strings.Repeat("\x8a\x13\xf7\x42\x9c\x05\xde\x71", 32))
	jwt := head + "." + payload + "." + sig
	in := "Authorization: Bearer " + jwt + "\n"
	out := reviewMask(t, in)
	if strings.Contains(out, payload[:40]) || strings.Contains(out, sig[:40]) {
		t.Errorf("JWT of %d bytes (payload %d) not masked:\n%s", len(jwt), len(payload), out[:min(len(out), 200)])
	}
}

// TestReviewLongVaultBatchToken: same window limit; the pattern allows hvb.
// + up to 300 characters and ends with (?:...|$), so $ matches at the
// window's end and only the first ~257 bytes of a longer token are masked.
func TestReviewLongVaultBatchToken(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 290; i++ {
		b.WriteString("Ab3dE9fG_hJ2kL-mN7pQ4rS8tU1vW6xY5z"[i%34 : i%34+1])
		b.WriteByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[(i*7)%62])
	}
	tok := "hvb." + b.String()
	in := "VAULT_TOKEN=" + tok + "\n"
	out := reviewMask(t, in)
	tail := tok[len(tok)-20:]
	if strings.Contains(out, tail) {
		t.Errorf("tail of a %d-byte vault batch token leaks: %s", len(tok), out)
	}
}

// TestReviewCardAfterDigitGroup: payment-card and us-ssn are Anchored on
// the start of a digit run, and a run continues over one space, dash or
// dot. A number before the card or SSN with a single separator (a date, a
// quantity, a line number) makes the run start there, the anchored pattern
// fails and the value is not found.
func TestReviewCardAfterDigitGroup(t *testing.T) {
	for _, in := range []string{
		"2024-03-05 4111111111111111 approved",
		"qty 2 4111 1111 1111 1111",
		"2024-03-05 536-22-1234 employee record",
		"row 7 536-22-1234",
	} {
		out := reviewMask(t, in)
		if strings.Contains(out, "4111") || strings.Contains(out, "536-22") {
			t.Errorf("not masked: %q -> %q", in, out)
		}
	}
}

// TestReviewTruncatedEscapedPrivateKey: a PEM block cut off before its END
// line is reported up to where the base64 stops, but a key whose line
// breaks are escaped (\n inside a JSON or quoted log string, the usual way
// a key appears in a log line) stops at the first backslash: only the
// BEGIN line is masked and the key body is passed on.
func TestReviewTruncatedEscapedPrivateKey(t *testing.T) {
	body := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\nNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ"
	in := `{"level":"error","msg":"bad key","key":"-----BEGIN PRIVATE KEY-----\n` + body + `...(truncated)`
	out := reviewMask(t, in)
	if strings.Contains(out, "MzEfYyjiWA4R4") {
		t.Errorf("body of a truncated escaped private key leaks:\n%s", out)
	}
}

// TestReviewSeqFoldKelvin: compileSeq accepts case-insensitive literals
// and compares them with ASCII folding only, but RE2's (?i) also folds k
// to the Kelvin sign U+212A and s to U+017F. A seqMatcher then misses
// matches the regexp it replaces finds (the fast-path differs from the
// pattern; TestSeqMatchesRegexp's own `(?i)key-[a-f0-9]{4}` case shows it).
func TestReviewSeqFoldKelvin(t *testing.T) {
	expr := `(?i)key-[a-f0-9]{4}`
	seq, ok := compileSeq(expr)
	if !ok {
		t.Skip("not compiled")
	}
	re := regexp.MustCompile(`^(?:` + expr + `)`)
	text := []byte("\u212aey-abcd")
	want := re.FindSubmatchIndex(text)
	got := seq.loc(text, nil)
	if (want == nil) != (got == nil) {
		t.Errorf("on %q: seqMatcher %v, regexp %v", text, got, want)
	}
	// Through a policy's custom detector: the literal prefix anchors it,
	// the rest is case-insensitive.
	m, err := Config{Detectors: []CustomDetector{{Name: "acct", Type: "ACCT", Regex: `ACCT-(?i:sk)[0-9]{6}`}}}.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	in := "id ACCT-s\u212a123456 ok"
	if !regexp.MustCompile(`ACCT-(?i:sk)[0-9]{6}`).MatchString(in) {
		t.Fatal("regexp does not match")
	}
	out, _, err := m.Mask(context.Background(), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("123456")) {
		t.Errorf("the custom detector's regexp matches %q but the scan does not mask it: %q", in, out)
	}
	// The cause is the sequence matcher: without it the same scanner finds it.
	for i := range m.scanner.dets {
		if m.scanner.dets[i].Name == "acct" {
			if m.scanner.dets[i].seq == nil {
				t.Fatal("no sequence matcher was compiled")
			}
			m.scanner.dets[i].seq = nil
		}
	}
	if fs := m.scanner.Scan([]byte(in)); len(fs) == 0 {
		t.Error("the regexp path does not find it either")
	}
}

// TestReviewDefaultColumnGaps: the default column rules are exact names, so
// the usual password-hash and key columns of common frameworks (Devise's
// encrypted_password, Rails' password_digest, Django's password is fine)
// and camelCase names are not covered, and their values (bcrypt hashes,
// bare keys) are not found by a scan either.
func TestReviewDefaultColumnGaps(t *testing.T) {
	m := DefaultMasker()
	vals := map[string]string{
		"encrypted_password": "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
		"password_digest":    "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
		"userPassword":       "hunter2hunter2",
		"secret_key":         "b7Qz9XkLm2Rt8VwY4pNc",
		"private_key":        "b7Qz9XkLm2Rt8VwY4pNc",
		"customerSSN":        "536221234", // customer_ssn would match *_ssn
	}
	for col, v := range vals {
		out, _, err := m.MaskRow(context.Background(), []Column{{Table: "users", Name: col}}, [][]byte{[]byte(v)})
		if err != nil {
			t.Fatal(err)
		}
		if string(out[0]) == v {
			t.Errorf("column %s: value passed on unmasked (%q)", col, v)
		}
	}
}

// TestReviewGenericLongValue: generic-secret takes at most 128 runes; a
// longer value (an OAuth access token, a long opaque session token) is
// masked for its first 128 bytes and the rest is passed on. A quoted value
// over 128 runes fails quotedValue and falls back to the same cut.
func TestReviewGenericLongValue(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 200; i++ {
		b.WriteByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"[(i*37+11)%64])
	}
	tok := "ya29.a0" + b.String()
	for _, in := range []string{
		"access_token=" + tok + "&expires_in=3599",
		`{"access_token": "` + tok + `"}`,
	} {
		out := reviewMask(t, in)
		if strings.Contains(out, tok[150:]) {
			t.Errorf("tail of a %d-byte token leaks: %s", len(tok), out)
		}
	}
}

// TestReviewDatabaseURLAtInPassword: a raw '@' in a connection URL's
// password (which most drivers accept, splitting at the last '@') ends the
// finding at the first one; the rest of the password is passed on.
func TestReviewDatabaseURLAtInPassword(t *testing.T) {
	in := "DATABASE_URL=postgres://app:Zk8q@2LmR7v@db:5432/app"
	out := reviewMask(t, in)
	if strings.Contains(out, "2LmR7v") {
		t.Errorf("part of the password leaks: %s", out)
	}
}

// TestReviewJSONQuoteInPassword: MaskJSON lays a decoded value out between
// quotes; a value holding a quote (escaped \" in the document) ends the
// generic detector's quoted value early, and with fewer than 8 runes
// before it nothing is reported: the whole password is passed on.
func TestReviewJSONQuoteInPassword(t *testing.T) {
	in := []byte(`{"db_password": "Zq\"8vL#2mK9xR4"}`)
	out, _, err := DefaultMasker().MaskJSON(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("8vL#2mK9xR4")) {
		t.Errorf("password with a quote not masked: %s", out)
	}
}

// TestReviewHashTokenCollisions: the hash strategy keeps 32 bits of the
// HMAC, so among a few hundred thousand distinct values (a customer table)
// two different values get the same token, and a join or de-duplication on
// the tokens merges different people. Not a leak; the docs sell the
// strategy for joins.
func TestReviewHashTokenCollisions(t *testing.T) {
	p := Policy{Default: Hash, Key: []byte("a deployment key of 32 bytes....")}
	seen := map[string]string{}
	for i := range 300000 {
		v := []byte("user" + strconv.Itoa(i) + "@acme-corp.io")
		out, _, err := Mask(v, []Finding{{Type: Email, Start: 0, End: len(v)}}, p)
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := seen[string(out)]; ok && prev != string(v) {
			t.Errorf("%s and %s both hash to %s", prev, v, out)
			return
		}
		seen[string(out)] = string(v)
	}
}

// TestReviewScanBlockBoundary (regression, passes): the scanner reads its
// input in 64 KiB blocks; values straddling a block boundary at every
// offset are still found whole.
func TestReviewScanBlockBoundary(t *testing.T) {
	s := DefaultMasker().Scanner()
	for _, v := range []struct{ prefix, value string }{
		{"token ", fixGitHub},
		{"card ", "4111 1111 1111 1111"},
		{"ssn ", "536-22-1234"},
		{"from ", "2a01:4f8:c17:3ad::1"},
		{"", fixPEM},
		{"postgres://app:", "Zk8q2LmR7v"},
	} {
		for k := 0; k <= len(v.value); k++ {
			pad := filler(checkEvery - k - len(v.prefix))
			pad[len(pad)-1] = '\n'
			in := string(pad) + v.prefix + v.value
			if v.prefix == "postgres://app:" {
				in += "@db.internal/app"
			}
			in += " done\n"
			found := false
			for _, f := range s.Scan([]byte(in)) {
				if in[f.Start:f.End] == v.value {
					found = true
				}
			}
			if !found {
				t.Errorf("%q straddling the block boundary at %d: not found", v.value, k)
			}
		}
	}
}

// TestReviewStreamWithheldOnCancel (regression, passes): a stream whose
// context is cancelled writes the notice and nothing of the unchecked rest.
func TestReviewStreamWithheldOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	w := DefaultMasker().NewWriter(ctx, &out)
	in := append(filler(100<<10), []byte("token "+fixGitHub+"\n")...)
	if _, err := w.Write(in[:10]); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, werr := w.Write(in[10:])
	cerr := w.Close()
	if werr == nil && cerr == nil {
		t.Fatal("no error after cancel")
	}
	if bytes.Contains(out.Bytes(), []byte(fixGitHub)) || !bytes.Contains(out.Bytes(), []byte(WithheldNotice)) {
		t.Errorf("output after cancel: %q", out.Bytes()[max(0, out.Len()-200):])
	}
}

// TestReviewPlaceholderPrefix: placeholder() drops any generic or
// database-URL value that starts with $ < { % or *, meant for ${VAR} and
// <password>. Real passwords start with those too, and a connection URL
// must percent-encode a leading special character ("!" is %21), so those
// passwords are passed on whole.
func TestReviewPlaceholderPrefix(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"password=$uperS3cret!2024", "uperS3cret!2024"},
		{"DB_PASSWORD: '*K9m!xQ2#vL7p'", "K9m!xQ2#vL7p"},
		{"postgres://app:%21Zk8q2LmR7v@db:5432/app", "Zk8q2LmR7v"},
	} {
		out := reviewMask(t, c.in)
		if strings.Contains(out, c.secret) {
			t.Errorf("not masked: %s", out)
		}
	}
}

// TestReviewAzureSASSigFirst: the docs say the sig= value is found with
// sv= and se=/sp= "in any order", but the pattern needs parameters before
// sig= and validAzureSAS looks only at those, so a SAS URL with sig= first,
// or with sv= after it, is not reported.
func TestReviewAzureSASSigFirst(t *testing.T) {
	sig := "sig=Xk3Lm9Qp2Rs7Tv4Wx8Yz%2BAb1Cd5Ef6Gh0Ij3Kl7Mn9Op2Qr4St6Uv8Wx%3D"
	for _, q := range []string{
		"?" + sig + "&sv=2022-11-02&se=2026-12-01T00:00:00Z&sp=r&sr=b",
		"?sp=r&se=2026-12-01T00:00:00Z&" + sig + "&sv=2022-11-02&sr=b",
	} {
		in := "https://acmedata.blob.core.windows.net/exports/users.csv" + q
		out := reviewMask(t, in)
		if strings.Contains(out, "Xk3Lm9Qp2Rs7") {
			t.Errorf("SAS signature not masked: %s", out)
		}
	}
}

// TestReviewDictionaryNonASCII: a dictionary detector promises whole words
// in any case, but its keywords are folded for ASCII only and its pattern
// uses RE2's ASCII \b, so a word that starts or ends with a non-ASCII
// letter never matches before a space or punctuation, and an upper-case
// non-ASCII letter defeats the keyword. The policy is accepted anyway.
func TestReviewDictionaryNonASCII(t *testing.T) {
	m, err := Config{Detectors: []CustomDetector{{Name: "names", Type: "CODENAME", Dictionary: []string{"Noé", "Öresund", "Zürich Re"}}}}.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"ask Noé today",      // ends with a non-ASCII letter: no \b after it
		"project Öresund",    // starts with one: no \b before it
		"ZÜRICH RE contract", // Ü is not folded to ü by the keyword matcher
	} {
		out, _, err := m.Mask(context.Background(), []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) == in {
			t.Errorf("dictionary word not masked in %q", in)
		}
	}
}

// TestReviewHashShortKeyAccepted: any non-empty key is accepted for the
// hash strategy (the CLI takes COUNTERSIGN_DLP_KEY as is). With a key of a
// few bytes, one known value and its token (a user's own e-mail address)
// give the key away, and then every short value (SSNs, phone numbers,
// dates of birth) can be recovered from its token by enumeration, which
// the docs say cannot happen without the key.
func TestReviewHashShortKeyAccepted(t *testing.T) {
	if _, err := (Config{Default: Hash}).Build([]byte("k")); err == nil {
		t.Error("a 1-byte hash key was accepted")
	}
}
