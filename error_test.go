package countersign

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorf(t *testing.T) {
	t.Parallel()
	err := Errorf(ENotFound, "request %s not found", "act_1")
	if err.Code != ENotFound || err.Message != "request act_1 not found" {
		t.Errorf("Errorf = %+v, want {%s request act_1 not found}", err, ENotFound)
	}
	if got, want := err.Error(), "not_found: request act_1 not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := Errorf(EInvalid, "100%% sure"); got.Message != "100% sure" {
		t.Errorf("Errorf with %%%% = %q, want %q", got.Message, "100% sure")
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	t.Parallel()
	domain := Errorf(EGrantUsed, "the grant was used")
	tests := []struct {
		name        string
		err         error
		wantCode    string
		wantMessage string
	}{
		{"nil", nil, "", "internal error"},
		{"domain", domain, EGrantUsed, "the grant was used"},
		{"wrapped once", fmt.Errorf("execute: %w", domain), EGrantUsed, "the grant was used"},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", domain)), EGrantUsed, "the grant was used"},
		{"joined", errors.Join(io.EOF, domain), EGrantUsed, "the grant was used"},
		{"first in chain wins", fmt.Errorf("%w", &Error{Code: EConflict, Message: "outer"}), EConflict, "outer"},
		{"plain error", io.ErrUnexpectedEOF, EInternal, "internal error"},
		{"plain error wrapped", fmt.Errorf("read /secret/path: %w", io.EOF), EInternal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.wantCode)
			}
			if got := ErrorMessage(tt.err); got != tt.wantMessage {
				t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.wantMessage)
			}
		})
	}
}

// TestErrorCodesStable pins the wire strings clients match on.
func TestErrorCodesStable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		EInvalid: "invalid_argument", EUnauthenticated: "unauthenticated", EForbidden: "forbidden",
		ESelfReview: "self_review", ENotEligible: "not_eligible", EAlreadyReviewed: "already_reviewed",
		ENotPending: "not_pending", EGrantUsed: "grant_used", EExpired: "expired",
		EDigestMismatch: "digest_mismatch", ENotApproved: "not_approved", ENotFound: "not_found",
		EConflict: "conflict", EPolicyInvalid: "policy_invalid", EUnavailable: "unavailable", EInternal: "internal",
	}
	if len(tests) != 16 {
		t.Fatalf("got %d distinct codes, want 16 (two constants share a string?)", len(tests))
	}
	for got, want := range tests {
		if got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	}
}
