// Package webhook is Countersign's webhook approval channel: it posts
// signed events about requests to configured integrations (a SIEM, an
// on-call tool, a custom approval UI) and accepts signed reviews back from
// them, for the people each integration is allowed to speak for.
//
// Both directions are signed as the Standard Webhooks specification says
// (https://www.standardwebhooks.com/, spec/standard-webhooks.md of
// github.com/standard-webhooks/standard-webhooks): HMAC-SHA256 over
// "{webhook-id}.{webhook-timestamp}.{body}" with a "whsec_" secret, sent in
// the webhook-id, webhook-timestamp and webhook-signature headers.
// docs/webhooks.md describes the channel for operators.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

const (
	// SecretPrefix starts every secret: "whsec_" and the standard base64 of
	// the HMAC key.
	SecretPrefix = "whsec_"
	// MinSecretBytes is the shortest HMAC key accepted. (The specification
	// recommends at least 24 random bytes; generate 32.)
	MinSecretBytes = 16
	// Tolerance is how far a message's timestamp may be from now, either
	// way, for Verify to accept it.
	Tolerance = 5 * time.Minute
	// MaxIDBytes is the longest webhook-id accepted.
	MaxIDBytes = 256
	// maxSignatures bounds the signatures Verify tries in one header.
	maxSignatures = 16
)

// Errors of Sign and Verify. Verify wraps them with details; test with
// errors.Is. No error ever contains the secret.
var (
	ErrSecret        = errors.New(`webhook: the secret must be "whsec_" followed by the standard base64 of at least 16 bytes`)
	ErrMissingHeader = errors.New("webhook: missing header")
	ErrBadID         = errors.New("webhook: bad webhook-id")
	ErrBadTimestamp  = errors.New("webhook: bad webhook-timestamp")
	ErrTooOld        = errors.New("webhook: message timestamp too old")
	ErrTooNew        = errors.New("webhook: message timestamp too far in the future")
	ErrNoSignature   = errors.New("webhook: no matching signature")
)

// decodeSecret returns the HMAC key of a "whsec_" secret.
func decodeSecret(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, ErrSecret
	}
	key, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(key) < MinSecretBytes {
		return nil, ErrSecret
	}
	return key, nil
}

// checkID refuses ids that could make the signed content ambiguous or the
// replay key unbounded: empty, longer than MaxIDBytes, or holding a full
// stop, a space or a control character (the specification asks that ids
// never hold ".").
func checkID(id string) error {
	if id == "" || len(id) > MaxIDBytes {
		return fmt.Errorf("%w: must be 1 to %d bytes", ErrBadID, MaxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == '.' || c >= 0x7f {
			return fmt.Errorf("%w: only printable ASCII without spaces or \".\" is allowed", ErrBadID)
		}
	}
	return nil
}

// mac returns HMAC-SHA256(key, "{id}.{ts}.{body}").
func mac(key []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the webhook-signature header value for a message: "v1," and
// the standard base64 of HMAC-SHA256 over "{id}.{unix seconds of ts}.{body}"
// with the key of secret. Errors: ErrSecret, ErrBadID.
func Sign(secret string, id string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	if err := checkID(id); err != nil {
		return "", err
	}
	sum := mac(key, id, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(sum), nil
}

// SetHeaders signs body and sets the three Standard Webhooks headers on h.
func SetHeaders(h http.Header, secret, id string, ts time.Time, body []byte) error {
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// Verify checks a message's Standard Webhooks headers against its body: the
// timestamp within Tolerance of now either way, and at least one "v1"
// signature of the space-separated list in webhook-signature made with
// secret (compared in constant time; other versions are skipped). It does
// not refuse replays: the caller remembers webhook-ids (see NewHandler).
// Errors wrap ErrSecret, ErrMissingHeader, ErrBadID, ErrBadTimestamp,
// ErrTooOld, ErrTooNew or ErrNoSignature.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	ids, tss, sigs := h.Values(HeaderID), h.Values(HeaderTimestamp), h.Values(HeaderSignature)
	for _, x := range []struct {
		name string
		vals []string
	}{{HeaderID, ids}, {HeaderTimestamp, tss}, {HeaderSignature, sigs}} {
		if len(x.vals) == 0 || strings.TrimSpace(strings.Join(x.vals, "")) == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, x.name)
		}
	}
	if len(ids) != 1 {
		return fmt.Errorf("%w: sent %d times", ErrBadID, len(ids))
	}
	if len(tss) != 1 {
		return fmt.Errorf("%w: sent %d times", ErrBadTimestamp, len(tss))
	}
	id, tsText := ids[0], tss[0]
	if err := checkID(id); err != nil {
		return err
	}
	secs, err := parseTimestamp(tsText)
	if err != nil {
		return err
	}
	ts := time.Unix(secs, 0)
	if age := now.Sub(ts); age > Tolerance {
		return fmt.Errorf("%w: %s old, more than %s", ErrTooOld, age.Truncate(time.Second), Tolerance)
	}
	if ahead := ts.Sub(now); ahead > Tolerance {
		return fmt.Errorf("%w: %s ahead, more than %s", ErrTooNew, ahead.Truncate(time.Second), Tolerance)
	}
	want := mac(key, id, tsText, body)
	tried := 0
	for _, field := range strings.Fields(strings.Join(sigs, " ")) {
		version, b64, ok := strings.Cut(field, ",")
		if !ok || version != "v1" {
			continue
		}
		if tried++; tried > maxSignatures {
			break
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoSignature
}

// parseTimestamp reads unix seconds written as plain decimal digits.
func parseTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 12 {
		return 0, fmt.Errorf("%w: must be unix seconds", ErrBadTimestamp)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: must be unix seconds", ErrBadTimestamp)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: must be unix seconds", ErrBadTimestamp)
	}
	return n, nil
}
