package countersign

import (
	"encoding/json"
	"time"
)

// The JSON shapes of the HTTP API, shared by httpapi and client so that both
// ends agree by construction. docs/api.md describes them.

// SubmitInput is the body of POST /v1/actions: an Action less the fields the
// server sets.
type SubmitInput struct {
	Kind           ActionKind        `json:"kind"`
	OnBehalfOf     string            `json:"on_behalf_of,omitempty"`
	Environment    string            `json:"environment,omitempty"`
	Resource       string            `json:"resource,omitempty"`
	Summary        string            `json:"summary,omitempty"`
	Payload        json.RawMessage   `json:"payload"`
	Labels         map[string]string `json:"labels,omitempty"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	// Execute asks the server to use the grant at once when the request is
	// approved (by policy, or earlier by reviewers): the answer's Executed
	// says whether this submission used it, and the caller then runs the
	// action. Not part of the action or its digest.
	Execute bool `json:"execute,omitempty"`
}

// Action returns the action the input describes, without an agent.
func (in SubmitInput) Action() Action {
	return Action{Kind: in.Kind, OnBehalfOf: in.OnBehalfOf, Environment: in.Environment, Resource: in.Resource,
		Summary: in.Summary, Payload: in.Payload, Labels: in.Labels, IdempotencyKey: in.IdempotencyKey}
}

// SubmitResult is the answer to POST /v1/actions: what policy decided and
// what to execute. Its fields carry the same names as RequestView's.
type SubmitResult struct {
	ID        string     `json:"id"`
	State     State      `json:"state"`
	Decision  Effect     `json:"decision"`
	Rules     []string   `json:"rules"`
	Reasons   []string   `json:"reasons"`
	Reason    string     `json:"reason,omitempty"`
	Digest    string     `json:"digest"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Approvals Progress   `json:"approvals"`
	// Executed is true when this submission (with Execute) used the grant:
	// the caller runs the action now. A request already executed by an
	// earlier call has state executed and Executed false.
	Executed bool `json:"executed,omitempty"`
}

// SubmitResult returns the answer to a submission of r.
func (r *Request) SubmitResult() SubmitResult {
	v := SubmitResult{ID: r.ID, State: r.State, Decision: r.Decision.Effect, Rules: r.Decision.Rules,
		Reasons: r.Decision.Reasons, Reason: r.Reason, Digest: r.Digest, ExpiresAt: r.DueAt()}
	if v.Rules == nil {
		v.Rules = []string{}
	}
	if v.Reasons == nil {
		v.Reasons = []string{}
	}
	v.Approvals.Got, v.Approvals.Want = r.Approvals()
	return v
}

// Progress counts approvals toward every threshold: Got of Want.
type Progress struct {
	Got  int `json:"got"`
	Want int `json:"want"`
}

