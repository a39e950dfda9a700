package countersign

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// ReasonAgentFrozen is the denial reason for a frozen agent's actions.
const ReasonAgentFrozen = "agent_frozen"

// NewRequestParams is what NewRequest needs to open a request.
type NewRequestParams struct {
	ID     string
	Action Action // Agent already set from the caller's key
	Owner  string // the agent's owner
	Digest string
	// Canonical is the action's canonical JSON, when the caller has it (it
	// computed Digest from it); the submitted event records it as the action.
	Canonical []byte
	Decision  Decision
	Frozen    bool
	Now       time.Time
}

// NewRequest opens a request from policy's decision and returns the events
// that record it. A frozen agent's action is denied whatever policy said.
func NewRequest(p NewRequestParams) (*Request, []Event) {
	now := p.Now.UTC()
	d := p.Decision
	r := &Request{
		ID: p.ID, Action: p.Action, Agent: p.Action.Agent, AgentOwner: p.Owner,
		Digest: p.Digest, CreatedAt: now, UpdatedAt: now, Reviews: []Review{},
	}
	if p.Frozen {
		d.Effect = EffectDeny
		d.Review = nil
		d.Reasons = append([]string{ReasonAgentFrozen}, d.Reasons...)
		r.Reason = ReasonAgentFrozen
	}
	if d.Review != nil {
		d.Review = d.Review.clone()
	}
	r.Decision = d
	actor := "agent:" + r.Agent
	events := []Event{
		NewEvent(EventSubmitted, r.ID, actor, now, submittedData{Action: submitted(p), AgentOwner: r.AgentOwner, Digest: r.Digest}),
		NewEvent(EventDecided, r.ID, "policy", now, decidedData(d)),
	}
	switch d.Effect {
	case EffectAllow:
		events = append(events, r.issueGrant(now, "policy"))
	case EffectReview:
		r.State = StatePending
		ttl := DefaultTTL
		if d.Review != nil && d.Review.TTL > 0 {
			ttl = d.Review.TTL
		}
		exp := now.Add(ttl)
		r.ExpiresAt = &exp
	default:
		r.State = StateDenied
		r.ResolvedAt = &now
		if r.Reason == "" && len(d.Reasons) > 0 {
			r.Reason = d.Reasons[0]
		}
	}
	return r, events
}

// submittedData is the data of an action.submitted event, fields in name
// order (see decided).
type submittedData struct {
	Action     any    `json:"action"`
	AgentOwner string `json:"agent_owner"`
	Digest     string `json:"digest"`
}

// submitted is the action as the submitted event records it: the canonical
// JSON whose SHA-256 is the digest, when the caller has it.
func submitted(p NewRequestParams) any {
	if len(p.Canonical) > 0 {
		return json.RawMessage(p.Canonical)
	}
	return p.Action
}

// decidedData is what the policy.decided event records: the effect, the
// rules and reasons, the policy's digest and, for a review, the whole
// requirement (thresholds with their approvers and group members,
// reject threshold, ttl), so that an auditor can check the quorum, and the
// analysers' facts the policy judged.
func decidedData(d Decision) decided {
	return decided{Effect: d.Effect, Facts: d.Facts, PolicyDigest: d.PolicyDigest, Reasons: d.Reasons,
		Review: d.Review, Rules: d.Rules}
}

// decided is the data of a policy.decided event. Its fields are in the order
// of their names, as a map's would be, so that the event's bytes are those
// a map[string]any made (event data was a map; a struct spares the map, the
// key sort and a reflection per value).
type decided struct {
	Effect       Effect             `json:"effect"`
	Facts        json.RawMessage    `json:"facts,omitempty"`
	PolicyDigest string             `json:"policy_digest"`
	Reasons      []string           `json:"reasons"`
	Review       *ReviewRequirement `json:"review,omitempty"`
	Rules        []string           `json:"rules"`
}

func (r *Request) issueGrant(now time.Time, actor string) Event {
	ttl := r.Decision.GrantTTL
	if ttl <= 0 {
		ttl = DefaultGrantTTL
	}
	r.State = StateApproved
	r.ResolvedAt = &now
	r.Grant = &Grant{Digest: r.Digest, IssuedAt: now, ExpiresAt: now.Add(ttl)}
	return NewEvent(EventGrantIssued, r.ID, actor, now, grantIssued{Digest: r.Digest, ExpiresAt: r.Grant.ExpiresAt})
}

