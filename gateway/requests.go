package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/analyze"
	"github.com/countersign/countersign/policy"
)

// Submit judges an action by policy and records it as a request. Only agents
// submit; the action's Agent is the caller. With an idempotency key already
// used by this agent, the earlier request is returned (created false) when the
// action is the same, and EConflict otherwise.
func (s *Service) Submit(ctx context.Context, by countersign.Principal, a countersign.Action) (*countersign.Request, bool, error) {
	r, created, _, err := s.submit(ctx, by, a, false)
	return r, created, err
}

// SubmitExecute is Submit that also uses the grant when the request is
// approved, in the same transaction that records it when policy allows at
// once, or after for an earlier approved request with the same idempotency
// key: executed says whether this call used the grant, and the caller then
// runs the action. One round trip and one commit instead of two for the
// ways in (MCP, exec, hooks) that run an allowed action straight away.
// Errors: those of Submit and of Execute.
func (s *Service) SubmitExecute(ctx context.Context, by countersign.Principal, a countersign.Action) (r *countersign.Request, created, executed bool, err error) {
	return s.submit(ctx, by, a, true)
}

func (s *Service) submit(ctx context.Context, by countersign.Principal, a countersign.Action, execute bool) (*countersign.Request, bool, bool, error) {
	if by.Kind != countersign.KindAgent {
		return nil, false, false, countersign.Errorf(countersign.EForbidden, "only agents submit actions; %s is a %s", by.Name, by.Kind)
	}
	a.Agent = by.Name
	payload, err := a.Check()
	if err != nil {
		return nil, false, false, err
	}
	canonical, digest, err := a.CanonicalDigest()
	if err != nil {
		return nil, false, false, countersign.Errorf(countersign.EInvalid, "action cannot be canonicalized: %v", err)
	}
	d, uses, again := s.decide(vouched(ctx, by, a, payload), a, payload, by.Owner)
	now := s.now()
	// In key order, so that replicas lock one agent's counters in the same
	// order whatever their policies' rule order.
	slices.SortFunc(uses, func(x, y limitUse) int { return strings.Compare(x.rule, y.rule) })
	var hits []countersign.HitParams
	for _, u := range uses {
		hits = append(hits, countersign.HitParams{Key: limitKey(a.Agent, u.rule), At: now, Per: u.per, Max: u.max})
	}
	// Built here, outside the store's write transaction, for the usual case
	// of an agent that is not frozen and within its limits; Build only picks
	// it, or decides again when the store's counts put a limit over, or
	// rebuilds it denied when the agent turns out to be frozen.
	np := countersign.NewRequestParams{ID: newID("act_"), Action: a, Owner: by.Owner, Digest: digest,
		Canonical: canonical, Decision: d, Now: now}
	// With execute, an approved request's grant is used in the same
	// transaction (a frozen agent's request is denied, so never executed).
	open := func(np countersign.NewRequestParams) (*countersign.Request, []countersign.Event, bool, error) {
		r, ev := countersign.NewRequest(np)
		if !execute || r.State != countersign.StateApproved {
			return r, ev, false, nil
		}
		more, err := r.Execute(digest, by, np.Now)
		return r, append(ev, more...), err == nil, err
	}
	built, events, builtExecuted, err := open(np)
	if err != nil {
		return nil, false, false, err
	}
	var executed bool
	r, created, err := s.store.CreateRequest(ctx, countersign.CreateRequestParams{
		Agent: by.Name, IdempotencyKey: a.IdempotencyKey, Hits: hits,
		Build: func(frozen bool, counts []int) (*countersign.Request, []countersign.Event, error) {
			if !frozen && !over(uses, counts) {
				executed = builtExecuted
				return built, events, nil
			}
			np := np
			np.Frozen = frozen
			if !frozen {
				np.Decision = again(counts)
			}
			r, ev, ran, err := open(np)
			executed = ran
			return r, ev, err
		},
	})
	if err != nil {
		return nil, false, false, err
	}
	if !created && r.Digest != digest {
		return nil, false, false, countersign.Errorf(countersign.EConflict, "idempotency key %q was used for another action (%s)", a.IdempotencyKey, r.ID)
	}
	if !created {
		executed = false
		if execute && r.State == countersign.StateApproved {
			if r, err = s.Execute(ctx, by, r.ID, r.Digest); err != nil {
				return nil, false, false, err
			}
			executed = true
		}
	}
	if created {
		if s.onDecide != nil {
			s.onDecide(r.Decision.Effect)
		}
		level := slog.LevelInfo
		if r.Decision.Effect == countersign.EffectAllow {
			level = slog.LevelDebug // the hot path; the event log has every one
		}
		s.log.Log(ctx, level, "action submitted", "id", r.ID, "agent", r.Agent, "kind", a.Kind, "effect", r.Decision.Effect, "state", r.State)
	}
	return r, created, executed, nil
}

