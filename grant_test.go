package countersign

import (
	"github.com/gowebpki/jcs"

	"encoding/json"
	"strings"
	"testing"
	"time"
)

// requestIn returns a request in the given state, reached through the
// lifecycle functions themselves.
func requestIn(t *testing.T, s State) *Request {
	t.Helper()
	open := func(effect Effect) *Request {
		var req *ReviewRequirement
		if effect == EffectReview {
			req = &ReviewRequirement{TTL: time.Hour, Thresholds: []Threshold{threshold("prod", 1, "group:dba")}}
		}
		r, _ := NewRequest(NewRequestParams{ID: "act_1", Action: testAction(), Owner: theAgent.Owner,
			Digest: testDigest, Decision: decision(effect, req), Now: t0})
		return r
	}
	var r *Request
	var err error
	switch s {
	case StatePending:
		r = open(EffectReview)
	case StateApproved:
		r = open(EffectReview)
		_, err = review(r, dana, VerdictApprove, "")
	case StateExecuted:
		r = open(EffectAllow)
		_, err = r.Execute(testDigest, theAgent, t0.Add(time.Minute))
	case StateDenied:
		r = open(EffectDeny)
	case StateRejected:
		r = open(EffectReview)
		_, err = review(r, dana, VerdictReject, "no")
	case StateExpired:
		r = open(EffectReview)
		r.ExpireIfDue(t0.Add(time.Hour))
	case StateCancelled:
		r = open(EffectReview)
		_, err = r.Cancel(theAgent, "not needed", t0.Add(time.Minute))
	}
	if err != nil || r.State != s {
		t.Fatalf("requestIn(%s): state %s, err %v", s, r.State, err)
	}
	return r
}

func TestExecute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state  State
		digest string
		want   string
	}{
		{StateApproved, testDigest, ""},
		{StateApproved, "sha256:" + strings.Repeat("f", 64), EDigestMismatch},
		{StateApproved, "", EDigestMismatch},
		{StateApproved, strings.ToUpper(testDigest), EDigestMismatch},
		{StateExecuted, testDigest, EGrantUsed},
		{StatePending, testDigest, ENotApproved},
		{StateDenied, testDigest, ENotApproved},
		{StateRejected, testDigest, ENotApproved},
		{StateCancelled, testDigest, ENotApproved},
		{StateExpired, testDigest, EExpired},
	}
	for _, tt := range tests {
		t.Run(string(tt.state)+"/"+tt.digest, func(t *testing.T) {
			t.Parallel()
			r := requestIn(t, tt.state)
			now := t0.Add(2 * time.Minute)
			events, err := r.Execute(tt.digest, theAgent, now)
			checkCode(t, err, tt.want)
			if tt.want != "" {
				if len(events) != 0 || r.State != tt.state {
					t.Errorf("refused Execute: %d events, state %s; want none, %s", len(events), r.State, tt.state)
				}
				if tt.state == StateApproved && r.Grant.UsedAt != nil {
					t.Errorf("refused Execute marked the grant used")
				}
				return
			}
			checkEvents(t, events, EventExecuted)
			if r.State != StateExecuted || r.Grant.UsedAt == nil || !r.Grant.UsedAt.Equal(now) || !r.UpdatedAt.Equal(now) {
				t.Errorf("State %s, UsedAt %v, UpdatedAt %v; want executed at %v", r.State, r.Grant.UsedAt, r.UpdatedAt, now)
			}
			if got, want := events[0].Actor, "agent:etl-bot"; got != want {
				t.Errorf("actor = %q, want %q", got, want)
			}
			// Once only.
			_, err = r.Execute(tt.digest, theAgent, now)
			checkCode(t, err, EGrantUsed)
		})
	}
}

