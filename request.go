package countersign

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Effect is what policy decides for an action.
type Effect string

// The effects, in increasing precedence: deny overrides review overrides allow.
const (
	EffectAllow  Effect = "allow"
	EffectReview Effect = "review"
	EffectDeny   Effect = "deny"
)

// Rank orders effects by precedence; an unknown effect ranks as deny.
func (e Effect) Rank() int {
	switch e {
	case EffectAllow:
		return 0
	case EffectReview:
		return 1
	default:
		return 2
	}
}

// Defaults for review requirements when a rule does not say.
const (
	DefaultTTL             = time.Hour
	DefaultGrantTTL        = 15 * time.Minute
	DefaultRejectThreshold = 1
)

// Decision is policy's verdict on one action.
type Decision struct {
	Effect       Effect             `json:"effect"`
	Rules        []string           `json:"rules"`
	Reasons      []string           `json:"reasons"`
	PolicyDigest string             `json:"policy_digest"`
	Review       *ReviewRequirement `json:"review,omitempty"`
	GrantTTL     time.Duration      `json:"grant_ttl"`
	// Facts are what the analysers found the action does, keyed by analyser
	// ("sql", "shell", "mcp", "http"), as RFC 8785 canonical JSON; policy
	// judged them, and reviewers and the evidence see them.
	Facts json.RawMessage `json:"facts,omitempty"`
}

// ReviewRequirement is what a review decision asks of humans, merged from
// every matching review rule.
type ReviewRequirement struct {
	Thresholds      []Threshold   `json:"thresholds"`
	RejectThreshold int           `json:"reject_threshold"`
	RequireReason   bool          `json:"require_reason"`
	TTL             time.Duration `json:"ttl"`
	Notify          []string      `json:"notify,omitempty"`
}

// clone returns a deep copy, so that requests made from one decision never
// share their approvals.
func (rr *ReviewRequirement) clone() *ReviewRequirement {
	c := *rr
	c.Notify = slices.Clone(rr.Notify)
	c.Thresholds = make([]Threshold, len(rr.Thresholds))
	for i, t := range rr.Thresholds {
		t.Approvers = slices.Clone(t.Approvers)
		t.ApprovedBy = append([]string{}, t.ApprovedBy...)
		if t.Groups != nil {
			g := make(map[string][]string, len(t.Groups))
			for k, v := range t.Groups {
				g[k] = slices.Clone(v)
			}
			t.Groups = g
		}
		c.Thresholds[i] = t
	}
	return &c
}

// AnyHuman is the approver entry that admits every eligible human.
const AnyHuman = "any_human"

// Threshold is one review rule's demand: MinApprovals distinct eligible humans
// among Approvers. Approvers holds "group:NAME", an email, or AnyHuman; Groups
// snapshots the policy's members of each named group when the request was made.
type Threshold struct {
	Rule         string              `json:"rule"`
	Approvers    []string            `json:"approvers"`
	Groups       map[string][]string `json:"groups,omitempty"`
	MinApprovals int                 `json:"min_approvals"`
	ApprovedBy   []string            `json:"approved_by"`
}

// Admits reports whether human p may count toward this threshold. Emails
// compare without regard to case.
func (t Threshold) Admits(p Principal) bool {
	same := func(s string) bool { return strings.EqualFold(s, p.Name) }
	for _, a := range t.Approvers {
		switch {
		case a == AnyHuman:
			return true
		case strings.HasPrefix(a, "group:"):
			g := a[len("group:"):]
			if p.InGroup(g) || slices.ContainsFunc(t.Groups[g], same) {
				return true
			}
		case same(a):
			return true
		}
	}
	return false
}

// Met reports whether the threshold has enough approvals.
func (t Threshold) Met() bool { return len(t.ApprovedBy) >= t.MinApprovals }

// State is where a request is in its life.
type State string

// The request states. Pending, approved are live; the rest are final.
const (
	StatePending   State = "pending"
	StateApproved  State = "approved"
	StateExecuted  State = "executed"
	StateDenied    State = "denied"
	StateRejected  State = "rejected"
	StateExpired   State = "expired"
	StateCancelled State = "cancelled"
)

// Final reports whether no further transition is possible.
func (s State) Final() bool { return s != StatePending && s != StateApproved }

// ValidState reports whether s names a state.
func ValidState(s State) bool {
	switch s {
	case StatePending, StateApproved, StateExecuted, StateDenied, StateRejected, StateExpired, StateCancelled:
		return true
	}
	return false
}

// Verdict is a reviewer's answer.
type Verdict string

// The verdicts.
const (
	VerdictApprove Verdict = "approve"
	VerdictReject  Verdict = "reject"
)

// Review is one human's verdict on a request.
type Review struct {
	Reviewer    string    `json:"reviewer"`
	Verdict     Verdict   `json:"verdict"`
	Reason      string    `json:"reason,omitempty"`
	Channel     string    `json:"channel"`
	ChannelUser string    `json:"channel_user,omitempty"`
	At          time.Time `json:"at"`
}

// Grant is the one-time permission an approval issues, bound to a digest.
type Grant struct {
	Digest    string     `json:"digest"`
	IssuedAt  time.Time  `json:"issued_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// Request is an action and everything that happened to it.
type Request struct {
	ID         string          `json:"id"`
	Action     Action          `json:"action"`
	Agent      string          `json:"agent"`
	AgentOwner string          `json:"agent_owner"`
	Digest     string          `json:"digest"`
	State      State           `json:"state"`
	Decision   Decision        `json:"decision"`
	Reviews    []Review        `json:"reviews"`
	Grant      *Grant          `json:"grant,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	ExpiresAt  *time.Time      `json:"expires_at,omitempty"`
	ResolvedAt *time.Time      `json:"resolved_at,omitempty"`
	Reason     string          `json:"reason,omitempty"`
}

// DueAt is the next moment at which the request expires on its own: the end
// of its review window while pending, of its grant while approved.
func (r *Request) DueAt() *time.Time {
	switch r.State {
	case StatePending:
		return r.ExpiresAt
	case StateApproved:
		if r.Grant != nil {
			t := r.Grant.ExpiresAt
			return &t
		}
	}
	return nil
}

// Approvals returns how many thresholds are met and how many there are, for
// progress lines ("1/2").
func (r *Request) Approvals() (got, want int) {
	if r.Decision.Review == nil {
		return 0, 0
	}
	for _, t := range r.Decision.Review.Thresholds {
		got += min(len(t.ApprovedBy), t.MinApprovals)
		want += t.MinApprovals
	}
	return got, want
}

// WhyNot says why a request did not go ahead: its reason, the reviewers'
// rejections (each with its reviewer) and else the policy's reasons.
func WhyNot(reason string, reviews []Review, policy []string) string {
	var parts []string
	if reason != "" {
		parts = append(parts, reason)
	}
	for _, r := range reviews {
		if r.Verdict == VerdictReject && r.Reason != "" && r.Reason != reason {
			parts = append(parts, r.Reviewer+": "+r.Reason)
		}
	}
	if len(parts) == 0 {
		parts = policy
	}
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, "; ")
}
