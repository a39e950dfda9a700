package countersign

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReviewApprovesWhenThresholdMet(t *testing.T) {
	t.Parallel()
	r := pendingRequest(t, ReviewRequirement{Thresholds: []Threshold{threshold("prod", 2, "group:dba")}})

	events, err := review(r, dana, VerdictApprove, "looks fine")
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, events, EventReviewed)
	if r.State != StatePending || r.Grant != nil {
		t.Fatalf("after 1 of 2 approvals: state %s, grant %+v; want pending, none", r.State, r.Grant)
	}
	if got, want := r.Reviews, []Review{{Reviewer: dana.Name, Verdict: VerdictApprove, Reason: "looks fine",
		Channel: "api", At: t0.Add(time.Minute)}}; !slices.Equal(got, want) {
		t.Errorf("Reviews = %+v, want %+v", got, want)
	}
	if got, want := events[0].Actor, "human:"+dana.Name; got != want {
		t.Errorf("actor = %q, want %q", got, want)
	}
	if got, want := approvalsOf(r), "1/2"; got != want {
		t.Errorf("Approvals() = %s, want %s", got, want)
	}

	events, err = review(r, dave, VerdictApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, events, EventReviewed, EventApproved, EventGrantIssued)
	if r.State != StateApproved {
		t.Fatalf("State = %s, want approved", r.State)
	}
	now := t0.Add(time.Minute)
	if r.Grant == nil || r.Grant.Digest != testDigest || !r.Grant.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Errorf("Grant = %+v, want digest %s expiring at %v", r.Grant, testDigest, now.Add(5*time.Minute))
	}
	if r.ResolvedAt == nil || !r.ResolvedAt.Equal(now) {
		t.Errorf("ResolvedAt = %v, want %v", r.ResolvedAt, now)
	}
	if got, want := r.Decision.Review.Thresholds[0].ApprovedBy, []string{dana.Name, dave.Name}; !slices.Equal(got, want) {
		t.Errorf("ApprovedBy = %v, want %v", got, want)
	}
	if !strings.Contains(string(events[1].Data), dana.Name) || !strings.Contains(string(events[1].Data), dave.Name) {
		t.Errorf("approved event data = %s, want both approvers", events[1].Data)
	}
	if got, want := approvalsOf(r), "2/2"; got != want {
		t.Errorf("Approvals() = %s, want %s", got, want)
	}

	// Reviews after resolution are refused.
	_, err = review(r, sam, VerdictReject, "too late")
	checkCode(t, err, ENotPending)
	if len(r.Reviews) != 2 {
		t.Errorf("len(Reviews) = %d after a refused review, want 2", len(r.Reviews))
	}
}

func TestReviewReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		requireReason bool
		verdict       Verdict
		reason        string
		want          string // error code
		wantState     State
	}{
		{"approve without reason", false, VerdictApprove, "", "", StateApproved},
		{"approve needs reason", true, VerdictApprove, "", EInvalid, StatePending},
		{"approve blank reason", true, VerdictApprove, " \n\t", EInvalid, StatePending},
		{"approve with reason", true, VerdictApprove, "ticket OPS-123", "", StateApproved},
		{"reject needs reason", false, VerdictReject, "", EInvalid, StatePending},
		{"reject blank reason", false, VerdictReject, "   ", EInvalid, StatePending},
		{"reject with reason", false, VerdictReject, "no ticket", "", StateRejected},
		{"reason too long", false, VerdictReject, strings.Repeat("x", 4097), EInvalid, StatePending},
		{"reason at limit", false, VerdictReject, strings.Repeat("x", 4096), "", StateRejected},
		{"unknown verdict", false, "abstain", "meh", EInvalid, StatePending},
		{"empty verdict", false, "", "meh", EInvalid, StatePending},
		{"verdict case matters", false, "APPROVE", "ok", EInvalid, StatePending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := pendingRequest(t, ReviewRequirement{RequireReason: tt.requireReason,
				Thresholds: []Threshold{threshold("prod", 1, "group:dba")}})
			events, err := review(r, dana, tt.verdict, tt.reason)
			checkCode(t, err, tt.want)
			if r.State != tt.wantState {
				t.Errorf("State = %s, want %s", r.State, tt.wantState)
			}
			if err != nil && (len(events) != 0 || len(r.Reviews) != 0) {
				t.Errorf("refused review left %d events, %d reviews; want none", len(events), len(r.Reviews))
			}
		})
	}
}

func TestReviewReasonIsTrimmed(t *testing.T) {
	t.Parallel()
	r := pendingRequest(t, ReviewRequirement{Thresholds: []Threshold{threshold("prod", 1, "group:dba")}})
	if _, err := review(r, dana, VerdictReject, "  not today \n"); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Reviews[0].Reason, "not today"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
	if r.Reason != "not today" {
		t.Errorf("request Reason = %q, want the rejection reason", r.Reason)
	}
}

func TestReviewRejectThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		rejectThreshold int
		rejectionsToEnd int
	}{
		{"default is one", 0, 1},
		{"negative is default", -1, 1},
		{"one", 1, 1},
		{"two", 2, 2},
	}
	reviewers := []Principal{dana, dave, sam}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := pendingRequest(t, ReviewRequirement{RejectThreshold: tt.rejectThreshold,
				Thresholds: []Threshold{threshold("prod", 3, "group:dba", "group:sre")}})
			for i := 1; i <= tt.rejectionsToEnd; i++ {
				events, err := review(r, reviewers[i-1], VerdictReject, "no")
				if err != nil {
					t.Fatalf("rejection %d: %v", i, err)
				}
				if i < tt.rejectionsToEnd {
					checkEvents(t, events, EventReviewed)
					if r.State != StatePending {
						t.Fatalf("after %d of %d rejections: State = %s, want pending", i, tt.rejectionsToEnd, r.State)
					}
					continue
				}
				checkEvents(t, events, EventReviewed, EventRejected)
				if r.State != StateRejected || r.ResolvedAt == nil || r.Grant != nil {
					t.Errorf("State %s, ResolvedAt %v, Grant %+v; want rejected, resolved, no grant", r.State, r.ResolvedAt, r.Grant)
				}
			}
			_, err := review(r, sue, VerdictApprove, "")
			checkCode(t, err, ENotPending)
		})
	}
}

func TestReviewRejectionDoesNotBlockApproval(t *testing.T) {
	t.Parallel()
	// reject_threshold 2: one rejection leaves the request pending, and
	// enough approvals still approve it.
	r := pendingRequest(t, ReviewRequirement{RejectThreshold: 2,
		Thresholds: []Threshold{threshold("prod", 2, "group:dba")}})
	for _, step := range []struct {
		p       Principal
		verdict Verdict
		want    State
	}{{dana, VerdictReject, StatePending}, {dave, VerdictApprove, StatePending}} {
		if _, err := review(r, step.p, step.verdict, "because"); err != nil {
			t.Fatal(err)
		}
		if r.State != step.want {
			t.Fatalf("after %s %s: State = %s, want %s", step.p.Name, step.verdict, r.State, step.want)
		}
	}
	// dana rejected and cannot change her mind.
	_, err := review(r, dana, VerdictApprove, "")
	checkCode(t, err, EAlreadyReviewed)
	r.Decision.Review.Thresholds[0].Approvers = append(r.Decision.Review.Thresholds[0].Approvers, sam.Name)
	if _, err := review(r, sam, VerdictApprove, ""); err != nil {
		t.Fatal(err)
	}
	if r.State != StateApproved {
		t.Errorf("State = %s, want approved", r.State)
	}
}

func TestReviewTwoThresholds(t *testing.T) {
	t.Parallel()
	r := pendingRequest(t, ReviewRequirement{Thresholds: []Threshold{
		threshold("dba-review", 1, "group:dba"),
		threshold("sre-review", 1, "group:sre"),
	}})
	steps := []struct {
		p          Principal
		wantState  State
		wantEvents []string
		wantCount  string
	}{
		{dana, StatePending, []string{EventReviewed}, "1/2"},
		// dba is already met: dave's approval is recorded but counts nowhere.
		{dave, StatePending, []string{EventReviewed}, "1/2"},
		{sam, StateApproved, []string{EventReviewed, EventApproved, EventGrantIssued}, "2/2"},
	}
	for _, s := range steps {
		events, err := review(r, s.p, VerdictApprove, "")
		if err != nil {
			t.Fatalf("%s: %v", s.p.Name, err)
		}
		checkEvents(t, events, s.wantEvents...)
		if r.State != s.wantState || approvalsOf(r) != s.wantCount {
			t.Errorf("after %s: State %s, Approvals %s; want %s, %s", s.p.Name, r.State, approvalsOf(r), s.wantState, s.wantCount)
		}
	}
	th := r.Decision.Review.Thresholds
	if !slices.Equal(th[0].ApprovedBy, []string{dana.Name}) || !slices.Equal(th[1].ApprovedBy, []string{sam.Name}) {
		t.Errorf("ApprovedBy = %v, %v; want [dana], [sam]", th[0].ApprovedBy, th[1].ApprovedBy)
	}
}

// TestReviewOneHumanInTwoThresholds documents that a human admitted by two
// thresholds counts toward both with one approval.
func TestReviewOneHumanInTwoThresholds(t *testing.T) {
	t.Parallel()
	both := Principal{Kind: KindHuman, Name: "bo@example.com", Groups: []string{"dba", "sre"}}
	r := pendingRequest(t, ReviewRequirement{Thresholds: []Threshold{
		threshold("dba-review", 1, "group:dba"),
		threshold("sre-review", 1, "group:sre"),
	}})
	events, err := review(r, both, VerdictApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, events, EventReviewed, EventApproved, EventGrantIssued)
	if r.State != StateApproved {
		t.Errorf("State = %s, want approved", r.State)
	}
}

func TestReviewGroupSnapshotCounts(t *testing.T) {
	t.Parallel()
	th := threshold("prod", 2, "group:dba")
	th.Groups = map[string][]string{"dba": {"pat@example.com"}}
	r := pendingRequest(t, ReviewRequirement{Thresholds: []Threshold{th}})
	// pat is a dba by the policy snapshot, dana by her key's groups.
	pat := Principal{Kind: KindHuman, Name: "pat@example.com"}
	for _, p := range []Principal{pat, dana} {
		if _, err := review(r, p, VerdictApprove, ""); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
	}
	if r.State != StateApproved {
		t.Errorf("State = %s, want approved", r.State)
	}
}

func approvalsOf(r *Request) string {
	got, want := r.Approvals()
	return fmt.Sprintf("%d/%d", got, want)
}
