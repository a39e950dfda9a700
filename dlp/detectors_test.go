package dlp

import (
	"math"
	"strings"
	"testing"
)

// All credentials in this file are test fixtures made up for these tests:
// they have the shape of real tokens and grant nothing.

const (
	fixGitHub    = "ghp_" + "R7xQ2mZp9LkT4vWc8NbJ3sHd6FgYa1Ue5OiK"                                                                                     // fixture
	fixGitHubFG  = "github_pat_" + "11ABCDEFG0123456789abc" + "_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9Qw8Er7Ty6Ui5Op4As3Df"                      // fixture
	fixGitLab    = "glpat-" + "Xy7Kp2Qr9Tz4Wm6Nb1Vc"                                                                                                   // fixture
	fixSlackBot  = "xoxb-" + "2481632641-1357924680123-" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"                                                                  // fixture
	fixSlackHook = "https://hooks.slack.com/services/" + "T0AB12CD3/B0EF45GH6/" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1"                                           // fixture
	fixSlackApp  = "xapp-" + "1-A0123ABCDEF-1234567890123-" + "0a1b2c3d4e5f60718293a4b5c6d7e8f9"                                                       // fixture
	fixStripe    = "sk_live_" + "51Hx9Qw8Er7Ty6Ui5Op4As3Df"                                                                                            // fixture
	fixAnthropic = "sk-ant-api03-" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9Qw8Er7Ty6Ui5Op4As3D-AA"                  // fixture
	fixOpenAI    = "sk-proj-" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9Qw8Er7Ty6Ui5Op4As3Df2Gh1"                                                         // fixture
	fixOpenAIOld = "sk-" + "Qw8Er7Ty6Ui5Op4As3Df" + "T3BlbkFJ" + "Gh1Jk0LzXcVbNm9Qw8Er"                                                                // fixture
	fixNPM       = "npm_" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9"                                                                                     // fixture
	fixPyPI      = "pypi-AgEIcHlwaS5vcmc" + "CJGQ5ZmE3YjQ2LTk4ZDUtNDFhNy1hYmYyLTg2ZjI5NzQ4ZWU0YQACKlsz"                                                // fixture
	fixSendGrid  = "SG." + "Qw8Er7Ty6Ui5Op4As3Df2G" + "." + "h1Jk0LzXcVbNm9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz"                                              // fixture
	fixTwilio    = "SK" + "0123456789abcdef0123456789abcdef"                                                                                           // fixture
	fixAWSID     = "AKIA" + "Q3XZ7WPL2M4RN5TV"                                                                                                         // fixture
	fixAWSSecret = "Zq9/Kx3+Lm7Pw2Rt8Yv4Nb6Hd1Gf5Jc0Sa/EuQiT"                                                                                          // fixture
	fixJWT       = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"            // fixture
	fixPEM       = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAfixturefixturefixture\nQw8Er7Ty6Ui5Op4As3Df2Gh1==\n-----END RSA PRIVATE KEY-----" // fixture
	fixOpenSSH   = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"                // fixture
)

func newDefault(t testing.TB) *Scanner {
	t.Helper()
	s, err := NewScanner(DefaultDetectors())
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	return s
}

