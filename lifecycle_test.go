package countersign

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is the fixed "now" of lifecycle tests; time is injected, never slept.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	theAgent = Principal{Kind: KindAgent, Name: "etl-bot", Owner: "olive@example.com"}
	olive    = Principal{Kind: KindHuman, Name: "olive@example.com", Groups: []string{"dba"}} // the agent's owner
	alice    = Principal{Kind: KindHuman, Name: "alice@example.com", Groups: []string{"dba"}} // on_behalf_of
	dana     = Principal{Kind: KindHuman, Name: "dana@example.com", Groups: []string{"dba"}}
	dave     = Principal{Kind: KindHuman, Name: "dave@example.com", Groups: []string{"dba"}}
	sam      = Principal{Kind: KindHuman, Name: "sam@example.com", Groups: []string{"sre"}}
	sue      = Principal{Kind: KindHuman, Name: "sue@example.com", Groups: []string{"sre"}}
	eve      = Principal{Kind: KindHuman, Name: "eve@example.com"}
	root     = Principal{Kind: KindAdmin, Name: "root"}
)

const testDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000001"

func testAction() Action {
	return Action{
		Kind: ActionSQL, Agent: theAgent.Name, OnBehalfOf: alice.Name, Environment: "production",
		Payload: json.RawMessage(`{"sql":"COPY orders TO STDOUT"}`),
	}
}

func decision(effect Effect, review *ReviewRequirement) Decision {
	return Decision{Effect: effect, Rules: []string{"rule-" + string(effect)}, Reasons: []string{"because " + string(effect)},
		PolicyDigest: "sha256:policy", Review: review, GrantTTL: 5 * time.Minute}
}

func threshold(rule string, min int, approvers ...string) Threshold {
	return Threshold{Rule: rule, Approvers: approvers, MinApprovals: min}
}

// pendingRequest opens a request that needs review under req. It copies the
// thresholds first: NewRequest keeps the caller's *ReviewRequirement and
// Review appends to its thresholds in place, so table rows must not share one.
func pendingRequest(t *testing.T, req ReviewRequirement) *Request {
	t.Helper()
	req.Thresholds = slices.Clone(req.Thresholds)
	for i := range req.Thresholds {
		req.Thresholds[i].ApprovedBy = slices.Clone(req.Thresholds[i].ApprovedBy)
	}
	r, _ := NewRequest(NewRequestParams{ID: "act_1", Action: testAction(), Owner: theAgent.Owner,
		Digest: testDigest, Decision: decision(EffectReview, &req), Now: t0})
	if r.State != StatePending {
		t.Fatalf("NewRequest state = %s, want pending", r.State)
	}
	return r
}

func eventTypes(events []Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func checkEvents(t *testing.T, events []Event, want ...string) {
	t.Helper()
	if got := eventTypes(events); !slices.Equal(got, want) {
		t.Errorf("event types = %v, want %v", got, want)
	}
	for _, e := range events {
		if e.ActionID != "act_1" || e.Time.Location() != time.UTC || !json.Valid(e.Data) {
			t.Errorf("event %s: action_id %q, time %v, data %s; want act_1, UTC, valid JSON", e.Type, e.ActionID, e.Time, e.Data)
		}
	}
}

func checkCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := ErrorCode(err); got != want {
		t.Errorf("error = %v (code %q), want code %q", err, got, want)
	}
}

