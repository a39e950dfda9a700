// Package hooks judges coding agents' tool calls (Claude Code's PreToolUse
// hooks, Cursor's beforeShellExecution and beforeMCPExecution hooks) with
// the Countersign server: each call becomes an action, and the hook answers
// allow only when the action's grant was taken. A call held for review waits
// up to a bound, then is denied with a message naming the pending request;
// the same call made again once approved is allowed on that request.
//
// A hook never answers "ask": the person at the keyboard is often the one
// the agent acts for, who may not approve it. Anything that goes wrong
// denies (fail closed), unless the offline rule allows the action's kind
// while the server cannot be reached.
package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
)

// API is what judging needs of the Countersign server: client.Client, or
// the server's own service behind an adapter.
type API interface {
	Submit(ctx context.Context, in countersign.SubmitInput) (*countersign.SubmitResult, error)
	Wait(ctx context.Context, id string, d time.Duration) (*countersign.RequestView, error)
	Execute(ctx context.Context, id, digest string) (*countersign.RequestView, error)
}

// Verdict is a hook's answer.
type Verdict struct {
	Allow     bool
	Reason    string // for the model: why, and what to do next
	RequestID string // "" when no request was made
}

// Options bound judging.
type Options struct {
	// Wait is how long a call held for review waits before it is denied
	// with a message naming the pending request. 0: do not wait.
	Wait time.Duration
	// OfflineAllow lists the action kinds allowed when the server cannot
	// be reached (a transport error, not an answer); empty: none.
	OfflineAllow []countersign.ActionKind
}

// DefaultWait is how long a hook waits for reviewers before it denies a
// held call with a message naming the pending request.
const DefaultWait = 5 * time.Minute

// maxGenerations bounds how many used-up requests of identical calls one
// judgment skips before it gives up (denies).
const maxGenerations = 64

// Judge submits in and decides. The idempotency key is derived from the
// action, so that a call made again finds its earlier request while that
// request is pending or approved and unused; gens remembers, per action,
// how many earlier requests are used up.
func Judge(ctx context.Context, api API, gens client.Generations, in countersign.SubmitInput, opt Options) Verdict {
	base, err := client.KeyStem("hook", in)
	if err != nil {
		return deny("", "the call cannot be described to Countersign (%v)", err)
	}
	in.Execute = true
	for range maxGenerations {
		gen := gens.Get(base)
		in.IdempotencyKey = fmt.Sprintf("%s.%d", base, gen)
		res, err := api.Submit(ctx, in)
		switch {
		case countersign.ErrorCode(err) == countersign.EGrantUsed: // approved earlier; an identical call took it first
			gens.Bump(base, gen)
			continue
		case err != nil:
			return unreachable(err, in.Kind, opt)
		case res.Executed:
			gens.Bump(base, gen)
			return allowed(ctx, api, res)
		case res.State == countersign.StateExecuted: // an earlier identical call used it
			gens.Bump(base, gen)
			continue
		case res.State == countersign.StatePending:
			v, outcome := hold(ctx, api, res, opt)
			switch outcome {
			case grantTaken:
				gens.Bump(base, gen)
				continue
			case finished:
				gens.Bump(base, gen)
			}
			return v // still pending: the same call made again finds the request
		case res.State == countersign.StateDenied:
			gens.Bump(base, gen)
			return deny(res.ID, "Countersign policy denied this call (request %s): %s. Do not retry it unchanged.",
				res.ID, countersign.WhyNot(res.Reason, nil, res.Reasons))
		default: // an earlier identical call's request ended undecided or refused (cancelled, expired, rejected)
			gens.Bump(base, gen)
			return deny(res.ID, "The call was not run: Countersign request %s was %s (%s).",
				res.ID, res.State, countersign.WhyNot(res.Reason, nil, res.Reasons))
		}
	}
	return deny("", "too many earlier identical calls; ask the user to check Countersign")
}

// holdOutcome is how a wait for reviewers ended.
type holdOutcome int

const (
	finished     holdOutcome = iota // approved and taken, or refused
	stillPending                    // the wait ran out or failed
	grantTaken                      // approved, but an identical call took the grant first
)