// limitUse is a rule's rate limit that a decision consulted.
type limitUse struct {
	rule string
	per  time.Duration
	max  int
}

// over reports whether the store's counts put any limit over. Counts that
// are missing count as over: fail closed.
func over(uses []limitUse, counts []int) bool {
	if len(uses) == 0 {
		return false
	}
	if len(counts) != len(uses) {
		return true
	}
	for i, u := range uses {
		if counts[i] > u.max {
			return true
		}
	}
	return false
}

// decide runs the analysers and policy on an action whose payload Check
// decoded. An analyser error denies. The decision assumes every rate limit
// it consults is not yet reached; uses lists those limits, for the store to
// count with the request, and again decides anew given their counts (a
// count it lacks is over the limit).
func (s *Service) decide(ctx context.Context, a countersign.Action, payload map[string]any, owner string) (d countersign.Decision, uses []limitUse, again func(counts []int) countersign.Decision) {
	p := s.policy.Load()
	failed := func(err error) countersign.Decision {
		return countersign.Decision{Effect: countersign.EffectDeny, Rules: []string{},
			Reasons: []string{"analysis failed: " + err.Error()}, PolicyDigest: p.Digest()}
	}
	facts, err := s.analyze(ctx, a, payload, p.Analysis())
	if err != nil {
		return failed(err), nil, nil
	}
	encoded, err := analyze.Encode(facts)
	if err != nil {
		return failed(err), nil, nil
	}
	in := policy.Input{Action: a, AgentOwner: owner, Payload: payload, Facts: facts}
	in.Count = func(rule string, per time.Duration, max int) (int, error) {
		uses = append(uses, limitUse{rule: rule, per: per, max: max})
		return 1, nil
	}
	d = p.Evaluate(in)
	d.Facts = encoded
	uses = slices.Clip(uses)
	again = func(counts []int) countersign.Decision {
		in.Count = func(rule string, per time.Duration, max int) (int, error) {
			for i, u := range uses {
				if u.rule == rule && i < len(counts) {
					return counts[i], nil
				}
			}
			return max + 1, nil
		}
		d := p.Evaluate(in)
		d.Facts = encoded
		return d
	}
	return d, uses, again
}

// limitKey names the store counter of one agent under one rule's limit.
func limitKey(agent, rule string) string {
	k := "limit/" + rule + "/" + agent
	if len(k) > 256 {
		sum := sha256.Sum256([]byte(agent))
		k = "limit/" + rule + "/sha256:" + hex.EncodeToString(sum[:])
	}
	return k
}

// TestPolicy evaluates an action against the policy in force without
// recording anything. Agents test as themselves; others name the agent in
// the action.
func (s *Service) TestPolicy(ctx context.Context, by countersign.Principal, a countersign.Action, owner string) (countersign.Decision, error) {
	if by.Kind == countersign.KindAgent {
		a.Agent, owner = by.Name, by.Owner
	}
	payload, err := a.Check()
	if err != nil {
		return countersign.Decision{}, err
	}
	d, _, _ := s.decide(vouched(ctx, by, a, payload), a, payload, owner)
	return d, nil
}

// vouched is ctx carrying the annotations of an MCP tool call as the server
// advertised them, when a gateway key submits it: a gateway fetched them
// from the server itself. Any other key's annotations are the agent's claim
// (analyze.MCP records them as claimed and believes none).
func vouched(ctx context.Context, by countersign.Principal, a countersign.Action, payload map[string]any) context.Context {
	if !by.Gateway || by.Kind != countersign.KindAgent || a.Kind != countersign.ActionMCP {
		return ctx
	}
	ann, ok := payload["annotations"].(map[string]any)
	if !ok {
		return ctx
	}
	return analyze.WithAdvertised(ctx, ann)
}

// Get returns a request, expiring it first when it is due. Agents see only
// their own requests. Errors: ENotFound.
func (s *Service) Get(ctx context.Context, by countersign.Principal, id string) (*countersign.Request, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if by.Kind == countersign.KindAgent && r.Agent != by.Name {
		return nil, countersign.Errorf(countersign.ENotFound, "no request %s", id)
	}
	if due := r.DueAt(); due != nil && !s.now().Before(*due) {
		return s.expireOne(ctx, id)
	}
	return r, nil
}