func review(r *Request, p Principal, v Verdict, reason string) ([]Event, error) {
	return r.Review(ReviewParams{Reviewer: p, Verdict: v, Reason: reason, Channel: "api", Now: t0.Add(time.Minute)})
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	reviewReq := func(ttl time.Duration) *ReviewRequirement {
		return &ReviewRequirement{Thresholds: []Threshold{threshold("prod", 1, "group:dba")}, TTL: ttl}
	}
	tests := []struct {
		name        string
		d           Decision
		frozen      bool
		wantState   State
		wantEvents  []string
		wantExpires time.Duration // pending: ExpiresAt - now; approved: grant expiry - now
		wantReason  string
	}{
		{"allow", decision(EffectAllow, nil), false, StateApproved,
			[]string{EventSubmitted, EventDecided, EventGrantIssued}, 5 * time.Minute, ""},
		{"allow default grant ttl", Decision{Effect: EffectAllow}, false, StateApproved,
			[]string{EventSubmitted, EventDecided, EventGrantIssued}, DefaultGrantTTL, ""},
		{"deny", decision(EffectDeny, nil), false, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, "because deny"},
		{"deny without reasons", Decision{Effect: EffectDeny}, false, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, ""},
		{"unknown effect fails closed", Decision{Effect: "maybe"}, false, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, ""},
		{"review", decision(EffectReview, reviewReq(30*time.Minute)), false, StatePending,
			[]string{EventSubmitted, EventDecided}, 30 * time.Minute, ""},
		{"review default ttl", decision(EffectReview, reviewReq(0)), false, StatePending,
			[]string{EventSubmitted, EventDecided}, DefaultTTL, ""},
		{"frozen allow", decision(EffectAllow, nil), true, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, ReasonAgentFrozen},
		{"frozen review", decision(EffectReview, reviewReq(time.Hour)), true, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, ReasonAgentFrozen},
		{"frozen deny", decision(EffectDeny, nil), true, StateDenied,
			[]string{EventSubmitted, EventDecided}, 0, ReasonAgentFrozen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := t0.In(time.FixedZone("CET", 3600))
			r, events := NewRequest(NewRequestParams{ID: "act_1", Action: testAction(), Owner: theAgent.Owner,
				Digest: testDigest, Decision: tt.d, Frozen: tt.frozen, Now: now})
			checkEvents(t, events, tt.wantEvents...)
			if r.State != tt.wantState {
				t.Errorf("State = %s, want %s", r.State, tt.wantState)
			}
			if r.ID != "act_1" || r.Agent != theAgent.Name || r.AgentOwner != theAgent.Owner || r.Digest != testDigest {
				t.Errorf("request = {%s %s %s %s}, want {act_1 %s %s %s}", r.ID, r.Agent, r.AgentOwner, r.Digest, theAgent.Name, theAgent.Owner, testDigest)
			}
			if !r.CreatedAt.Equal(t0) || r.CreatedAt.Location() != time.UTC {
				t.Errorf("CreatedAt = %v, want %v in UTC", r.CreatedAt, t0)
			}
			if r.Reviews == nil || len(r.Reviews) != 0 {
				t.Errorf("Reviews = %#v, want empty non-nil (renders as [])", r.Reviews)
			}
			if r.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", r.Reason, tt.wantReason)
			}
			switch tt.wantState {
			case StateApproved:
				if r.Grant == nil || r.Grant.Digest != testDigest || r.Grant.UsedAt != nil ||
					!r.Grant.IssuedAt.Equal(t0) || r.Grant.ExpiresAt.Sub(t0) != tt.wantExpires {
					t.Errorf("Grant = %+v, want digest %s issued %v for %v", r.Grant, testDigest, t0, tt.wantExpires)
				}
				if r.ExpiresAt != nil || r.ResolvedAt == nil {
					t.Errorf("ExpiresAt = %v, ResolvedAt = %v; want nil, set", r.ExpiresAt, r.ResolvedAt)
				}
			case StatePending:
				if r.Grant != nil || r.ResolvedAt != nil {
					t.Errorf("Grant = %+v, ResolvedAt = %v; want none while pending", r.Grant, r.ResolvedAt)
				}
				if r.ExpiresAt == nil || r.ExpiresAt.Sub(t0) != tt.wantExpires {
					t.Errorf("ExpiresAt = %v, want now + %v", r.ExpiresAt, tt.wantExpires)
				}
			case StateDenied:
				if r.Grant != nil || r.ExpiresAt != nil || r.ResolvedAt == nil || !r.ResolvedAt.Equal(t0) {
					t.Errorf("Grant %+v, ExpiresAt %v, ResolvedAt %v; want no grant, no expiry, resolved now", r.Grant, r.ExpiresAt, r.ResolvedAt)
				}
			}
			if tt.frozen {
				if r.Decision.Effect != EffectDeny || r.Decision.Review != nil || r.Decision.Reasons[0] != ReasonAgentFrozen {
					t.Errorf("frozen Decision = %+v, want deny, no review, reasons starting %q", r.Decision, ReasonAgentFrozen)
				}
				if !strings.Contains(string(events[1].Data), `"effect":"deny"`) || !strings.Contains(string(events[1].Data), ReasonAgentFrozen) {
					t.Errorf("decided event data = %s, want effect deny and %s", events[1].Data, ReasonAgentFrozen)
				}
				if tt.d.Reasons != nil && tt.d.Reasons[0] == ReasonAgentFrozen {
					t.Errorf("NewRequest changed the caller's Decision.Reasons")
				}
			}
			if events[0].Actor != "agent:etl-bot" || events[1].Actor != "policy" {
				t.Errorf("actors = %q, %q; want agent:etl-bot, policy", events[0].Actor, events[1].Actor)
			}
		})
	}
}