// hold waits for the reviewers of a pending request up to opt.Wait.
func hold(ctx context.Context, api API, res *countersign.SubmitResult, opt Options) (Verdict, holdOutcome) {
	deadline := time.Now().Add(opt.Wait)
	view := &countersign.RequestView{ID: res.ID, State: res.State, Digest: res.Digest, Approvals: res.Approvals}
	for view.State == countersign.StatePending {
		left := time.Until(deadline)
		if left <= 0 {
			return deny(res.ID, "Countersign is still waiting for human approval of this call as request %s (%d of %d approvals). "+
				"It was not run. Tell the user it needs approval; once it is approved, make exactly the same call again and it will run.",
				res.ID, view.Approvals.Got, view.Approvals.Want), stillPending
		}
		w, err := api.Wait(ctx, res.ID, min(left, 25*time.Second))
		if err != nil {
			return deny(res.ID, "Countersign could not be asked about request %s (%s); the call was not run. Try again later.",
				res.ID, countersign.Describe(err)), stillPending
		}
		view = w
	}
	if view.State != countersign.StateApproved {
		return deny(res.ID, "The call was not run: Countersign request %s was %s (%s).", res.ID, view.State,
			countersign.WhyNot(view.Reason, view.Reviews, view.Reasons)), finished
	}
	if _, err := api.Execute(ctx, view.ID, view.Digest); err != nil {
		if countersign.ErrorCode(err) == countersign.EGrantUsed {
			return Verdict{}, grantTaken
		}
		return deny(res.ID, "Countersign request %s is approved but its grant could not be used (%s); the call was not run.",
			res.ID, countersign.Describe(err)), finished
	}
	return Verdict{Allow: true, RequestID: res.ID,
		Reason: fmt.Sprintf("Approved in Countersign (request %s) by %s.", res.ID, strings.Join(approvers(view), ", "))}, finished
}

// allowed is the verdict on a submission that took the grant: by policy
// at once, or on an earlier request reviewers approved (named, when the
// request can be read).
func allowed(ctx context.Context, api API, res *countersign.SubmitResult) Verdict {
	v := Verdict{Allow: true, RequestID: res.ID}
	if res.Decision == countersign.EffectReview {
		if view, err := api.Wait(ctx, res.ID, 0); err == nil {
			v.Reason = fmt.Sprintf("Approved in Countersign (request %s) by %s.", res.ID, strings.Join(approvers(view), ", "))
			return v
		}
		v.Reason = fmt.Sprintf("Approved in Countersign (request %s).", res.ID)
		return v
	}
	v.Reason = fmt.Sprintf("Allowed by Countersign policy (%s), request %s.", strings.Join(res.Rules, ", "), res.ID)
	return v
}

func deny(id, format string, args ...any) Verdict {
	return Verdict{RequestID: id, Reason: fmt.Sprintf(format, args...)}
}

// unreachable answers when the server gave no decision: deny, unless the
// server could not be reached at all and opt allows the kind offline.
func unreachable(err error, kind countersign.ActionKind, opt Options) Verdict {
	if offline(err) {
		for _, k := range opt.OfflineAllow {
			if k == kind {
				return Verdict{Allow: true, Reason: fmt.Sprintf("Countersign could not be reached (%v); the policy allows %s actions offline (offline_allow, as last heard from the server). Countersign has no record of this call.", err, kind)}
			}
		}
	}
	return deny("", "Countersign could not judge this call (%s), so it was not run. Try again later, or ask the user to check the Countersign server.", countersign.Describe(err))
}

// offline reports whether err says the server could not be reached at all:
// the HTTP transport got no answer (client.Client wraps it as *url.Error).
// An answer that is not a decision (a proxy's error page, a body that is
// not JSON, an API error) is not an outage, nor is a bad server URL.
func offline(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Op != "parse" && !errors.Is(err, context.Canceled)
}

func approvers(v *countersign.RequestView) []string {
	var out []string
	for _, r := range v.Reviews {
		if r.Verdict == countersign.VerdictApprove {
			out = append(out, r.Reviewer)
		}
	}
	if len(out) == 0 {
		out = []string{"the reviewers"}
	}
	return out
}

// marshal is json.Marshal for payloads built here (never fails on them).
func marshal(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}