// RequestView is a request as the API shows it.
type RequestView struct {
	ID              string          `json:"id"`
	Agent           string          `json:"agent"`
	AgentOwner      string          `json:"agent_owner"`
	Action          Action          `json:"action"`
	Digest          string          `json:"digest"`
	State           State           `json:"state"`
	Decision        Effect          `json:"decision"`
	Rules           []string        `json:"rules"`
	Reasons         []string        `json:"reasons"`
	PolicyDigest    string          `json:"policy_digest"`
	Reason          string          `json:"reason,omitempty"`
	Reviews         []Review        `json:"reviews"`
	Thresholds      []Threshold     `json:"thresholds"`
	RejectThreshold int             `json:"reject_threshold,omitempty"`
	RequireReason   bool            `json:"require_reason,omitempty"`
	Approvals       Progress        `json:"approvals"`
	ExpiresAt       *time.Time      `json:"expires_at,omitempty"`
	Grant           *Grant          `json:"grant,omitempty"`
	Result          json.RawMessage `json:"result,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	ResolvedAt      *time.Time      `json:"resolved_at,omitempty"`
	// Facts are what the analysers found the action does (see docs/policy.md).
	Facts json.RawMessage `json:"facts,omitempty"`
}

// View returns the API form of r. ExpiresAt is the next deadline: the end of
// the review window while pending, of the grant while approved.
func (r *Request) View() RequestView {
	v := RequestView{
		ID: r.ID, Agent: r.Agent, AgentOwner: r.AgentOwner, Action: r.Action, Digest: r.Digest, State: r.State,
		Decision: r.Decision.Effect, Rules: r.Decision.Rules, Reasons: r.Decision.Reasons, Facts: r.Decision.Facts,
		PolicyDigest: r.Decision.PolicyDigest, Reason: r.Reason, Reviews: r.Reviews, Thresholds: []Threshold{},
		ExpiresAt: r.DueAt(), Grant: r.Grant, Result: r.Result,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ResolvedAt: r.ResolvedAt,
	}
	v.Action.IdempotencyKey = r.Action.IdempotencyKey
	if v.Rules == nil {
		v.Rules = []string{}
	}
	if v.Reasons == nil {
		v.Reasons = []string{}
	}
	if v.Reviews == nil {
		v.Reviews = []Review{}
	}
	if rv := r.Decision.Review; rv != nil {
		v.Thresholds = rv.Thresholds
		v.RejectThreshold = rv.RejectThreshold
		v.RequireReason = rv.RequireReason
	}
	v.Approvals.Got, v.Approvals.Want = r.Approvals()
	return v
}

// RequestList is the body of GET /v1/actions.
type RequestList struct {
	Requests   []RequestView `json:"requests"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// ReviewInput is the body of POST /v1/actions/{id}/reviews.
type ReviewInput struct {
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason,omitempty"`
	Channel string  `json:"channel,omitempty"` // api (default), cli or web
}

// ExecuteInput is the body of POST /v1/actions/{id}/execute.
type ExecuteInput struct {
	Digest string `json:"digest"`
}

// CancelInput is the body of POST /v1/actions/{id}/cancel.
type CancelInput struct {
	Reason string `json:"reason,omitempty"`
}

// PolicyTestInput is the body of POST /v1/policy/test. Agents test as
// themselves; admins and humans name the agent in the action.
type PolicyTestInput struct {
	Action     Action `json:"action"`
	AgentOwner string `json:"agent_owner,omitempty"`
}

// KeyInput is the body of POST /v1/keys.
type KeyInput struct {
	Kind    PrincipalKind `json:"kind"`
	Name    string        `json:"name"`
	Owner   string        `json:"owner,omitempty"`
	Groups  []string      `json:"groups,omitempty"`
	Gateway bool          `json:"gateway,omitempty"` // see Principal.Gateway
}

// CreatedKey is the answer to POST /v1/keys: the secret is shown only here.
type CreatedKey struct {
	Key    Key    `json:"key"`
	Secret string `json:"secret"`
}

// KeyList is the body of GET /v1/keys.
type KeyList struct {
	Keys []Key `json:"keys"`
}

// AgentState is the answer to freeze and unfreeze.
type AgentState struct {
	Agent  string `json:"agent"`
	Frozen bool   `json:"frozen"`
}

// ErrorBody is the body of every error answer.
type ErrorBody struct {
	Error Error `json:"error"`
}

// ProofView is the answer to the evidence proof calls: the proof's hashes
// (base64 in JSON) and the sizes or index it is for.
type ProofView struct {
	Index  *uint64  `json:"index,omitempty"`
	Size   *uint64  `json:"size,omitempty"`
	Old    *uint64  `json:"old,omitempty"`
	New    *uint64  `json:"new,omitempty"`
	Hashes [][]byte `json:"hashes"`
}

// IndexView is the answer to GET /v1/evidence/index.
type IndexView struct {
	Index uint64 `json:"index"`
}

// EvidenceKeyView is the answer to GET /v1/evidence/key.
type EvidenceKeyView struct {
	Origin      string `json:"origin"`
	VerifierKey string `json:"verifier_key"`
}

// OfflineView is the answer to GET /v1/policy/offline: the action kinds the
// policy's offline_allow lets hooks allow while the server cannot be reached.
type OfflineView struct {
	Allow []ActionKind `json:"allow"`
	// Note states Allow as of now, signed with the evidence key, for hooks
	// to remember (see hooks.SignOffline); absent without a signing key.
	Note string `json:"note,omitempty"`
}
