package slack

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
)

// Slack's published example, from "Verifying requests from Slack"
// (docs.slack.dev/authentication/verifying-requests-from-slack): a slash
// command's body, its timestamp and the signature Slack sent.
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = "1531420618"
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func header(sig, ts string) http.Header {
	h := http.Header{}
	if sig != "" {
		h.Set(HeaderSignature, sig)
	}
	if ts != "" {
		h.Set(HeaderTimestamp, ts)
	}
	return h
}

func TestSignatureMatchesSlacksExample(t *testing.T) {
	if got := Sign(docSecret, docTS, []byte(docBody)); got != docSig {
		t.Fatalf("Sign = %s, want %s", got, docSig)
	}
	sent := time.Unix(1531420618, 0)
	if err := Verify(header(docSig, docTS), []byte(docBody), docSecret, sent.Add(30*time.Second)); err != nil {
		t.Fatalf("Slack's example refused: %v", err)
	}
	// The same request today is a replay.
	if err := Verify(header(docSig, docTS), []byte(docBody), docSecret, time.Now()); !errors.Is(err, ErrStaleTimestamp) {
		t.Fatalf("the 2018 example verified today: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	sent := time.Unix(1531420618, 0)
	body := []byte(docBody)
	flipped := []byte(docSig)
	flipped[len(flipped)-1] = '4'
	for name, tc := range map[string]struct {
		h      http.Header
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		"other secret":        {header(docSig, docTS), body, docSecret + "x", sent, ErrBadSignature},
		"one bit off":         {header(string(flipped), docTS), body, docSecret, sent, ErrBadSignature},
		"body changed":        {header(docSig, docTS), append(body, '&'), docSecret, sent, ErrBadSignature},
		"other timestamp":     {header(docSig, "1531420619"), body, docSecret, sent, ErrBadSignature},
		"no v0 prefix":        {header(docSig[3:], docTS), body, docSecret, sent, ErrBadSignature},
		"v1":                  {header("v1="+docSig[3:], docTS), body, docSecret, sent, ErrBadSignature},
		"short":               {header(docSig[:20], docTS), body, docSecret, sent, ErrBadSignature},
		"not hex":             {header("v0=zz"+docSig[5:], docTS), body, docSecret, sent, ErrBadSignature},
		"no signature":        {header("", docTS), body, docSecret, sent, ErrMissingSignature},
		"no timestamp":        {header(docSig, ""), body, docSecret, sent, ErrMissingSignature},
		"bad timestamp":       {header(docSig, "soon"), body, docSecret, sent, ErrStaleTimestamp},
		"5m01s late":          {header(docSig, docTS), body, docSecret, sent.Add(5*time.Minute + time.Second), ErrStaleTimestamp},
		"5m01s early":         {header(docSig, docTS), body, docSecret, sent.Add(-5*time.Minute - time.Second), ErrStaleTimestamp},
		"no secret":           {header(docSig, docTS), body, "", sent, ErrNoSecret},
		"exactly 5m late, ok": {header(docSig, docTS), body, docSecret, sent.Add(5 * time.Minute), nil},
	} {
		if err := Verify(tc.h, tc.body, tc.secret, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// Our signer agrees with slack-go's verifier on a fresh request.
func TestSignAgreesWithSlackGo(t *testing.T) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	body := []byte(`payload=%7B%22type%22%3A%22block_actions%22%7D`)
	sv, err := slackgo.NewSecretsVerifier(header(Sign("s3cret", ts, body), ts), "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	sv.Write(body)
	if err := sv.Ensure(); err != nil {
		t.Fatalf("slack-go refuses our signature: %v", err)
	}
}