func TestDetectorsTruePositives(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	cases := []struct {
		in    string
		typ   Type
		value string
	}{
		{"export AWS_ACCESS_KEY_ID=" + fixAWSID, AWSAccessKey, fixAWSID},
		{"aws_secret_access_key = " + fixAWSSecret + "\n", AWSSecretKey, fixAWSSecret},
		{`{"AWS_SECRET_ACCESS_KEY": "` + fixAWSSecret + `"}`, AWSSecretKey, fixAWSSecret},
		{"token: " + fixGitHub, GitHubToken, fixGitHub},
		{"GH=" + fixGitHubFG + " done", GitHubToken, fixGitHubFG},
		{"gho_" + fixGitHub[4:], GitHubToken, "gho_" + fixGitHub[4:]},
		{"CI_TOKEN " + fixGitLab + ".", GitLabToken, fixGitLab},
		{"slack " + fixSlackBot + " ok", SlackToken, fixSlackBot},
		{"xoxp-" + fixSlackBot[5:], SlackToken, "xoxp-" + fixSlackBot[5:]},
		{"url=" + fixSlackHook, SlackWebhook, fixSlackHook},
		{"SLACK_APP_TOKEN=" + fixSlackApp, SlackToken, fixSlackApp},
		{"STRIPE=" + fixStripe, StripeKey, fixStripe},
		{"rk_live_" + fixStripe[8:], StripeKey, "rk_live_" + fixStripe[8:]},
		{"key " + fixAnthropic, AnthropicKey, fixAnthropic},
		{"OPENAI_API_KEY " + fixOpenAI, OpenAIKey, fixOpenAI},
		{"k " + fixOpenAIOld + " x", OpenAIKey, fixOpenAIOld},
		{"//registry.npmjs.org/:_authToken " + fixNPM, NPMToken, fixNPM},
		{"pass " + fixPyPI, PyPIToken, fixPyPI},
		{"key " + fixSendGrid, SendGridKey, fixSendGrid},
		{"TWILIO_API_KEY " + fixTwilio, TwilioKey, fixTwilio},
		{"x\n" + fixPEM + "\ny", PrivateKey, fixPEM},
		{fixOpenSSH, PrivateKey, fixOpenSSH},
		{"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B", PrivateKey, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B"},
		{"Authorization: Bearer " + fixJWT, JWT, fixJWT},
		{"DATABASE_URL=postgres://app:Zk8q2LmR7v@db.internal:5432/app", DatabasePassword, "Zk8q2LmR7v"},
		{"mongodb+srv://admin:Hq7-x2Pw9z@cluster0.mongodb.net/test", DatabasePassword, "Hq7-x2Pw9z"},
		{"redis://:Rz4vNq8Lx2@cache:6379/0", DatabasePassword, "Rz4vNq8Lx2"},
		{"mysql://root:P4ssW0rd!x@localhost/db", DatabasePassword, "P4ssW0rd!x"},
		{"db_password=Tr0ub4dor&3x", GenericSecret, "Tr0ub4dor"},
		{`client_secret: "h7Gk2Lp9Qw3Zx8Vb"`, GenericSecret, "h7Gk2Lp9Qw3Zx8Vb"},
		{"API_KEY=9f8e7d6c5b4aZ1Y2X3", GenericSecret, "9f8e7d6c5b4aZ1Y2X3"},
		{"contact jane.doe+dlp@acme-corp.io today", Email, "jane.doe+dlp@acme-corp.io"},
		{"card 4111 1111 1111 1111 exp", PaymentCard, "4111 1111 1111 1111"},
		{"card 5555-5555-5555-4444", PaymentCard, "5555-5555-5555-4444"},
		{"amex 378282246310005.", PaymentCard, "378282246310005"},
		{"IBAN DE89 3704 0044 0532 0130 00", IBAN, "DE89 3704 0044 0532 0130 00"},
		{"iban:GB82WEST12345698765432", IBAN, "GB82WEST12345698765432"},
		{"ssn 536-22-1234", USSSN, "536-22-1234"},
		{"card 4111 1111 1111 1111 123 cvv", PaymentCard, "4111 1111 1111 1111"},                                     // a CVV after the card
		{"paid 4111 1111 1111 1111 5.123Z", PaymentCard, "4111 1111 1111 1111"},                                      // digits after the card
		{"a@b.io,c@d.io", Email, "c@d.io"},                                                                           // two in one token run
		{"(" + fixGitHub + ")", GitHubToken, fixGitHub},                                                              // in brackets
		{"xtoken=" + fixGitHub + "&next=1", GitHubToken, fixGitHub},                                                  // in a query string
		{"twilio:\n  sid: AC" + "0123456789abcdef0123456789abcdef", TwilioKey, "AC0123456789abcdef0123456789abcdef"}, // context on the line before; fixture
	}
	cases = append(cases, moreSecretTruePositives()...)   // secrets_more_test.go
	cases = append(cases, morePersonalTruePositives()...) // personal_more_test.go
	fired := map[string]bool{}
	for _, c := range cases {
		got := s.Scan([]byte(c.in))
		ok := false
		for _, f := range got {
			if f.Type == c.typ && c.in[f.Start:f.End] == c.value {
				ok = true
				fired[f.Detector] = true
			}
		}
		if !ok {
			t.Errorf("Scan(%q): got %s, want %s %q", c.in, describe(c.in, got), c.typ, c.value)
		}
	}
	for _, d := range DefaultDetectors() {
		if !fired[d.Name] {
			t.Errorf("detector %s has no true-positive case", d.Name)
		}
	}
}

func describe(in string, fs []Finding) string {
	var b strings.Builder
	b.WriteString("[")
	for i, f := range fs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(string(f.Type) + "(" + f.Detector + ")=" + in[f.Start:f.End])
	}
	b.WriteString("]")
	return b.String()
}

func TestDetectorsHardNegatives(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	cases := []string{
		"request 123e4567-e89b-12d3-a456-426614174000 done",      // UUID
		"commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged", // git SHA-1
		"AWS docs: AKIAIOSFODNN7EXAMPLE",                         // documented example key
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"order 4111 1111 1111 1112",       // fails Luhn
		"order 1234567812345678",          // fails Luhn
		"ts 1700000000000 and 1732550400", // timestamps
		"2026-11-25T16:45:55Z",
		"ssn 000-12-3456 666-12-3456 912-34-5678 123-00-4567 123-45-0000",
		"sample 078-05-1120",
		"password=changeme",
		"password: ${DB_PASSWORD}",
		"password=aaaaaaaaaaaa",                                 // low entropy
		"postgres://app:${PGPASSWORD}@db/app",                   // template
		"postgres://db.internal:5432/app",                       // no password
		"stripe test key sk_test_" + "51Hx9Qw8Er7Ty6Ui5Op4",     // Stripe test key fixture
		"eyJub3QiOiJhIGhlYWRlciJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", // header without alg
		"IBAN DE89 3704 0044 0532 0130 01",                      // bad check digits
		"SK0123456789abcdef0123456789abcdef",                    // SK-hex without twilio context
		"phone +1 415 555 0100",
		"not" + fixGitHub,         // a token prefix inside a longer word
		"X" + fixAWSID,            // AKIA… inside a longer identifier
		"id 12345678901234567890", // 20 digits: too long for a card
		"rev 4111111111111111234", // 19 digits without a brand/Luhn match
		"version 1.2.3.4567.89012",
		"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----",
	}
	for _, in := range cases {
		if got := s.Scan([]byte(in)); len(got) != 0 {
			t.Errorf("Scan(%q) = %s, want no findings", in, describe(in, got))
		}
	}
}

