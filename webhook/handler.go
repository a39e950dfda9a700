package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
)

// Pattern is the route NewHandler serves, for http.ServeMux.Handle.
const Pattern = "POST /v1/channels/webhook/{name}/reviews"

// MaxReviewBody is the largest review body accepted.
const MaxReviewBody = 64 << 10

// ReplayWindow is how long a webhook-id is remembered. It covers every
// moment a message's timestamp is accepted (Tolerance either way) and a
// minute of clock difference between replicas.
const ReplayWindow = 2*Tolerance + time.Minute

// ReviewInput is the body of POST /v1/channels/webhook/{name}/reviews: the
// verdict of Reviewer, a person of the directory the integration speaks
// for, on request RequestID.
type ReviewInput struct {
	RequestID string              `json:"request_id"`
	Verdict   countersign.Verdict `json:"verdict"`
	Reason    string              `json:"reason,omitempty"`
	Reviewer  string              `json:"reviewer"`
}

// ReviewResult is the answer to a review recorded: the request after it.
type ReviewResult struct {
	Request countersign.RequestView `json:"request"`
}

type handler struct {
	integrations map[string]Integration
	store        countersign.Store
	rev          countersign.Reviewer
	people       countersign.People
	now          func() time.Time
}

// NewHandler returns the handler of inbound reviews, to be mounted at
// Pattern (it reads the integration's name with r.PathValue("name")).
// A review is recorded only when, in this order: the integration exists
// (else 404), the Standard Webhooks signature verifies with its secret and a
// timestamp within Tolerance (else 401), the webhook-id was not seen in the
// last ReplayWindow (else 409), the body is a valid ReviewInput (else 400),
// the reviewer is in people (else 403), and the integration speaks for them
// (else 403). rev then applies every rule of a review; its errors map to
// statuses as the API's do (expired is 409 here). Errors are
// {"error":{"code","message"}}; success is 200 with a ReviewResult. now nil
// means time.Now.
func NewHandler(integrations []Integration, store countersign.Store, rev countersign.Reviewer, people countersign.People, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	return &handler{integrations: byName(integrations), store: store, rev: rev, people: people, now: now}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, countersign.Errorf(countersign.EInvalid, "use POST"))
		return
	}
	name := r.PathValue("name")
	in, ok := h.integrations[name]
	if !ok {
		writeError(w, http.StatusNotFound, countersign.Errorf(countersign.ENotFound, "no webhook integration named %q", name))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusBadRequest, countersign.Errorf(countersign.EInvalid, "content type must be application/json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReviewBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusBadRequest, countersign.Errorf(countersign.EInvalid, "request body is larger than %d bytes", MaxReviewBody))
			return
		}
		writeError(w, http.StatusBadRequest, countersign.Errorf(countersign.EInvalid, "could not read the request body"))
		return
	}
	now := h.now()
	if err := Verify(in.Secret, r.Header, body, now); err != nil {
		msg := strings.TrimPrefix(err.Error(), "webhook: ")
		writeError(w, http.StatusUnauthorized, countersign.Errorf(countersign.EUnauthenticated, "webhook %s: %s", name, msg))
		return
	}
	id := r.Header.Get(HeaderID)
	n, err := h.store.Hit(r.Context(), "webhook-id:"+name+":"+id, now, ReplayWindow, 1)
	if err != nil {
		h.fail(w, r, name, err)
		return
	}
	if n > 1 {
		writeError(w, http.StatusConflict, countersign.Errorf(countersign.EConflict,
			"webhook %s: message %s was already received; it is not processed again", name, id))
		return
	}
	var rin ReviewInput
	if err := decode(body, &rin); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	person, ok := h.people.ByEmail(strings.TrimSpace(rin.Reviewer))
	if !ok {
		writeError(w, http.StatusForbidden, countersign.Errorf(countersign.EForbidden,
			"reviewer %q is not among the configured people", rin.Reviewer))
		return
	}
	if !in.SpeaksFor(person) {
		writeError(w, http.StatusForbidden, countersign.Errorf(countersign.EForbidden,
			"webhook %s may not review for %s (submit_for %v)", name, person.Email, in.SubmitFor))
		return
	}
	req, err := h.rev.Review(r.Context(), person.Principal(), rin.RequestID, countersign.ChannelReview{
		Verdict: rin.Verdict, Reason: rin.Reason, Channel: Kind + ":" + name, ChannelUser: name})
	if err != nil {
		h.fail(w, r, name, err)
		return
	}
	writeJSON(w, http.StatusOK, ReviewResult{Request: req.View()})
}

// decode reads exactly one ReviewInput: no unknown fields, nothing after it,
// and the fields a review needs. Errors are EInvalid.
func decode(body []byte, v *ReviewInput) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return countersign.Errorf(countersign.EInvalid, "request body is empty")
		}
		return countersign.Errorf(countersign.EInvalid, "bad JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return countersign.Errorf(countersign.EInvalid, "bad JSON body: more than one value")
	}
	switch {
	case strings.TrimSpace(v.RequestID) == "":
		return countersign.Errorf(countersign.EInvalid, "request_id is required")
	case strings.TrimSpace(v.Reviewer) == "":
		return countersign.Errorf(countersign.EInvalid, "reviewer is required")
	case v.Verdict != countersign.VerdictApprove && v.Verdict != countersign.VerdictReject:
		return countersign.Errorf(countersign.EInvalid, "verdict must be approve or reject")
	}
	return nil
}

// fail writes err with the status of its code; internal errors are logged
// (the answer says only "internal error").
func (h *handler) fail(w http.ResponseWriter, r *http.Request, name string, err error) {
	code := countersign.ErrorCode(err)
	if code == countersign.EInternal {
		slog.Error("webhook review failed", "integration", name, "path", r.URL.Path, "err", err)
	}
	writeError(w, statusOf(code), err)
}

// statusOf maps the error codes of a review to HTTP statuses: as the API
// does, except that a review window that has ended is a conflict (409), like
// a request no longer pending.
func statusOf(code string) int {
	switch code {
	case countersign.EInvalid:
		return http.StatusBadRequest
	case countersign.EUnauthenticated:
		return http.StatusUnauthorized
	case countersign.EForbidden, countersign.ESelfReview, countersign.ENotEligible:
		return http.StatusForbidden
	case countersign.ENotFound:
		return http.StatusNotFound
	case countersign.EExpired, countersign.ENotPending, countersign.EConflict, countersign.EAlreadyReviewed:
		return http.StatusConflict
	case countersign.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// writeError writes {"error":{"code","message"}} as the API does; internal
// errors show no detail.
func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, countersign.ErrorBody{Error: countersign.Error{
		Code: countersign.ErrorCode(err), Message: countersign.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
