package dlp

import (
	"regexp"
	"strings"
	"testing"
)

var privateKeyRE = regexp.MustCompile(`^(?:` + privateKeyPattern + `)`)

func checkPrivateKey(t *testing.T, text string) {
	t.Helper()
	want := -1
	if loc := privateKeyRE.FindStringIndex(text); loc != nil {
		want = loc[1]
	}
	if _, got := matchPrivateKey([]byte(text)); got != want {
		t.Fatalf("matchPrivateKey(%q) = %d, regexp %d", text, got, want)
	}
}

func TestPrivateKeyMatcher(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n-----END RSA PRIVATE KEY-----\ntrailer",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PUBLIC KEY-----\nmore -----END PRIVATE KEY----- x",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nQUJD== and then prose",
		"-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----",
		"-----BEGIN EC PRIVATE KEY-----cut", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
		"-----BEGIN  PRIVATE KEY-----", "-----BEGIN rsa PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY----",
		"-----BEGIN PRIVATE KEY-----\n-----END X-----END PRIVATE KEY-----", "-----BEGIN ", "",
		"-----BEGIN PRIVATE KEY-----\nabc\n-----END RSA  PRIVATE KEY-----\n",
	} {
		for i := 0; i <= len(s); i++ {
			checkPrivateKey(t, s[:i])
		}
	}
	checkPrivateKey(t, "-----BEGIN PRIVATE KEY-----\n"+strings.Repeat("QUJDREVG\n", 2000))
}

func FuzzPrivateKeyMatcher(f *testing.F) {
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n-----END RSA PRIVATE KEY-----\ntrailer")
	f.Add("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----")
	f.Fuzz(func(t *testing.T, s string) {
		checkPrivateKey(t, s)
		checkPrivateKey(t, "-----BEGIN PRIVATE KEY-----"+s)
	})
}
