package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers Slack signs its requests with.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from the local clock, in
// either direction, before the request is refused as a replay.
const MaxSkew = 5 * time.Minute

// Errors of Verify. They say nothing about the expected signature.
var (
	ErrMissingSignature = errors.New("slack: request is not signed")
	ErrBadSignature     = errors.New("slack: request signature does not match")
	ErrStaleTimestamp   = errors.New("slack: request timestamp is more than 5 minutes off")
	ErrNoSecret         = errors.New("slack: no signing secret configured")
)

// Sign returns Slack's v0 signature of body sent at timestamp:
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)).
func Sign(secret, timestamp string, body []byte) string {
	return "v0=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte("v0:" + timestamp + ":"))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks that body, with header, was signed by Slack with secret and
// sent within MaxSkew of now. The signatures are compared in constant time.
func Verify(header http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return ErrNoSecret
	}
	sig, ts := header.Get(HeaderSignature), header.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return ErrMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return ErrStaleTimestamp
	}
	if now.Sub(time.Unix(sec, 0)).Abs() > MaxSkew {
		return ErrStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	if !hmac.Equal(got, mac(secret, ts, body)) {
		return ErrBadSignature
	}
	return nil
}
