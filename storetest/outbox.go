package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// notifying is review with two notify targets.
func notifying() countersign.Decision {
	d := review
	rv := *review.Review
	rv.Notify = []string{"slack:#ops", "webhook:siem"}
	d.Review = &rv
	return d
}

func claim(t *testing.T, s countersign.Store, now time.Time, limit int) []countersign.OutboxItem {
	t.Helper()
	items, err := s.ClaimOutbox(context.Background(), now, time.Minute, limit)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	return items
}

func finish(t *testing.T, s countersign.Store, o countersign.OutboxItem, delivered bool, retry time.Time) {
	t.Helper()
	typ := countersign.EventNotified
	if !delivered {
		typ = countersign.EventNotifyFailed
	}
	ev := countersign.NewEvent(typ, o.RequestID, "system", t0, map[string]any{"target": o.Target})
	if err := s.FinishOutbox(context.Background(), o, delivered, retry, ev); err != nil {
		t.Fatalf("FinishOutbox(%d): %v", o.ID, err)
	}
}

func targets(items []countersign.OutboxItem) string {
	out := ""
	for _, o := range items {
		out += fmt.Sprintf("%s/%s/%d ", o.Target, o.EventType, o.Attempts)
	}
	return out
}

func testOutbox(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	create(t, s, params("req_allow", agentName, allow, t0))
	create(t, s, params("req_quiet", agentName, review, t0)) // no notify targets
	r := create(t, s, params("req_1", agentName, notifying(), t0))

	got := claim(t, s, t0, 10)
	if want := "slack:#ops/policy.decided/1 webhook:siem/policy.decided/1 "; targets(got) != want {
		t.Fatalf("first claim: %q, want %q", targets(got), want)
	}
	if got[0].RequestID != r.ID || !got[0].CreatedAt.Equal(t0) || got[0].Kind() != "slack" || got[0].Name() != "#ops" {
		t.Fatalf("item %+v", got[0])
	}
	first := got
	if again := claim(t, s, t0, 10); len(again) != 0 {
		t.Fatalf("leased items claimed again: %q", targets(again))
	}

	// A review adds an item per target, held back until the earlier one is done.
	if _, err := s.UpdateRequest(ctx, r.ID, func(r *countersign.Request) ([]countersign.Event, error) {
		return []countersign.Event{countersign.NewEvent(countersign.EventReviewed, r.ID, "human:h1@example.com", t0, nil)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Minute) // the first leases have run out
	got = claim(t, s, later, 10)
	if want := "slack:#ops/policy.decided/2 webhook:siem/policy.decided/2 "; targets(got) != want {
		t.Fatalf("claim after lease: %q, want %q", targets(got), want)
	}
	// The first claim's worker outlived its lease: its outcome is refused.
	stale := countersign.NewEvent(countersign.EventNotified, r.ID, "system", t0, nil)
	if err := s.FinishOutbox(ctx, first[0], true, time.Time{}, stale); countersign.ErrorCode(err) != countersign.ENotFound {
		t.Fatalf("FinishOutbox with a lost claim: %v, want not_found", err)
	}
	finish(t, s, got[0], true, time.Time{})                // slack delivered
	finish(t, s, got[1], false, later.Add(10*time.Minute)) // webhook retried later
	got = claim(t, s, later, 10)
	if want := "slack:#ops/review.recorded/1 "; targets(got) != want {
		t.Fatalf("claim after finishing: %q, want %q", targets(got), want)
	}
	finish(t, s, got[0], false, time.Time{}) // abandoned
	if got = claim(t, s, later.Add(9*time.Minute), 10); len(got) != 0 {
		t.Fatalf("retry claimed before it is due: %q", targets(got))
	}
	got = claim(t, s, later.Add(10*time.Minute), 10)
	if want := "webhook:siem/policy.decided/3 "; targets(got) != want {
		t.Fatalf("claim when the retry is due: %q, want %q", targets(got), want)
	}
	finish(t, s, got[0], true, time.Time{})
	got = claim(t, s, later.Add(10*time.Minute), 10)
	if want := "webhook:siem/review.recorded/1 "; targets(got) != want {
		t.Fatalf("last claim: %q, want %q", targets(got), want)
	}
	finish(t, s, got[0], true, time.Time{})
	if got = claim(t, s, later.Add(time.Hour), 10); len(got) != 0 {
		t.Fatalf("outbox not empty: %q", targets(got))
	}
	n := 0
	for _, e := range allEvents(t, s) {
		if e.Type == countersign.EventNotified || e.Type == countersign.EventNotifyFailed {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d notification events, want 5", n)
	}

	err := s.FinishOutbox(ctx, countersign.OutboxItem{ID: 1 << 40, Attempts: 1}, true, time.Time{}, countersign.NewEvent(countersign.EventNotified, "", "system", t0, nil))
	if countersign.ErrorCode(err) != countersign.ENotFound {
		t.Fatalf("FinishOutbox of no item: %v, want not_found", err)
	}
	if _, err := s.ClaimOutbox(ctx, t0, 0, 10); countersign.ErrorCode(err) != countersign.EInvalid {
		t.Fatalf("ClaimOutbox with no lease: %v, want invalid", err)
	}

	// Channel references.
	if ref, err := s.ChannelRef(ctx, r.ID, "slack:#ops"); err != nil || ref != "" {
		t.Fatalf("ChannelRef before any: %q, %v", ref, err)
	}
	for _, ref := range []string{"C1/1700000000.000100", "C1/1700000000.000200"} {
		if err := s.SetChannelRef(ctx, r.ID, "slack:#ops", ref); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ChannelRef(ctx, r.ID, "slack:#ops"); err != nil || got != ref {
			t.Fatalf("ChannelRef = %q, %v; want %q", got, err, ref)
		}
	}
}

// testOutboxConcurrentClaim checks that workers claiming at once never get
// the same item: what several replicas do.
func testOutboxConcurrentClaim(t *testing.T, s countersign.Store) {
	d := notifying()
	d.Review.Notify = []string{"webhook:siem"}
	for i := range 20 {
		create(t, s, params(fmt.Sprintf("req_%02d", i), agentName, d, t0))
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
		errs = make(chan error, 4)
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				items, err := s.ClaimOutbox(context.Background(), t0, time.Hour, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(items) == 0 {
					return
				}
				for _, o := range items {
					mu.Lock()
					seen[o.ID]++
					mu.Unlock()
					ev := countersign.NewEvent(countersign.EventNotified, o.RequestID, "system", t0, nil)
					if err := s.FinishOutbox(context.Background(), o, true, time.Time{}, ev); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	if len(seen) != 20 {
		t.Fatalf("%d items delivered, want 20", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("item %d claimed %d times", id, n)
		}
	}
}
