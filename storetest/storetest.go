// Package storetest is the conformance suite of countersign.Store: every
// implementation runs Run and must pass it.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) countersign.Store {
//			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// Run runs the conformance suite. newStore must return an empty store that no
// other test uses and close it when t ends (t.Cleanup); the subtests run in
// parallel, each with its own store.
func Run(t *testing.T, newStore func(t *testing.T) countersign.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, countersign.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateBuildError", testCreateBuildError},
		{"CreateDuplicateID", testCreateDuplicateID},
		{"Idempotency", testIdempotency},
		{"List", testList},
		{"ListArguments", testListArguments},
		{"Update", testUpdate},
		{"UpdateRollback", testUpdateRollback},
		{"UpdateNotFound", testUpdateNotFound},
		{"DueRequests", testDueRequests},
		{"Keys", testKeys},
		{"Bootstrap", testBootstrap},
		{"Freeze", testFreeze},
		{"Events", testEvents},
		{"Ping", testPing},
		{"CountRequests", testCountRequests},
		{"Ledger", testLedger},
		{"HitWindow", testHitWindow},
		{"HitKeys", testHitKeys},
		{"HitDiscard", testHitDiscard},
		{"HitConcurrent", testHitConcurrent},
		{"HitInvalid", testHitInvalid},
		{"HitMax", testHitMax},
		{"HitsInCreateRequest", testHitsInCreateRequest},
		{"Outbox", testOutbox},
		{"OutboxConcurrentClaim", testOutboxConcurrentClaim},
		{"RaceLedger", testRaceLedger},
		{"RaceGrantConsumption", testRaceGrantConsumption},
		{"RaceReviews", testRaceReviews},
		{"RaceBootstrap", testRaceBootstrap},
		{"RaceIdempotency", testRaceIdempotency},
		{"RaceFreeze", testRaceFreeze},
		{"RaceEventTail", testRaceEventTail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// t0 has nanoseconds so that a store that rounds times fails.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)

const (
	agentName = "bot"
	ownerName = "owner@example.com"
)

var agent = countersign.Principal{Kind: countersign.KindAgent, Name: agentName, Owner: ownerName}

func human(i int) countersign.Principal {
	return countersign.Principal{Kind: countersign.KindHuman, Name: fmt.Sprintf("h%d@example.com", i)}
}

var (
	allow  = countersign.Decision{Effect: countersign.EffectAllow, Rules: []string{"reads"}, PolicyDigest: "sha256:p"}
	deny   = countersign.Decision{Effect: countersign.EffectDeny, Rules: []string{"no"}, Reasons: []string{"not allowed"}}
	review = countersign.Decision{Effect: countersign.EffectReview, Rules: []string{"r"},
		Review: &countersign.ReviewRequirement{Thresholds: []countersign.Threshold{
			{Rule: "r", Approvers: []string{countersign.AnyHuman}, MinApprovals: 2},
		}}}
)

// params describes a request made by NewRequest for agentName.
func params(id, agentName string, d countersign.Decision, now time.Time) countersign.NewRequestParams {
	a := countersign.Action{
		Kind: countersign.ActionSQL, Agent: agentName, Environment: "production",
		Payload: json.RawMessage(`{"sql":"select 1"}`), Labels: map[string]string{"ticket": "OPS-1"},
	}
	digest, err := a.Digest()
	if err != nil {
		panic(err)
	}
	// Copy the decision so that requests never share its review requirement.
	if d.Review != nil {
		rv := *d.Review
		rv.Thresholds = append([]countersign.Threshold(nil), rv.Thresholds...)
		d.Review = &rv
	}
	return countersign.NewRequestParams{ID: id, Action: a, Owner: ownerName, Digest: digest, Decision: d, Now: now}
}

// build returns a Build function that opens the request np describes.
func build(np countersign.NewRequestParams) func(bool, []int) (*countersign.Request, []countersign.Event, error) {
	return func(frozen bool, _ []int) (*countersign.Request, []countersign.Event, error) {
		np.Frozen = frozen
		r, events := countersign.NewRequest(np)
		return r, events, nil
	}
}

// create opens the request np describes and fails the test if it cannot.
func create(t *testing.T, s countersign.Store, np countersign.NewRequestParams) *countersign.Request {
	t.Helper()
	r, created, err := s.CreateRequest(context.Background(), countersign.CreateRequestParams{
		Agent: np.Action.Agent, IdempotencyKey: np.Action.IdempotencyKey, Build: build(np),
	})
	if err != nil || !created {
		t.Fatalf("CreateRequest(%s) = created %v, err %v; want true, nil", np.ID, created, err)
	}
	return r
}

// allEvents returns every event in the store, paging through Events.
func allEvents(t *testing.T, s countersign.Store) []countersign.Event {
	t.Helper()
	var out []countersign.Event
	after := int64(0)
	for {
		page, err := s.Events(context.Background(), after, 3)
		if err != nil {
			t.Fatalf("Events(%d, 3): %v", after, err)
		}
		if len(page) == 0 {
			return out
		}
		for _, e := range page {
			if e.Seq <= after {
				t.Fatalf("Events(%d, 3) returned seq %d, want > %d and increasing", after, e.Seq, after)
			}
			after = e.Seq
		}
		out = append(out, page...)
	}
}

// countEvents counts the events of type typ (any type when "") of action id
// (any action when "").
func countEvents(events []countersign.Event, typ, id string) int {
	n := 0
	for _, e := range events {
		if (typ == "" || e.Type == typ) && (id == "" || e.ActionID == id) {
			n++
		}
	}
	return n
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := countersign.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
	}
}

func getRequest(t *testing.T, s countersign.Store, id string) *countersign.Request {
	t.Helper()
	r, err := s.Request(context.Background(), id)
	if err != nil {
		t.Fatalf("Request(%s): %v", id, err)
	}
	return r
}

// equalJSON reports whether a and b marshal alike, with a diff-friendly form.
func equalJSON(a, b any) (string, string, bool) {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x), string(y), string(x) == string(y)
}
