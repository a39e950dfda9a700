package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/countersign/countersign"
)

// warm makes the store open the connections n callers need, so that a race
// is not spread out by connections being opened.
func warm(t *testing.T, s countersign.Store, n int) {
	parallel(n, func(int) {
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// parallel runs fn(i) for i in 0..n-1 on n goroutines released together.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func testRaceGrantConsumption(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	r := create(t, s, params("g1", agentName, allow, t0))
	const n = 16
	errs := make([]error, n)
	warm(t, s, n)
	parallel(n, func(i int) {
		_, errs[i] = s.UpdateRequest(ctx, "g1", func(r *countersign.Request) ([]countersign.Event, error) {
			return r.Execute(r.Digest, agent, t0.Add(1))
		})
	})
	ok := 0
	for i, err := range errs {
		switch countersign.ErrorCode(err) {
		case "":
			ok++
		case countersign.EGrantUsed:
		default:
			t.Errorf("execute %d: %v, want nil or grant_used", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d executions succeeded, want exactly 1", ok)
	}
	if got := getRequest(t, s, r.ID); got.State != countersign.StateExecuted || got.Grant.UsedAt == nil {
		t.Errorf("request is %s with grant %+v, want executed with a used grant", got.State, got.Grant)
	}
	if n := countEvents(allEvents(t, s), countersign.EventExecuted, r.ID); n != 1 {
		t.Errorf("%d action.executed events, want 1", n)
	}
}

func testRaceReviews(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	r := create(t, s, params("v1", agentName, review, t0))
	const n = 10
	errs := make([]error, n)
	warm(t, s, n)
	parallel(n, func(i int) {
		_, errs[i] = s.UpdateRequest(ctx, r.ID, func(r *countersign.Request) ([]countersign.Event, error) {
			return r.Review(countersign.ReviewParams{Reviewer: human(i), Verdict: countersign.VerdictApprove, Channel: "api", Now: t0.Add(1)})
		})
	})
	ok := 0
	for i, err := range errs {
		switch countersign.ErrorCode(err) {
		case "":
			ok++
		case countersign.ENotPending:
		default:
			t.Errorf("review %d: %v, want nil or not_pending", i, err)
		}
	}
	if ok != 2 {
		t.Errorf("%d reviews recorded, want exactly 2", ok)
	}
	got := getRequest(t, s, r.ID)
	if got.State != countersign.StateApproved || got.Grant == nil {
		t.Errorf("request is %s with grant %v, want approved with a grant", got.State, got.Grant)
	}
	if len(got.Reviews) != 2 {
		t.Errorf("request has %d reviews, want 2", len(got.Reviews))
	}
	if approvedBy := got.Decision.Review.Thresholds[0].ApprovedBy; len(approvedBy) != 2 || approvedBy[0] == approvedBy[1] {
		t.Errorf("threshold approved by %v, want 2 distinct humans", approvedBy)
	}
	events := allEvents(t, s)
	for typ, want := range map[string]int{
		countersign.EventReviewed: 2, countersign.EventApproved: 1, countersign.EventGrantIssued: 1,
	} {
		if got := countEvents(events, typ, r.ID); got != want {
			t.Errorf("%d %s events, want %d", got, typ, want)
		}
	}
}

func testRaceBootstrap(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	const n = 8
	results := make([]bool, n)
	errs := make([]error, n)
	warm(t, s, n)
	parallel(n, func(i int) {
		p := newKey(fmt.Sprintf("k%d", i), fmt.Sprintf("hash%d", i), countersign.Principal{Kind: countersign.KindAdmin, Name: "root"}, t0)
		p.OnlyIfEmpty = true
		results[i], errs[i] = s.CreateKey(ctx, p)
	})
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("bootstrap %d: %v", i, errs[i])
		}
		if results[i] {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d bootstrap keys created, want exactly 1", created)
	}
	if keys, err := s.Keys(ctx); err != nil || len(keys) != 1 {
		t.Errorf("Keys() = %d keys, %v; want 1, nil", len(keys), err)
	}
	if n := countEvents(allEvents(t, s), countersign.EventKeyCreated, ""); n != 1 {
		t.Errorf("%d key.created events, want 1", n)
	}
}

func testRaceIdempotency(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	const n = 8
	var builds atomic.Int32
	got := make([]*countersign.Request, n)
	created := make([]bool, n)
	errs := make([]error, n)
	warm(t, s, n)
	parallel(n, func(i int) {
		np := params(fmt.Sprintf("d%d", i), agentName, allow, t0)
		np.Action.IdempotencyKey = "same"
		b := build(np)
		got[i], created[i], errs[i] = s.CreateRequest(ctx, countersign.CreateRequestParams{
			Agent: agentName, IdempotencyKey: "same",
			Build: func(frozen bool, _ []int) (*countersign.Request, []countersign.Event, error) {
				builds.Add(1)
				return b(frozen, nil)
			},
		})
	})
	firsts := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if created[i] {
			firsts++
		}
		if got[i].ID != got[0].ID {
			t.Errorf("create %d returned request %s, want %s like create 0", i, got[i].ID, got[0].ID)
		}
	}
	if firsts != 1 {
		t.Errorf("%d creates reported created, want exactly 1", firsts)
	}
	if b := builds.Load(); b != 1 {
		t.Errorf("Build called %d times, want 1", b)
	}
	list, _, err := s.ListRequests(ctx, countersign.ListRequestsParams{})
	if err != nil || len(list) != 1 {
		t.Errorf("ListRequests = %d requests, %v; want 1, nil", len(list), err)
	}
	if n := countEvents(allEvents(t, s), countersign.EventSubmitted, ""); n != 1 {
		t.Errorf("%d action.submitted events, want 1", n)
	}
}

// testRaceFreeze freezes an agent while its requests are being created. The
// event order is the store's commit order: every request submitted after the
// agent.frozen event must be denied, every one before it approved, and every
// create begun after SetAgentFrozen returned must see the freeze.
func testRaceFreeze(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	const workers, each = 4, 15
	var (
		frozenDone atomic.Bool
		mu         sync.Mutex
		afterIDs   []string
	)
	parallel(workers+1, func(w int) {
		if w == workers {
			create(t, s, params("warmup", agentName, allow, t0))
			ev := countersign.NewEvent(countersign.EventAgentFrozen, "", "admin:root", t0, nil)
			if err := s.SetAgentFrozen(ctx, agentName, true, ev); err != nil {
				t.Errorf("SetAgentFrozen: %v", err)
			}
			frozenDone.Store(true)
			return
		}
		for i := range each {
			started := frozenDone.Load()
			r := create(t, s, params(fmt.Sprintf("w%d-%d", w, i), agentName, allow, t0))
			if started {
				mu.Lock()
				afterIDs = append(afterIDs, r.ID)
				mu.Unlock()
			}
		}
	})
	events := allEvents(t, s)
	frozenSeq := int64(-1)
	for _, e := range events {
		switch e.Type {
		case countersign.EventAgentFrozen:
			frozenSeq = e.Seq
		case countersign.EventSubmitted:
			r := getRequest(t, s, e.ActionID)
			wantState := countersign.StateApproved
			if frozenSeq >= 0 {
				wantState = countersign.StateDenied
			}
			if r.State != wantState {
				t.Errorf("request %s submitted at seq %d (freeze at %d) is %s, want %s", r.ID, e.Seq, frozenSeq, r.State, wantState)
			}
		}
	}
	for _, id := range afterIDs {
		if r := getRequest(t, s, id); r.State != countersign.StateDenied {
			t.Errorf("request %s begun after the freeze returned is %s, want denied", id, r.State)
		}
	}
}

// testRaceEventTail follows the event log with Events(after, ...) while
// several writers append: a reader must never pass over an event that
// commits after a later-numbered one (the ledger tails the log this way).
func testRaceEventTail(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	const writers, each = 4, 40
	var (
		seen     []int64
		after    int64
		stop     atomic.Bool
		finished atomic.Int32
		tailErr  error
	)
	tail := func() bool {
		page, err := s.Events(ctx, after, 100)
		if err != nil {
			tailErr = err
			return false
		}
		for _, e := range page {
			seen = append(seen, e.Seq)
			after = e.Seq
		}
		return len(page) > 0
	}
	parallel(writers+1, func(w int) {
		if w == writers {
			for !stop.Load() {
				tail()
			}
			return
		}
		defer func() {
			if finished.Add(1) == writers {
				stop.Store(true)
			}
		}()
		for i := range each {
			ev := countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", t0, map[string]int{"w": w, "i": i})
			if err := s.AppendEvents(ctx, []countersign.Event{ev, ev}); err != nil {
				t.Errorf("AppendEvents: %v", err)
				return
			}
		}
	})
	for tail() {
	}
	if tailErr != nil {
		t.Fatalf("Events: %v", tailErr)
	}
	all := allEvents(t, s)
	if len(seen) != len(all) {
		t.Errorf("tailing the log saw %d events, want all %d: an event committed behind the reader", len(seen), len(all))
	}
}
