package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/hooks"
)

// maxHookWait bounds the wait of an HTTP hook; Claude Code's own hook
// timeout (600 s by default) must be longer.
const maxHookWait = 10 * time.Minute

// claudeHook serves Claude Code's `type: "http"` PreToolUse hooks: the body
// is the hook input, the answer the hook output. Claude Code treats a non-2xx
// answer, like a timeout, as no decision and runs the call, so every failure
// here, a bad key included, is answered 200 with a denial. Query: env,
// on_behalf_of, wait (default hooks.DefaultWait, at most 10m).
func (s *Server) claudeHook(w http.ResponseWriter, r *http.Request) {
	answer := func(v hooks.Verdict) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(hooks.ClaudeOutput(v))
	}
	denied := func(format string, args ...any) {
		answer(hooks.Verdict{Reason: fmt.Sprintf(format, args...)})
	}
	defer func() {
		// A dropped connection would let Claude Code run the call: a
		// panic is a denial too.
		if rec := recover(); rec != nil {
			s.log.Error("claude-code hook panicked", "panic", rec)
			denied("Countersign failed while judging this call; it was not run.")
		}
	}()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		denied("Countersign refused the hook: no agent key (Authorization: Bearer $COUNTERSIGN_KEY); the call was not run.")
		return
	}
	p, err := s.svc.Authenticate(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		denied("Countersign refused the hook's key (%s); the call was not run.", countersign.ErrorCode(err))
		return
	}
	q := r.URL.Query()
	wait := hooks.DefaultWait
	if ws := q.Get("wait"); ws != "" {
		d, err := time.ParseDuration(ws)
		if err != nil || d < 0 {
			denied("Countersign refused the hook: wait=%q is not a duration such as 60s; the call was not run.", ws)
			return
		}
		wait = min(d, maxHookWait)
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(raw) > MaxBody {
		denied("Countersign could not read the hook input (at most %d bytes); the call was not run.", MaxBody)
		return
	}
	in, err := hooks.ParseClaude(raw)
	var action countersign.SubmitInput
	if err == nil {
		action, err = in.Action(hooks.Context{Environment: q.Get("env"), OnBehalfOf: q.Get("on_behalf_of")})
	}
	if err != nil {
		denied("Countersign could not read this call (%v), so it was not run.", err)
		return
	}
	gens := client.Scoped(s.hookGens, string(p.Kind)+":"+p.Name) // idempotency keys are the agent's
	answer(hooks.Judge(r.Context(), serviceAPI{s, p}, gens, action, hooks.Options{Wait: wait}))
}

// serviceAPI is hooks.API over the service, as principal p.
type serviceAPI struct {
	s *Server
	p countersign.Principal
}

func (a serviceAPI) Submit(ctx context.Context, in countersign.SubmitInput) (*countersign.SubmitResult, error) {
	res, _, err := a.s.submitAs(ctx, a.p, in)
	return res, err
}

func (a serviceAPI) Wait(ctx context.Context, id string, d time.Duration) (*countersign.RequestView, error) {
	r, err := a.s.svc.Wait(ctx, a.p, id, d)
	if err != nil {
		return nil, err
	}
	if r.State == countersign.StatePending && a.s.svc.Draining() {
		// Waits answer at once now: the hook would poll in a loop until
		// its own wait ran out, holding up the shutdown.
		return nil, countersign.Errorf(countersign.EUnavailable, "the server is shutting down")
	}
	v := r.View()
	return &v, nil
}

func (a serviceAPI) Execute(ctx context.Context, id, digest string) (*countersign.RequestView, error) {
	r, err := a.s.svc.Execute(ctx, a.p, id, digest)
	if err != nil {
		return nil, err
	}
	v := r.View()
	return &v, nil
}

// offline answers GET /v1/policy/offline: the action kinds the policy lets
// hooks allow while the server cannot be reached, for them to remember.
func (s *Server) offline(w http.ResponseWriter, r *http.Request) {
	kinds := s.svc.Policy().OfflineAllow()
	if kinds == nil {
		kinds = []countersign.ActionKind{}
	}
	v := countersign.OfflineView{Allow: kinds}
	if s.signer != nil {
		msg, err := hooks.SignOffline(s.signer, kinds, time.Now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Note = msg
	}
	writeJSON(w, http.StatusOK, v)
}