func TestOverlapResolution(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	// The DB password overlaps an email-shaped "pass@host"; the DB finding
	// has the higher confidence and must win.
	in := "postgres://app:Zk8q2LmR7v@db.example.org/app"
	got := s.Scan([]byte(in))
	if len(got) != 1 || got[0].Type != DatabasePassword {
		t.Fatalf("Scan(%q) = %s, want one DATABASE_PASSWORD", in, describe(in, got))
	}
	// The same GitHub token after "token=" is found by two detectors; the
	// specific one wins.
	in = "token=" + fixGitHub
	got = s.Scan([]byte(in))
	if len(got) != 1 || got[0].Type != GitHubToken {
		t.Fatalf("Scan(%q) = %s, want one GITHUB_TOKEN", in, describe(in, got))
	}
}

func TestResolveLongestOnTie(t *testing.T) {
	t.Parallel()
	fs := []Finding{
		{Type: "A", Start: 0, End: 5, Confidence: 0.5},
		{Type: "B", Start: 2, End: 12, Confidence: 0.5},
		{Type: "C", Start: 11, End: 14, Confidence: 0.9},
		{Type: "D", Start: 20, End: 22, Confidence: 0.1},
	}
	got := resolve(fs)
	var types []string
	for _, f := range got {
		types = append(types, string(f.Type))
	}
	if g, w := strings.Join(types, ","), "C,D"; g != w {
		// C beats B (confidence) and takes its bytes, [2,14); A overlaps
		// that and is taken too: no byte of a loser is left unmasked.
		t.Errorf("resolve = %s, want %s", g, w)
	}
	if got[0].Start != 0 || got[0].End != 14 {
		t.Errorf("C spans [%d,%d), want [0,14)", got[0].Start, got[0].End)
	}
}

func TestFindingsInOrderAndMany(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	var b strings.Builder
	for range 1000 {
		b.WriteString("user a.b@acme-corp.io paid with 4111111111111111; ")
	}
	got := s.Scan([]byte(b.String()))
	if len(got) != 2000 {
		t.Fatalf("got %d findings, want 2000", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Start < got[i-1].End {
			t.Fatalf("findings %d and %d overlap or are out of order", i-1, i)
		}
	}
}

func TestValidators(t *testing.T) {
	t.Parallel()
	if !luhn([]byte("79927398713")) || luhn([]byte("79927398710")) {
		t.Error("luhn wrong on 79927398713/79927398710")
	}
	for _, c := range []struct {
		in   string
		want string
	}{
		{"4111111111111111", "visa"}, {"5555555555554444", "mastercard"}, {"2221000000000009", "mastercard"},
		{"378282246310005", "amex"}, {"6011111111111117", "discover"}, {"3530111333300000", "jcb"},
		{"1234567812345670", ""},
	} {
		if got := cardBrand([]byte(c.in)); got != c.want {
			t.Errorf("cardBrand(%s) = %q, want %q", c.in, got, c.want)
		}
	}
	if e := entropy([]byte("aaaa")); e != 0 {
		t.Errorf("entropy(aaaa) = %v, want 0", e)
	}
	if e := entropy([]byte("abcd")); e != 2 {
		t.Errorf("entropy(abcd) = %v, want 2", e)
	}
}

func TestNewScannerErrors(t *testing.T) {
	t.Parallel()
	for _, d := range []Detector{
		{Name: "bad-re", Keywords: []string{"x"}, Pattern: "("},
		{Name: "no-anchor", Pattern: "x"},
		{Name: "bad-group", Keywords: []string{"x"}, Pattern: "x", Group: 1},
	} {
		if _, err := NewScanner([]Detector{d}); err == nil {
			t.Errorf("NewScanner(%s): got nil error, want one", d.Name)
		}
	}
}

// TestEntropy checks the short-value path against the definition.
func TestEntropy(t *testing.T) {
	t.Parallel()
	def := func(b []byte) float64 {
		counts := map[byte]float64{}
		for _, c := range b {
			counts[c]++
		}
		h := 0.0
		for _, k := range counts {
			p := k / float64(len(b))
			h -= p * math.Log2(p)
		}
		return h
	}
	for _, s := range []string{"a", "aaaa", "ab", "Tr0ub4dor&3x", "0123456789abcdef", strings.Repeat("xyz", 85), strings.Repeat("q", 255), strings.Repeat("ab", 200)} {
		if got, want := entropy([]byte(s)), def([]byte(s)); math.Abs(got-want) > 1e-9 {
			t.Errorf("entropy(%.20q) = %v, want %v", s, got, want)
		}
	}
}
