package countersign

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestEffectRank(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    Effect
		want int
	}{{EffectAllow, 0}, {EffectReview, 1}, {EffectDeny, 2}, {"", 2}, {"ALLOW", 2}, {"maybe", 2}}
	for _, tt := range tests {
		if got := tt.e.Rank(); got != tt.want {
			t.Errorf("Effect(%q).Rank() = %d, want %d", tt.e, got, tt.want)
		}
	}
}

func TestStateFinalAndValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s         State
		wantFinal bool
		wantValid bool
	}{
		{StatePending, false, true}, {StateApproved, false, true}, {StateExecuted, true, true},
		{StateDenied, true, true}, {StateRejected, true, true}, {StateExpired, true, true},
		{StateCancelled, true, true}, {"", true, false}, {"Pending", true, false},
	}
	for _, tt := range tests {
		if got := tt.s.Final(); got != tt.wantFinal {
			t.Errorf("State(%q).Final() = %v, want %v", tt.s, got, tt.wantFinal)
		}
		if got := ValidState(tt.s); got != tt.wantValid {
			t.Errorf("ValidState(%q) = %v, want %v", tt.s, got, tt.wantValid)
		}
	}
}

func TestThresholdAdmits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		approvers []string
		groups    map[string][]string
		p         Principal
		want      bool
	}{
		{"group by key", []string{"group:dba"}, nil, dana, true},
		{"group by snapshot", []string{"group:dba"}, map[string][]string{"dba": {eve.Name}}, eve, true},
		{"snapshot of another group", []string{"group:dba"}, map[string][]string{"sre": {eve.Name}}, eve, false},
		{"not in group", []string{"group:dba"}, nil, sam, false},
		{"email", []string{sam.Name}, nil, sam, true},
		{"emails compare without case", []string{"Sam@example.com"}, nil, sam, true},
		{"any_human", []string{AnyHuman}, nil, eve, true},
		{"bare group name is an email", []string{"dba"}, nil, dana, false},
		{"empty group name admits nobody", []string{"group:"}, nil, Principal{Kind: KindHuman, Name: "group:"}, false},
		{"no approvers", nil, nil, dana, false},
		{"second entry", []string{"group:sre", sam.Name, "group:dba"}, nil, dana, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			th := Threshold{Approvers: tt.approvers, Groups: tt.groups, MinApprovals: 1}
			if got := th.Admits(tt.p); got != tt.want {
				t.Errorf("Admits(%s) with approvers %v = %v, want %v", tt.p.Name, tt.approvers, got, tt.want)
			}
		})
	}
}

func TestThresholdMet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		min        int
		approvedBy []string
		want       bool
	}{{2, nil, false}, {2, []string{"a"}, false}, {2, []string{"a", "b"}, true}, {1, []string{"a", "b"}, true}, {0, nil, true}}
	for _, tt := range tests {
		if got := (Threshold{MinApprovals: tt.min, ApprovedBy: tt.approvedBy}).Met(); got != tt.want {
			t.Errorf("Met() with min %d and %v = %v, want %v", tt.min, tt.approvedBy, got, tt.want)
		}
	}
}

func TestRequestApprovals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		review            *ReviewRequirement
		wantGot, wantWant int
	}{
		{"no review", nil, 0, 0},
		{"none yet", &ReviewRequirement{Thresholds: []Threshold{{MinApprovals: 2}}}, 0, 2},
		{"two thresholds", &ReviewRequirement{Thresholds: []Threshold{
			{MinApprovals: 2, ApprovedBy: []string{"a"}}, {MinApprovals: 1, ApprovedBy: []string{"b"}}}}, 2, 3},
		{"capped at min", &ReviewRequirement{Thresholds: []Threshold{{MinApprovals: 1, ApprovedBy: []string{"a", "b"}}}}, 1, 1},
	}
	for _, tt := range tests {
		r := &Request{Decision: Decision{Review: tt.review}}
		if got, want := r.Approvals(); got != tt.wantGot || want != tt.wantWant {
			t.Errorf("%s: Approvals() = %d/%d, want %d/%d", tt.name, got, want, tt.wantGot, tt.wantWant)
		}
	}
}

func TestRequestDueAt(t *testing.T) {
	t.Parallel()
	exp := t0.Add(time.Hour)
	grantEnd := t0.Add(time.Minute)
	tests := []struct {
		name string
		r    Request
		want *time.Time
	}{
		{"pending", Request{State: StatePending, ExpiresAt: &exp}, &exp},
		{"approved", Request{State: StateApproved, ExpiresAt: &exp, Grant: &Grant{ExpiresAt: grantEnd}}, &grantEnd},
		{"approved without grant", Request{State: StateApproved}, nil},
		{"executed", Request{State: StateExecuted, Grant: &Grant{ExpiresAt: grantEnd}}, nil},
		{"denied", Request{State: StateDenied, ExpiresAt: &exp}, nil},
	}
	for _, tt := range tests {
		got := tt.r.DueAt()
		if (got == nil) != (tt.want == nil) || (got != nil && !got.Equal(*tt.want)) {
			t.Errorf("%s: DueAt() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNewEvent(t *testing.T) {
	t.Parallel()
	at := t0.In(time.FixedZone("JST", 9*3600))
	tests := []struct {
		name     string
		data     any
		wantData string
	}{
		{"nil", nil, `{}`},
		{"map", map[string]any{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{"raw", json.RawMessage(`{"k":true}`), `{"k":true}`},
		{"unmarshalable data is recorded as an error", math.Inf(1), `{"marshal_error":"json: unsupported value: +Inf"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := NewEvent(EventExecuted, "act_1", "agent:bot", at, tt.data)
			if string(e.Data) != tt.wantData {
				t.Errorf("Data = %s, want %s", e.Data, tt.wantData)
			}
			if e.Seq != 0 || e.Type != EventExecuted || e.ActionID != "act_1" || e.Actor != "agent:bot" ||
				!e.Time.Equal(t0) || e.Time.Location() != time.UTC {
				t.Errorf("NewEvent = %+v, want seq 0, type, id, actor and time in UTC", e)
			}
		})
	}
}
