package countersign

import (
	"errors"
	"fmt"
)

// Error codes are stable strings that clients match on. They are mapped to HTTP
// statuses in one place (httpapi) and to CLI exit messages in cmd/countersign.
const (
	EInvalid         = "invalid_argument"
	EUnauthenticated = "unauthenticated"
	EForbidden       = "forbidden"
	ESelfReview      = "self_review"
	ENotEligible     = "not_eligible"
	EAlreadyReviewed = "already_reviewed"
	ENotPending      = "not_pending"
	EGrantUsed       = "grant_used"
	EExpired         = "expired"
	EDigestMismatch  = "digest_mismatch"
	ENotApproved     = "not_approved"
	ENotFound        = "not_found"
	EConflict        = "conflict"
	EPolicyInvalid   = "policy_invalid"
	EUnavailable     = "unavailable"
	EInternal        = "internal"
)

// Error is a domain error with a stable code and a message fit to show a user.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil and
// EInternal for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err: the message of its
// *Error, or a generic text for internal errors so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Message
	}
	return "internal error"
}

// Describe renders an error for a person or a model: an API error by its
// message and code, any other by its text.
func Describe(err error) string {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Message + " (" + e.Code + ")"
	}
	return err.Error()
}