func TestCheckReviewer(t *testing.T) {
	t.Parallel()
	dba2 := ReviewRequirement{Thresholds: []Threshold{threshold("prod", 2, "group:dba")}}
	snapshot := threshold("prod", 1, "group:oncall")
	snapshot.Groups = map[string][]string{"oncall": {"oscar@example.com"}}
	tests := []struct {
		name     string
		req      ReviewRequirement
		prior    []Principal // approvals recorded first
		reviewer Principal
		want     string // error code; "" for eligible
	}{
		{"agent reviewer", dba2, nil, theAgent, EForbidden},
		{"agent reviewer named like a dba", dba2, nil, Principal{Kind: KindAgent, Name: dana.Name, Owner: "x@example.com"}, EForbidden},
		{"admin", dba2, nil, root, EForbidden},
		{"admin named like a dba", dba2, nil, Principal{Kind: KindAdmin, Name: dana.Name}, EForbidden},
		{"agent's owner", dba2, nil, olive, ESelfReview},
		{"on_behalf_of", dba2, nil, alice, ESelfReview},
		{"human named as the submitter", dba2, nil, Principal{Kind: KindHuman, Name: theAgent.Name, Groups: []string{"dba"}}, ESelfReview},
		{"owner under any_human", ReviewRequirement{Thresholds: []Threshold{threshold("r", 1, AnyHuman)}}, nil, olive, ESelfReview},
		{"same reviewer twice", dba2, []Principal{dana}, dana, EAlreadyReviewed},
		{"second dba", dba2, []Principal{dana}, dave, ""},
		{"not among approvers", dba2, nil, sam, ENotEligible},
		{"human without groups", dba2, nil, eve, ENotEligible},
		{"group via principal groups", dba2, nil, dana, ""},
		{"group via threshold snapshot", ReviewRequirement{Thresholds: []Threshold{snapshot}}, nil,
			Principal{Kind: KindHuman, Name: "oscar@example.com"}, ""},
		{"snapshot does not admit others", ReviewRequirement{Thresholds: []Threshold{snapshot}}, nil, dana, ENotEligible},
		{"email approver", ReviewRequirement{Thresholds: []Threshold{threshold("r", 1, "sam@example.com")}}, nil, sam, ""},
		{"other email", ReviewRequirement{Thresholds: []Threshold{threshold("r", 1, "sam@example.com")}}, nil, sue, ENotEligible},
		{"email is not a group", ReviewRequirement{Thresholds: []Threshold{threshold("r", 1, "sre")}}, nil, sam, ENotEligible},
		{"any_human", ReviewRequirement{Thresholds: []Threshold{threshold("r", 1, AnyHuman)}}, nil, eve, ""},
		{"eligible in second threshold", ReviewRequirement{Thresholds: []Threshold{
			threshold("a", 1, "group:dba"), threshold("b", 1, "group:sre")}}, nil, sue, ""},
		{"no thresholds", ReviewRequirement{}, nil, dana, ENotEligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := pendingRequest(t, tt.req)
			for _, p := range tt.prior {
				if _, err := review(r, p, VerdictApprove, ""); err != nil {
					t.Fatalf("prior review by %s: %v", p.Name, err)
				}
			}
			checkCode(t, r.CheckReviewer(tt.reviewer), tt.want)
			// Review applies the same rule and records nothing when refused.
			before := len(r.Reviews)
			events, err := review(r, tt.reviewer, VerdictApprove, "ok")
			checkCode(t, err, tt.want)
			if tt.want != "" && (len(events) != 0 || len(r.Reviews) != before) {
				t.Errorf("refused review left %d events and %d reviews, want 0 and %d", len(events), len(r.Reviews), before)
			}
		})
	}
}

func TestCheckReviewerNoReviewRequirement(t *testing.T) {
	t.Parallel()
	// A review decision without requirements can only expire: fail closed.
	r, _ := NewRequest(NewRequestParams{ID: "act_1", Action: testAction(), Owner: theAgent.Owner,
		Digest: testDigest, Decision: Decision{Effect: EffectReview}, Now: t0})
	checkCode(t, r.CheckReviewer(dana), ENotEligible)
	_, err := review(r, dana, VerdictApprove, "ok")
	checkCode(t, err, ENotEligible)
}

