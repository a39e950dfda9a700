package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The published test vector of the Standard Webhooks libraries:
// libraries/go/webhook_test.go, TestWebhookSign, in
// github.com/standard-webhooks/standard-webhooks (the JavaScript, Python and
// other libraries' tests use the same secret, id, timestamp and payload).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specPayload   = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSpecVector(t *testing.T) {
	t.Parallel()
	ts := time.Unix(specTimestamp, 0)
	got, err := webhook.Sign(specSecret, specID, ts, []byte(specPayload))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSignature {
		t.Fatalf("Sign = %s, want the spec's %s", got, specSignature)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, specID)
	h.Set(webhook.HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(webhook.HeaderSignature, specSignature)
	if err := webhook.Verify(specSecret, h, []byte(specPayload), ts.Add(time.Minute)); err != nil {
		t.Fatalf("Verify of the spec vector: %v", err)
	}
}

// testSecret is "whsec_" and the base64 of 32 bytes 0x00..0x1f.
const testSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func signed(t *testing.T, secret, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	if err := webhook.SetHeaders(h, secret, id, ts, body); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body := []byte(`{"request_id":"r1","verdict":"approve"}`)
	h := signed(t, testSecret, "msg_1", now, body)
	if h.Get(webhook.HeaderTimestamp) != strconv.FormatInt(now.Unix(), 10) || h.Get(webhook.HeaderID) != "msg_1" ||
		!strings.HasPrefix(h.Get(webhook.HeaderSignature), "v1,") {
		t.Fatalf("headers %v", h)
	}
	if err := webhook.Verify(testSecret, h, body, now); err != nil {
		t.Fatal(err)
	}
	// Exactly Tolerance either way is still accepted.
	for _, d := range []time.Duration{webhook.Tolerance, -webhook.Tolerance} {
		if err := webhook.Verify(testSecret, h, body, now.Add(d)); err != nil {
			t.Errorf("at %s from the timestamp: %v", d, err)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body := []byte(`{"verdict":"approve"}`)
	const other = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	cases := []struct {
		name   string
		header func() http.Header
		body   []byte
		at     time.Time
		want   error
	}{
		{"tampered body", func() http.Header { return signed(t, testSecret, "msg_1", now, body) },
			[]byte(`{"verdict":"reject"}`), now, webhook.ErrNoSignature},
		{"one byte appended", func() http.Header { return signed(t, testSecret, "msg_1", now, body) },
			append(append([]byte{}, body...), ' '), now, webhook.ErrNoSignature},
		{"wrong secret", func() http.Header { return signed(t, other, "msg_1", now, body) },
			body, now, webhook.ErrNoSignature},
		{"stale", func() http.Header {
			return signed(t, testSecret, "msg_1", now.Add(-webhook.Tolerance-time.Second), body)
		},
			body, now, webhook.ErrTooOld},
		{"future", func() http.Header {
			return signed(t, testSecret, "msg_1", now.Add(webhook.Tolerance+time.Second), body)
		},
			body, now, webhook.ErrTooNew},
		{"id changed", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderID, "msg_2")
			return h
		}, body, now, webhook.ErrNoSignature},
		{"timestamp changed within tolerance", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10))
			return h
		}, body, now, webhook.ErrNoSignature},
		{"no signature", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Del(webhook.HeaderSignature)
			return h
		}, body, now, webhook.ErrMissingHeader},
		{"no id", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Del(webhook.HeaderID)
			return h
		}, body, now, webhook.ErrMissingHeader},
		{"no timestamp", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Del(webhook.HeaderTimestamp)
			return h
		}, body, now, webhook.ErrMissingHeader},
		{"timestamp not digits", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderTimestamp, "+"+h.Get(webhook.HeaderTimestamp))
			return h
		}, body, now, webhook.ErrBadTimestamp},
		{"two ids", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Add(webhook.HeaderID, "msg_2")
			return h
		}, body, now, webhook.ErrBadID},
		{"id with a full stop", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderID, "msg.1")
			return h
		}, body, now, webhook.ErrBadID},
		{"only another version", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderSignature, "v1a,"+strings.TrimPrefix(h.Get(webhook.HeaderSignature), "v1,"))
			return h
		}, body, now, webhook.ErrNoSignature},
		{"garbage signature", func() http.Header {
			h := signed(t, testSecret, "msg_1", now, body)
			h.Set(webhook.HeaderSignature, "v1,!!! v1 ,v1 v1,")
			return h
		}, body, now, webhook.ErrNoSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := webhook.Verify(testSecret, c.header(), c.body, c.at)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), strings.TrimPrefix(testSecret, webhook.SecretPrefix)) {
				t.Fatalf("error %q shows the secret", err)
			}
		})
	}
}

func TestVerifyMultipleSignatures(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body := []byte(`{"x":1}`)
	good := signed(t, testSecret, "msg_7", now, body).Get(webhook.HeaderSignature)
	const otherSecret = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	rotated := signed(t, otherSecret, "msg_7", now, body).Get(webhook.HeaderSignature)
	for name, value := range map[string]string{
		// As in the libraries' "valid multi sig is valid" case.
		"among wrong ones":         "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + good + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
		"old key first (rotation)": rotated + " " + good,
		"new key first (rotation)": good + " " + rotated,
		"with an asymmetric one":   "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== " + good,
	} {
		h := http.Header{}
		h.Set(webhook.HeaderID, "msg_7")
		h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		h.Set(webhook.HeaderSignature, value)
		if err := webhook.Verify(testSecret, h, body, now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Two header lines count as one list.
	h := http.Header{}
	h.Set(webhook.HeaderID, "msg_7")
	h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Add(webhook.HeaderSignature, rotated)
	h.Add(webhook.HeaderSignature, good)
	if err := webhook.Verify(testSecret, h, body, now); err != nil {
		t.Errorf("two header lines: %v", err)
	}
	h.Set(webhook.HeaderSignature, rotated)
	if err := webhook.Verify(testSecret, h, body, now); !errors.Is(err, webhook.ErrNoSignature) {
		t.Errorf("only another key's signature: %v", err)
	}
}

func TestBadSecrets(t *testing.T) {
	t.Parallel()
	now := time.Unix(specTimestamp, 0)
	for _, s := range []string{
		"",
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // no prefix
		"whsec_",
		"whsec_not base64!",
		"whsec_AAECAwQFBgcICQoLDA0O",       // 15 bytes: too short
		"whsec_AAECAwQFBgcICQoLDA0ODw",     // 16 bytes without the padding
		"whsec_AAECAwQFBgcICQoLDA0ODw==AA", // 16 bytes, then more
		"whsec_AAECAwQFBgcICQoLDA0ODx==",   // non-zero padding bits
	} {
		if _, err := webhook.Sign(s, specID, now, nil); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("Sign with %q: %v, want ErrSecret", s, err)
		}
		if err := webhook.Verify(s, http.Header{}, nil, now); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("Verify with %q: %v, want ErrSecret", s, err)
		} else if key := strings.TrimPrefix(s, webhook.SecretPrefix); key != "" && strings.Contains(err.Error(), key) {
			t.Errorf("error %q shows the secret", err)
		}
	}
	if _, err := webhook.Sign("whsec_AAECAwQFBgcICQoLDA0ODw==", specID, now, nil); err != nil {
		t.Errorf("Sign with a 16-byte key: %v", err)
	}
	if _, err := webhook.Sign(testSecret, "msg.1", now, nil); !errors.Is(err, webhook.ErrBadID) {
		t.Errorf("Sign with an id holding a full stop: %v", err)
	}
}
