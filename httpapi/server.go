// Package httpapi serves the Countersign JSON API over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/gateway"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/mod/sumdb/note"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// MaxWait bounds a long-poll.
const MaxWait = 5 * time.Minute

// Config wires a Server.
type Config struct {
	Service  *gateway.Service
	Logger   *slog.Logger
	Registry *prometheus.Registry // nil: a new one
	// Ready reports whether the server should take traffic (store reachable,
	// not shutting down).
	Ready func(ctx context.Context) error
	// Evidence names the evidence log and its verifier key.
	Evidence countersign.EvidenceKeyView
	// Channels are the approval channels' callbacks by route pattern
	// ("POST /v1/channels/slack/interactions"). They authenticate each
	// call by its signature, not by an API key.
	Channels map[string]http.Handler
	// Signer is the evidence signing key, which signs the offline_allow
	// note hooks remember (GET /v1/policy/offline); nil: no note.
	Signer note.Signer
}

// Server is the HTTP API; it implements http.Handler.
type Server struct {
	svc      *gateway.Service
	log      *slog.Logger
	ready    func(ctx context.Context) error
	mux      *http.ServeMux
	metrics  *metrics
	evidence countersign.EvidenceKeyView
	hookGens *client.MemoryGenerations // per agent and action, its used-up requests (hooks.go)
	signer   note.Signer
}

// New returns the API server with every route registered.
func New(cfg Config) *Server {
	s := &Server{svc: cfg.Service, log: cfg.Logger, ready: cfg.Ready, mux: http.NewServeMux(), evidence: cfg.Evidence,
		hookGens: client.NewMemoryGenerations(), signer: cfg.Signer}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(reg)
	s.route("POST /v1/actions", s.auth(s.submit))
	s.route("GET /v1/actions", s.auth(s.list))
	s.route("GET /v1/actions/{id}", s.auth(s.get))
	s.route("POST /v1/actions/{id}/reviews", s.auth(s.review))
	s.route("POST /v1/actions/{id}/execute", s.auth(s.execute))
	s.route("POST /v1/actions/{id}/result", s.auth(s.result))
	s.route("POST /v1/actions/{id}/cancel", s.auth(s.cancel))
	s.route("POST /v1/policy/test", s.auth(s.policyTest))
	s.route("GET /v1/policy/offline", s.auth(s.offline))
	s.route("POST /v1/keys", s.auth(s.createKey))
	s.route("GET /v1/keys", s.auth(s.listKeys))
	s.route("DELETE /v1/keys/{id}", s.auth(s.revokeKey))
	s.route("POST /v1/agents/{name}/freeze", s.auth(s.freeze(true)))
	s.route("POST /v1/agents/{name}/unfreeze", s.auth(s.freeze(false)))
	s.route("POST /v1/hooks/claude-code", s.claudeHook) // authenticates itself: see hooks.go
	s.routeEvidence()
	for pattern, h := range cfg.Channels {
		s.mux.Handle(pattern, h)
	}
	s.route("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	s.route("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, countersign.Errorf(countersign.ENotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// route registers h under pattern with metrics labelled by the pattern.
func (s *Server) route(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.metrics.instrument(pattern, h))
}

type principalKey struct{}

// auth resolves the bearer key to a principal before calling h.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, countersign.Errorf(countersign.EUnauthenticated, "missing bearer key (Authorization: Bearer cs_...)"))
			return
		}
		p, err := s.svc.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

func principal(r *http.Request) countersign.Principal {
	p, _ := r.Context().Value(principalKey{}).(countersign.Principal)
	return p
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			// The detail (hosts, paths) goes to the log, not to callers.
			s.log.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, 200, map[string]string{"status": "ready"})
}

// decode reads exactly one JSON value into v: at most MaxBody bytes, no
// unknown fields, nothing after it. Errors are EInvalid.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return countersign.Errorf(countersign.EInvalid, "content type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return countersign.Errorf(countersign.EInvalid, "request body is larger than %d bytes", MaxBody)
		case errors.Is(err, io.EOF):
			return countersign.Errorf(countersign.EInvalid, "request body is empty")
		default:
			return countersign.Errorf(countersign.EInvalid, "bad JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return countersign.Errorf(countersign.EInvalid, "request body is larger than %d bytes", MaxBody)
		}
		return countersign.Errorf(countersign.EInvalid, "bad JSON body: more than one value")
	}
	return nil
}

// fail writes err; internal errors are logged with the route, never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if countersign.ErrorCode(err) == countersign.EInternal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, err)
}

// statusOf maps error codes to HTTP statuses, in one place.
func statusOf(code string) int {
	switch code {
	case countersign.EInvalid, countersign.EPolicyInvalid:
		return http.StatusBadRequest
	case countersign.EUnauthenticated:
		return http.StatusUnauthorized
	case countersign.EForbidden, countersign.ESelfReview, countersign.ENotEligible, countersign.ENotApproved:
		return http.StatusForbidden
	case countersign.ENotFound:
		return http.StatusNotFound
	case countersign.EAlreadyReviewed, countersign.ENotPending, countersign.EGrantUsed, countersign.EConflict:
		return http.StatusConflict
	case countersign.EExpired:
		return http.StatusGone
	case countersign.EDigestMismatch:
		return http.StatusUnprocessableEntity
	case countersign.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

func writeError(w http.ResponseWriter, err error) {
	code := countersign.ErrorCode(err)
	writeJSON(w, statusOf(code), countersign.ErrorBody{Error: countersign.Error{Code: code, Message: countersign.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
