// Package dlpcorpus generates log-like text for benchmarking DLP scanners:
// the Countersign scanner in package dlp, and peers in their own modules
// under bench/ that must scan the very same bytes.
//
// Every credential in this file is a made-up test fixture with the shape of a
// real token (the shapes of testdata/dlp/secrets.txt); none grants anything.
// The values are split with + so that no source line holds a whole token.
package dlpcorpus

import "math/rand/v2"

// Made-up fixtures; see the package comment.
const (
	fixGitHub   = "ghp_" + "R7xQ2mZp9LkT4vWc8NbJ3sHd6FgYa1Ue5OiK"                                                                                               // fixture
	fixAWSID    = "AKIA" + "Q3XZ7WPL2M4RN5TV"                                                                                                                   // fixture
	fixSlackBot = "xoxb-" + "2481632641-1357924680123-" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"                                                                            // fixture
	fixStripe   = "sk_live_" + "51Hx9Qw8Er7Ty6Ui5Op4As3Df"                                                                                                      // fixture
	fixDBPass   = "Zk8q2" + "LmR7v"                                                                                                                             // fixture
	fixJWT      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"                      // fixture
	fixPEM      = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEAfixturefixturefixture\nQw8Er7Ty6Ui5Op4As3Df2Gh1==\n-----END RSA " + "PRIVATE KEY-----" // fixture
)

// clean lines have no finding but plenty of near misses: UUIDs, hex ids,
// timestamps, long numbers that fail Luhn, "token" and "password" in prose
// and as JSON keys, a database URL without a password.
var clean = []string{
	"2026-11-25T16:45:55.123Z INFO request id=123e4567-e89b-12d3-a456-426614174000 status=200 dur=12ms\n",
	"commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged by the release bot into main\n",
	"GET /api/v1/orders?page=3&limit=50 HTTP/1.1 host=shop.internal ua=curl/8.5.0\n",
	"the session token field is refreshed every 15 minutes; see the runbook for details\n",
	`{"order":1234567812345678,"qty":3,"sku":"AB-1234-XY","ts":1732550400}` + "\n",
	"2026-11-25T16:45:56.002Z WARN auth the password field must be at least 12 characters user_id=48213\n",
	"2026-11-25T16:45:57.410Z INFO db pool ready dsn=postgres://db.internal:5432/app?sslmode=require size=20\n",
	`{"secret":true,"token_count":12345,"password_min_length":12,"region":"eu-west-1"}` + "\n",
}

// hot entries each hold at least one finding, of many kinds.
var hot = []string{
	"user jane.doe@acme-corp.io paid with 4111 1111 1111 1111\n",
	"token=" + fixGitHub + "\n",
	"DATABASE_URL=postgres://app:" + fixDBPass + "@db.internal:5432/app\n",
	`{"ssn":"536-22-1234","iban":"DE89370400440532013000"}` + "\n",
	"export AWS_ACCESS_KEY_ID=" + fixAWSID + "\n",
	"2026-11-25T16:46:01.877Z DEBUG slack client init bot=" + fixSlackBot + " channel=#ops\n",
	`stripe.api_key = "` + fixStripe + `"` + "\n",
	"Authorization: Bearer " + fixJWT + "\n",
	"id_rsa:\n" + fixPEM + "\n",
}

// Mixed returns n bytes of generated log-like text. Every dense-th line
// carries a finding (email, payment card, GitHub token, AWS access key, Slack
// token, Stripe key, database URL with a password, JSON with an SSN and an
// IBAN, a JWT, a private key block); the others are clean lines with
// near-miss material. dense 0 (or less) gives no findings at all.
//
// The output is deterministic: the same n and dense give the same bytes on
// every call. Lines are never cut: when the next one does not fit, the rest
// is spaces and a final newline.
func Mixed(n, dense int) []byte {
	r := rand.New(rand.NewPCG(7, 11))
	out := make([]byte, 0, n)
	for i := 0; ; i++ {
		var line string
		if dense > 0 && i%dense == 0 {
			line = hot[r.IntN(len(hot))]
		} else {
			line = clean[r.IntN(len(clean))]
		}
		if len(out)+len(line) > n {
			break
		}
		out = append(out, line...)
	}
	for len(out) < n-1 {
		out = append(out, ' ')
	}
	if len(out) < n {
		out = append(out, '\n')
	}
	return out
}
