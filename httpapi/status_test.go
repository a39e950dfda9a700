package httpapi

import (
	"net/http"
	"testing"

	countersign "github.com/countersign/countersign"
)

// The code-to-status map is the API's contract (docs/api.md); every code has
// a deliberate status, and an unknown one is a 500.
func TestStatusOf(t *testing.T) {
	t.Parallel()
	want := map[string]int{
		countersign.EInvalid:         http.StatusBadRequest,
		countersign.EPolicyInvalid:   http.StatusBadRequest,
		countersign.EUnauthenticated: http.StatusUnauthorized,
		countersign.EForbidden:       http.StatusForbidden,
		countersign.ESelfReview:      http.StatusForbidden,
		countersign.ENotEligible:     http.StatusForbidden,
		countersign.ENotApproved:     http.StatusForbidden,
		countersign.ENotFound:        http.StatusNotFound,
		countersign.EAlreadyReviewed: http.StatusConflict,
		countersign.ENotPending:      http.StatusConflict,
		countersign.EGrantUsed:       http.StatusConflict,
		countersign.EConflict:        http.StatusConflict,
		countersign.EExpired:         http.StatusGone,
		countersign.EDigestMismatch:  http.StatusUnprocessableEntity,
		countersign.EUnavailable:     http.StatusServiceUnavailable,
		countersign.EInternal:        http.StatusInternalServerError,
		"something_new":              http.StatusInternalServerError,
	}
	for code, status := range want {
		if got := statusOf(code); got != status {
			t.Errorf("statusOf(%q) = %d, want %d", code, got, status)
		}
	}
}