func TestExecuteAfterMismatchStillWorks(t *testing.T) {
	t.Parallel()
	r := requestIn(t, StateApproved)
	_, err := r.Execute("sha256:"+strings.Repeat("0", 64), theAgent, t0.Add(2*time.Minute))
	checkCode(t, err, EDigestMismatch)
	if _, err := r.Execute(testDigest, theAgent, t0.Add(2*time.Minute)); err != nil {
		t.Errorf("Execute with the right digest after a mismatch = %v, want nil", err)
	}
}

func TestExpireIfDue(t *testing.T) {
	t.Parallel()
	// requestIn: pending until t0+1h; approved at t0+1m with a 5m grant.
	grantEnd := t0.Add(time.Minute + 5*time.Minute)
	tests := []struct {
		name       string
		state      State
		now        time.Time
		wantExpire bool
	}{
		{"pending before window ends", StatePending, t0.Add(time.Hour - time.Nanosecond), false},
		{"pending at window end", StatePending, t0.Add(time.Hour), true},
		{"pending long after", StatePending, t0.Add(48 * time.Hour), true},
		{"approved before grant ends", StateApproved, grantEnd.Add(-time.Nanosecond), false},
		{"approved at grant end", StateApproved, grantEnd, true},
		{"approved past the review window", StateApproved, t0.Add(2 * time.Hour), true},
		{"executed", StateExecuted, t0.Add(48 * time.Hour), false},
		{"denied", StateDenied, t0.Add(48 * time.Hour), false},
		{"rejected", StateRejected, t0.Add(48 * time.Hour), false},
		{"cancelled", StateCancelled, t0.Add(48 * time.Hour), false},
		{"already expired", StateExpired, t0.Add(48 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := requestIn(t, tt.state)
			resolvedBefore := r.ResolvedAt
			events := r.ExpireIfDue(tt.now.In(time.FixedZone("PST", -8*3600)))
			if !tt.wantExpire {
				if len(events) != 0 || r.State != tt.state {
					t.Errorf("ExpireIfDue: %d events, state %s; want none, %s", len(events), r.State, tt.state)
				}
				return
			}
			checkEvents(t, events, EventExpired)
			if r.State != StateExpired || r.Reason == "" || !r.UpdatedAt.Equal(tt.now) || r.UpdatedAt.Location() != time.UTC {
				t.Errorf("State %s, Reason %q, UpdatedAt %v; want expired with a reason at %v UTC", r.State, r.Reason, r.UpdatedAt, tt.now)
			}
			if want := `{"from":"` + string(tt.state) + `"}`; string(events[0].Data) != want || events[0].Actor != "system" {
				t.Errorf("event data %s actor %q, want %s system", events[0].Data, events[0].Actor, want)
			}
			switch tt.state {
			case StatePending:
				if r.ResolvedAt == nil || !r.ResolvedAt.Equal(tt.now) {
					t.Errorf("ResolvedAt = %v, want %v", r.ResolvedAt, tt.now)
				}
			case StateApproved:
				if r.ResolvedAt != resolvedBefore {
					t.Errorf("ResolvedAt changed to %v, want the approval time kept", r.ResolvedAt)
				}
			}
			if r.DueAt() != nil || len(r.ExpireIfDue(tt.now.Add(time.Hour))) != 0 {
				t.Errorf("expired request is due again")
			}
			// Expiry fails closed.
			_, err := r.Execute(testDigest, theAgent, tt.now)
			checkCode(t, err, EExpired)
			checkCode(t, r.CheckReviewer(dave), ENotPending)
		})
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	otherAgent := Principal{Kind: KindAgent, Name: "other-bot", Owner: theAgent.Owner}
	ownerAsHuman := Principal{Kind: KindHuman, Name: theAgent.Name} // a human named like the agent
	tests := []struct {
		name  string
		state State
		by    Principal
		want  string
	}{
		{"submitting agent", StatePending, theAgent, ""},
		{"other agent", StatePending, otherAgent, EForbidden},
		{"agent's owner", StatePending, olive, EForbidden},
		{"human named like the agent", StatePending, ownerAsHuman, EForbidden},
		{"admin", StatePending, root, EForbidden},
		{"approved", StateApproved, theAgent, ENotPending},
		{"executed", StateExecuted, theAgent, ENotPending},
		{"denied", StateDenied, theAgent, ENotPending},
		{"expired", StateExpired, theAgent, ENotPending},
		{"cancelled", StateCancelled, theAgent, ENotPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := requestIn(t, tt.state)
			now := t0.Add(3 * time.Minute)
			events, err := r.Cancel(tt.by, "no longer needed", now)
			checkCode(t, err, tt.want)
			if tt.want != "" {
				if len(events) != 0 || r.State != tt.state {
					t.Errorf("refused Cancel: %d events, state %s; want none, %s", len(events), r.State, tt.state)
				}
				return
			}
			checkEvents(t, events, EventCancelled)
			if r.State != StateCancelled || r.Reason != "no longer needed" || r.ResolvedAt == nil || !r.ResolvedAt.Equal(now) {
				t.Errorf("State %s, Reason %q, ResolvedAt %v; want cancelled, reason, %v", r.State, r.Reason, r.ResolvedAt, now)
			}
			checkCode(t, r.CheckReviewer(dana), ENotPending)
		})
	}
}