func TestCheckReviewerNotPending(t *testing.T) {
	t.Parallel()
	for _, effect := range []Effect{EffectAllow, EffectDeny} {
		r, _ := NewRequest(NewRequestParams{ID: "act_1", Action: testAction(), Owner: theAgent.Owner,
			Digest: testDigest, Decision: decision(effect, nil), Now: t0})
		checkCode(t, r.CheckReviewer(dana), ENotPending)
		// Only humans get as far as the state check.
		checkCode(t, r.CheckReviewer(theAgent), EForbidden)
	}
}

// Separation of duties must not be dodged by changing the case of an email.
func TestSelfReviewIgnoresCase(t *testing.T) {
	t.Parallel()
	r, _ := NewRequest(NewRequestParams{ID: "act_case", Action: Action{Kind: ActionCustom, Agent: "bot", OnBehalfOf: "Paul@Example.com",
		Payload: []byte(`{}`)}, Owner: "Olive@example.com", Digest: "sha256:x", Now: time.Unix(0, 0),
		Decision: Decision{Effect: EffectReview, Review: &ReviewRequirement{Thresholds: []Threshold{{Rule: "r", Approvers: []string{AnyHuman}, MinApprovals: 1}}}}})
	for _, name := range []string{"olive@example.com", "paul@example.com", "BOT"} {
		err := r.CheckReviewer(Principal{Kind: KindHuman, Name: name})
		if ErrorCode(err) != ESelfReview {
			t.Errorf("CheckReviewer(%s) = %v, want self_review", name, err)
		}
	}
}

// Two requests made from one decision must not share approvals.
func TestNewRequestCopiesReviewRequirement(t *testing.T) {
	t.Parallel()
	d := Decision{Effect: EffectReview, Review: &ReviewRequirement{Thresholds: []Threshold{{Rule: "r", Approvers: []string{AnyHuman}, MinApprovals: 2, ApprovedBy: []string{}}}}}
	mk := func(id string) *Request {
		r, _ := NewRequest(NewRequestParams{ID: id, Action: Action{Kind: ActionCustom, Agent: "bot", Payload: []byte(`{}`)},
			Owner: "olive@example.com", Digest: "sha256:x", Decision: d, Now: time.Unix(0, 0)})
		return r
	}
	a, b := mk("a"), mk("b")
	if _, err := a.Review(ReviewParams{Reviewer: Principal{Kind: KindHuman, Name: "dana@example.com"}, Verdict: VerdictApprove, Now: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if got := len(b.Decision.Review.Thresholds[0].ApprovedBy); got != 0 {
		t.Fatalf("b has %d approvals after a review of a", got)
	}
	if got := len(d.Review.Thresholds[0].ApprovedBy); got != 0 {
		t.Fatalf("the decision has %d approvals after a review", got)
	}
}

// Review and Execute check the clock themselves, not only through ExpireIfDue.
func TestDeadlinesCheckedWithoutExpireIfDue(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	human := Principal{Kind: KindHuman, Name: "dana@example.com"}
	r, _ := NewRequest(NewRequestParams{ID: "p", Action: Action{Kind: ActionCustom, Agent: "bot", Payload: []byte(`{}`)}, Owner: "o@example.com",
		Digest: "sha256:x", Now: t0, Decision: Decision{Effect: EffectReview, Review: &ReviewRequirement{TTL: time.Minute,
			Thresholds: []Threshold{{Rule: "r", Approvers: []string{AnyHuman}, MinApprovals: 1}}}}})
	if _, err := r.Review(ReviewParams{Reviewer: human, Verdict: VerdictApprove, Now: t0.Add(time.Minute)}); ErrorCode(err) != EExpired {
		t.Fatalf("review at the deadline: %v, want expired", err)
	}
	g, _ := NewRequest(NewRequestParams{ID: "g", Action: Action{Kind: ActionCustom, Agent: "bot", Payload: []byte(`{}`)}, Owner: "o@example.com",
		Digest: "sha256:x", Now: t0, Decision: Decision{Effect: EffectAllow, GrantTTL: time.Minute}})
	if _, err := g.Execute("sha256:x", Principal{Kind: KindAgent, Name: "bot"}, t0.Add(time.Minute)); ErrorCode(err) != EExpired {
		t.Fatalf("execute at the grant's end: %v, want expired", err)
	}
}