// Wait returns the request once it leaves pending, when d passes, or when the
// service drains, whichever comes first.
func (s *Service) Wait(ctx context.Context, by countersign.Principal, id string, d time.Duration) (*countersign.Request, error) {
	return s.WaitChange(ctx, by, id, d, -1)
}

// WaitChange is Wait that also returns as soon as the pending request has
// other than reviews reviews (a waiting line shows each approval as it
// comes); reviews < 0 waits for the state alone.
func (s *Service) WaitChange(ctx context.Context, by countersign.Principal, id string, d time.Duration, reviews int) (*countersign.Request, error) {
	ch, unsubscribe := s.broker.subscribe(id)
	defer unsubscribe()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		r, err := s.Get(ctx, by, id)
		if err != nil || r.State != countersign.StatePending || (reviews >= 0 && len(r.Reviews) != reviews) {
			return r, err
		}
		select {
		case <-ch:
		case <-timer.C:
			return r, nil
		case <-s.draining:
			return r, nil
		case <-ctx.Done():
			return r, nil
		}
	}
}

// List returns requests newest first; agents see only their own.
func (s *Service) List(ctx context.Context, by countersign.Principal, p countersign.ListRequestsParams) ([]*countersign.Request, string, error) {
	if _, _, err := p.Page(); err != nil {
		return nil, "", err
	}
	if by.Kind == countersign.KindAgent {
		p.Agent = by.Name
	}
	return s.store.ListRequests(ctx, p)
}

// ReviewInput is a verdict as a channel received it.
type ReviewInput = countersign.ChannelReview

var _ countersign.Reviewer = (*Service)(nil)

// Review records a human's verdict. Errors: those of Request.Review, plus
// EExpired when the review window has ended and ENotFound.
func (s *Service) Review(ctx context.Context, by countersign.Principal, id string, in ReviewInput) (*countersign.Request, error) {
	if in.Channel == "" {
		in.Channel = "api"
	}
	return s.update(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		return r.Review(countersign.ReviewParams{Reviewer: by, Verdict: in.Verdict, Reason: in.Reason,
			Channel: in.Channel, ChannelUser: in.ChannelUser, Now: s.now()})
	})
}

// Execute consumes the request's grant for digest; only the submitting agent
// may, and not while it is frozen: freezing stops grants already issued too.
// Errors: EForbidden, EGrantUsed, EExpired, EDigestMismatch, ENotApproved.
func (s *Service) Execute(ctx context.Context, by countersign.Principal, id, digest string) (*countersign.Request, error) {
	frozen, err := s.store.AgentFrozen(ctx, by.Name)
	if err != nil {
		return nil, fmt.Errorf("execute: %w", err)
	}
	if frozen {
		return nil, countersign.Errorf(countersign.EForbidden, "agent %s is frozen (%s); its grants cannot be used", by.Name, countersign.ReasonAgentFrozen)
	}
	return s.update(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		if by.Kind != countersign.KindAgent || by.Name != r.Agent {
			return nil, countersign.Errorf(countersign.EForbidden, "only the submitting agent can execute request %s", r.ID)
		}
		return r.Execute(digest, by, s.now())
	})
}

// Cancel withdraws a pending request. Errors: EForbidden, ENotPending.
func (s *Service) Cancel(ctx context.Context, by countersign.Principal, id, reason string) (*countersign.Request, error) {
	return s.update(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		return r.Cancel(by, reason, s.now())
	})
}

// RecordResult stores what the execution did. Errors: see Request.RecordResult.
func (s *Service) RecordResult(ctx context.Context, by countersign.Principal, id string, result json.RawMessage) (*countersign.Request, error) {
	return s.update(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		return r.RecordResult(by, result, s.now())
	})
}

// update applies fn to a request, after expiring it when due: a due request
// is stored as expired and the caller gets EExpired (or not_pending for a
// review of an expired request), so expiry always fails closed.
func (s *Service) update(ctx context.Context, id string, fn func(*countersign.Request) ([]countersign.Event, error)) (*countersign.Request, error) {
	var expired bool
	r, err := s.store.UpdateRequest(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		if ev := r.ExpireIfDue(s.now()); len(ev) > 0 {
			expired = true
			return ev, nil
		}
		return fn(r)
	})
	if err != nil {
		return nil, err
	}
	s.broker.notify(id)
	if expired {
		return r, countersign.Errorf(countersign.EExpired, "request %s has expired", id)
	}
	return r, nil
}
