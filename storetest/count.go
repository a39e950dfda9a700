package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/countersign/countersign"
)

func testCountRequests(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	if n, err := s.CountRequests(ctx, countersign.StatePending); err != nil || n != 0 {
		t.Fatalf("CountRequests on an empty store = %d, %v; want 0", n, err)
	}
	for i, d := range []countersign.Decision{review, review, allow, deny} {
		create(t, s, params(fmt.Sprintf("act_count_%d", i), agentName, d, t0))
	}
	for state, want := range map[countersign.State]int{countersign.StatePending: 2, countersign.StateApproved: 1,
		countersign.StateDenied: 1, countersign.StateExecuted: 0} {
		if n, err := s.CountRequests(ctx, state); err != nil || n != want {
			t.Errorf("CountRequests(%s) = %d, %v; want %d", state, n, err, want)
		}
	}
}