// grantIssued is the data of a grant.issued event, fields in name order
// (see decided).
type grantIssued struct {
	Digest    string    `json:"digest"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ExpireIfDue moves a pending request past its review window, or an approved
// one past its grant's end, to expired. It returns the events, none if not due.
func (r *Request) ExpireIfDue(now time.Time) []Event {
	due := r.DueAt()
	if due == nil || now.Before(*due) {
		return nil
	}
	from := r.State
	now = now.UTC()
	r.State = StateExpired
	r.UpdatedAt = now
	if from == StatePending {
		r.ResolvedAt = &now
		r.Reason = "review window ended before enough approvals"
	} else {
		r.Reason = "grant was not used before it expired"
	}
	return []Event{NewEvent(EventExpired, r.ID, "system", now, map[string]any{"from": from})}
}

// ReviewParams is one human's verdict as given to Request.Review.
type ReviewParams struct {
	Reviewer    Principal
	Verdict     Verdict
	Reason      string
	Channel     string
	ChannelUser string
	Now         time.Time
}

// CheckReviewer applies separation of duties: only humans review, never the
// agent's owner, the human it acts for, or the submitter, and once only.
// Errors: EForbidden, ESelfReview, EAlreadyReviewed, ENotEligible, ENotPending.
func (r *Request) CheckReviewer(p Principal) error {
	if p.Kind != KindHuman {
		return Errorf(EForbidden, "only humans can review; %s cannot", p)
	}
	if r.State != StatePending {
		return Errorf(ENotPending, "request %s is %s, not pending", r.ID, r.State)
	}
	switch {
	case strings.EqualFold(p.Name, r.AgentOwner):
		return Errorf(ESelfReview, "%s owns agent %s and cannot review its requests", p.Name, r.Agent)
	case r.Action.OnBehalfOf != "" && strings.EqualFold(p.Name, r.Action.OnBehalfOf):
		return Errorf(ESelfReview, "the action is on behalf of %s, who cannot review it", p.Name)
	case strings.EqualFold(p.Name, r.Agent):
		return Errorf(ESelfReview, "%s submitted this request and cannot review it", p.Name)
	}
	for _, rv := range r.Reviews {
		if strings.EqualFold(rv.Reviewer, p.Name) {
			return Errorf(EAlreadyReviewed, "%s has already reviewed request %s", p.Name, r.ID)
		}
	}
	if r.Decision.Review == nil {
		return Errorf(ENotEligible, "request %s needs no review", r.ID)
	}
	for _, t := range r.Decision.Review.Thresholds {
		if t.Admits(p) {
			return nil
		}
	}
	return Errorf(ENotEligible, "%s is not among the approvers of request %s", p.Name, r.ID)
}

// Review records a verdict and resolves the request when every threshold is
// met (approved, with a grant) or enough rejections arrive (rejected). The
// caller expires a due request first.
func (r *Request) Review(p ReviewParams) ([]Event, error) {
	if err := r.CheckReviewer(p.Reviewer); err != nil {
		return nil, err
	}
	if r.ExpiresAt != nil && !p.Now.Before(*r.ExpiresAt) {
		return nil, Errorf(EExpired, "the review window of request %s has ended", r.ID)
	}
	reason := strings.TrimSpace(p.Reason)
	switch p.Verdict {
	case VerdictReject:
		if reason == "" {
			return nil, Errorf(EInvalid, "a reason is required to reject")
		}
	case VerdictApprove:
		if reason == "" && r.Decision.Review.RequireReason {
			return nil, Errorf(EInvalid, "this rule requires a reason to approve")
		}
	default:
		return nil, Errorf(EInvalid, "verdict must be approve or reject")
	}
	if len(reason) > maxSummary {
		return nil, Errorf(EInvalid, "reason is longer than %d bytes", maxSummary)
	}
	now := p.Now.UTC()
	name := p.Reviewer.Name
	rv := Review{Reviewer: name, Verdict: p.Verdict, Reason: reason, Channel: p.Channel, ChannelUser: p.ChannelUser, At: now}
	r.Reviews = append(r.Reviews, rv)
	r.UpdatedAt = now
	actor := "human:" + name
	events := []Event{NewEvent(EventReviewed, r.ID, actor, now, rv)}
	req := r.Decision.Review
	if p.Verdict == VerdictReject {
		n := 0
		for _, x := range r.Reviews {
			if x.Verdict == VerdictReject {
				n++
			}
		}
		limit := req.RejectThreshold
		if limit <= 0 {
			limit = DefaultRejectThreshold
		}
		if n >= limit {
			r.State = StateRejected
			r.ResolvedAt = &now
			r.Reason = reason
			events = append(events, NewEvent(EventRejected, r.ID, actor, now, map[string]any{"rejections": n}))
		}
		return events, nil
	}
	all := true
	for i := range req.Thresholds {
		t := &req.Thresholds[i]
		if t.Admits(p.Reviewer) && !slices.ContainsFunc(t.ApprovedBy, func(a string) bool { return strings.EqualFold(a, name) }) && !t.Met() {
			t.ApprovedBy = append(t.ApprovedBy, name)
		}
		all = all && t.Met()
	}
	if all {
		events = append(events, NewEvent(EventApproved, r.ID, actor, now, map[string]any{"approvals": r.approvers()}))
		events = append(events, r.issueGrant(now, actor))
	}
	return events, nil
}

func (r *Request) approvers() []string {
	var out []string
	for _, rv := range r.Reviews {
		if rv.Verdict == VerdictApprove {
			out = append(out, rv.Reviewer)
		}
	}
	return out
}

// Execute consumes the grant for digest: once, for that digest only, before
// it expires. The caller expires a due request first.
// Errors: EGrantUsed, EExpired, EDigestMismatch, ENotApproved.
func (r *Request) Execute(digest string, by Principal, now time.Time) ([]Event, error) {
	switch r.State {
	case StateExecuted:
		return nil, Errorf(EGrantUsed, "the grant of request %s has already been used", r.ID)
	case StateExpired:
		return nil, Errorf(EExpired, "request %s has expired", r.ID)
	case StateApproved:
	default:
		return nil, Errorf(ENotApproved, "request %s is %s, not approved", r.ID, r.State)
	}
	if r.Grant == nil || digest != r.Grant.Digest {
		return nil, Errorf(EDigestMismatch, "digest does not match the approved action of request %s", r.ID)
	}
	if !now.Before(r.Grant.ExpiresAt) {
		return nil, Errorf(EExpired, "the grant of request %s has expired", r.ID)
	}
	now = now.UTC()
	r.Grant.UsedAt = &now
	r.State = StateExecuted
	r.UpdatedAt = now
	return []Event{NewEvent(EventExecuted, r.ID, by.String(), now, map[string]any{"digest": digest})}, nil
}

// Cancel withdraws a pending request; only its submitting agent may.
// Errors: EForbidden, ENotPending.
func (r *Request) Cancel(by Principal, reason string, now time.Time) ([]Event, error) {
	if by.Kind != KindAgent || by.Name != r.Agent {
		return nil, Errorf(EForbidden, "only the submitting agent can cancel request %s", r.ID)
	}
	if r.State != StatePending {
		return nil, Errorf(ENotPending, "request %s is %s, not pending", r.ID, r.State)
	}
	now = now.UTC()
	r.State = StateCancelled
	r.ResolvedAt = &now
	r.UpdatedAt = now
	r.Reason = reason
	return []Event{NewEvent(EventCancelled, r.ID, by.String(), now, map[string]any{"reason": reason})}, nil
}

// RecordResult stores the outcome of an executed action, once.
// Errors: EForbidden, ENotApproved, EConflict, EInvalid.
func (r *Request) RecordResult(by Principal, result json.RawMessage, now time.Time) ([]Event, error) {
	if by.Kind != KindAgent || by.Name != r.Agent {
		return nil, Errorf(EForbidden, "only the submitting agent can record the result of request %s", r.ID)
	}
	if r.State != StateExecuted {
		return nil, Errorf(ENotApproved, "request %s is %s; only an executed request has a result", r.ID, r.State)
	}
	if len(r.Result) > 0 {
		return nil, Errorf(EConflict, "request %s already has a result", r.ID)
	}
	canonical, err := canonicalObject(result)
	if err != nil {
		return nil, Errorf(EInvalid, "result must be a JSON object: %v", err)
	}
	now = now.UTC()
	r.Result = canonical
	r.UpdatedAt = now
	return []Event{NewEvent(EventResult, r.ID, by.String(), now, json.RawMessage(canonical))}, nil
}