func TestRecordResult(t *testing.T) {
	t.Parallel()
	otherAgent := Principal{Kind: KindAgent, Name: "other-bot", Owner: theAgent.Owner}
	good := json.RawMessage(`{"status":"ok","rows":12,"masked":["email"]}`)
	tests := []struct {
		name   string
		state  State
		by     Principal
		result json.RawMessage
		want   string
	}{
		{"executed", StateExecuted, theAgent, good, ""},
		{"empty object", StateExecuted, theAgent, json.RawMessage(`{}`), ""},
		{"other agent", StateExecuted, otherAgent, good, EForbidden},
		{"human", StateExecuted, olive, good, EForbidden},
		{"approved not executed", StateApproved, theAgent, good, ENotApproved},
		{"pending", StatePending, theAgent, good, ENotApproved},
		{"denied", StateDenied, theAgent, good, ENotApproved},
		{"expired", StateExpired, theAgent, good, ENotApproved},
		{"array", StateExecuted, theAgent, json.RawMessage(`[1]`), EInvalid},
		{"null", StateExecuted, theAgent, json.RawMessage(`null`), EInvalid},
		{"not json", StateExecuted, theAgent, json.RawMessage(`{`), EInvalid},
		{"nil", StateExecuted, theAgent, nil, EInvalid},
		{"duplicate member", StateExecuted, theAgent, json.RawMessage(`{"rows":1,"rows":2}`), EInvalid},
		{"lone surrogate", StateExecuted, theAgent, json.RawMessage(`{"s":"\ud800"}`), EInvalid},
		{"inexact number", StateExecuted, theAgent, json.RawMessage(`{"rows":9007199254740993}`), EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := requestIn(t, tt.state)
			now := t0.Add(4 * time.Minute)
			events, err := r.RecordResult(tt.by, tt.result, now)
			checkCode(t, err, tt.want)
			if tt.want != "" {
				if len(events) != 0 || len(r.Result) != 0 {
					t.Errorf("refused RecordResult: %d events, result %s; want none", len(events), r.Result)
				}
				return
			}
			checkEvents(t, events, EventResult)
			// Stored in RFC 8785 form, so that the evidence records it exactly.
			want, err := jcs.Transform(tt.result)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Result) != string(want) || string(events[0].Data) != string(want) || !r.UpdatedAt.Equal(now) {
				t.Errorf("Result %s, event data %s, UpdatedAt %v; want %s twice at %v", r.Result, events[0].Data, r.UpdatedAt, want, now)
			}
			if r.State != StateExecuted {
				t.Errorf("State = %s, want executed", r.State)
			}
			// Once only.
			_, err = r.RecordResult(tt.by, good, now)
			checkCode(t, err, EConflict)
			if string(r.Result) != string(want) {
				t.Errorf("second RecordResult changed the result to %s", r.Result)
			}
		})
	}
}
