package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

func testCreateAndGet(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	np := params("r1", agentName, allow, t0)
	want, wantEvents := countersign.NewRequest(np)
	got := create(t, s, np)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CreateRequest returned\n%+v\nwant\n%+v", got, want)
	}
	read := getRequest(t, s, "r1")
	if !reflect.DeepEqual(read, want) {
		g, w, _ := equalJSON(read, want)
		t.Errorf("Request(r1) =\n%s\nwant\n%s", g, w)
	}
	events := allEvents(t, s)
	if len(events) != len(wantEvents) {
		t.Fatalf("got %d events, want %d", len(events), len(wantEvents))
	}
	for i, e := range events {
		w := wantEvents[i]
		w.Seq = e.Seq
		if !reflect.DeepEqual(e, w) {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
	}
	if _, err := s.Request(ctx, "nope"); err == nil {
		t.Errorf("Request(nope) = nil error, want not_found")
	} else {
		wantCode(t, "Request(nope)", err, countersign.ENotFound)
	}
}

func testCreateBuildError(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	boom := countersign.Errorf(countersign.EPolicyInvalid, "boom")
	_, created, err := s.CreateRequest(ctx, countersign.CreateRequestParams{
		Agent: agentName,
		Build: func(bool, []int) (*countersign.Request, []countersign.Event, error) { return nil, nil, boom },
	})
	if err != boom || created {
		t.Errorf("CreateRequest with failing Build = %v, %v; want false and Build's error unchanged", created, err)
	}
	if n := len(allEvents(t, s)); n != 0 {
		t.Errorf("got %d events after a failed create, want 0", n)
	}
	list, _, err := s.ListRequests(ctx, countersign.ListRequestsParams{})
	if err != nil || len(list) != 0 {
		t.Errorf("ListRequests = %d requests, %v; want 0, nil", len(list), err)
	}
}

func testCreateDuplicateID(t *testing.T, s countersign.Store) {
	first := create(t, s, params("dup", agentName, allow, t0))
	np := params("dup", agentName, deny, t0.Add(time.Second))
	_, created, err := s.CreateRequest(context.Background(), countersign.CreateRequestParams{Agent: agentName, Build: build(np)})
	if err == nil || created {
		t.Fatalf("second CreateRequest(dup) = %v, %v; want an error", created, err)
	}
	wantCode(t, "second CreateRequest(dup)", err, countersign.EConflict)
	if got := getRequest(t, s, "dup"); !reflect.DeepEqual(got, first) {
		t.Errorf("Request(dup) changed after a failed duplicate create: %+v, want %+v", got, first)
	}
	if n := len(allEvents(t, s)); n != 3 {
		t.Errorf("got %d events, want the first request's 3", n)
	}
}

func testIdempotency(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	np := params("i1", agentName, allow, t0)
	np.Action.IdempotencyKey = "k"
	first := create(t, s, np)
	before := len(allEvents(t, s))

	again := params("i2", agentName, deny, t0.Add(time.Second))
	again.Action.IdempotencyKey = "k"
	r, created, err := s.CreateRequest(ctx, countersign.CreateRequestParams{
		Agent: agentName, IdempotencyKey: "k",
		Build: func(bool, []int) (*countersign.Request, []countersign.Event, error) {
			t.Errorf("Build called for a repeated idempotency key")
			return build(again)(false, nil)
		},
	})
	if err != nil || created {
		t.Fatalf("repeated CreateRequest = created %v, err %v; want false, nil", created, err)
	}
	if !reflect.DeepEqual(r, first) {
		t.Errorf("repeated CreateRequest returned %+v, want the first request %+v", r, first)
	}
	if after := len(allEvents(t, s)); after != before {
		t.Errorf("repeated CreateRequest wrote events: %d, want %d", after, before)
	}
	if _, err := s.Request(ctx, "i2"); countersign.ErrorCode(err) != countersign.ENotFound {
		t.Errorf("Request(i2) error = %v, want not_found", err)
	}

	// The key is scoped to the agent; other keys and no key are independent.
	other := params("i3", "other", allow, t0)
	other.Action.IdempotencyKey = "k"
	create(t, s, other)
	k2 := params("i4", agentName, allow, t0)
	k2.Action.IdempotencyKey = "k2"
	create(t, s, k2)
	create(t, s, params("i5", agentName, allow, t0))
	create(t, s, params("i6", agentName, allow, t0))
	list, _, err := s.ListRequests(ctx, countersign.ListRequestsParams{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	if want := []string{"i6", "i5", "i4", "i3", "i1"}; !slices.Equal(ids, want) {
		t.Errorf("ListRequests ids = %v, want %v", ids, want)
	}
}

// seven makes seven requests, r0..r6, alternating agents and cycling effects,
// and returns them newest first.
func seven(t *testing.T, s countersign.Store) []*countersign.Request {
	var out []*countersign.Request
	decisions := []countersign.Decision{allow, review, deny}
	for i := range 7 {
		name := agentName
		if i%2 == 1 {
			name = "other"
		}
		r := create(t, s, params(fmt.Sprintf("r%d", i), name, decisions[i%3], t0.Add(time.Duration(i)*time.Second)))
		out = append([]*countersign.Request{r}, out...)
	}
	return out
}

func ids(list []*countersign.Request) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

func testList(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	all := seven(t, s)
	got, next, err := s.ListRequests(ctx, countersign.ListRequestsParams{})
	if err != nil || next != "" {
		t.Fatalf("ListRequests() cursor %q, err %v; want \"\", nil", next, err)
	}
	if !reflect.DeepEqual(got, all) {
		t.Errorf("ListRequests() = %v, want %v", ids(got), ids(all))
	}
	got, next, err = s.ListRequests(ctx, countersign.ListRequestsParams{Limit: 7})
	if err != nil || next != "" || len(got) != 7 {
		t.Errorf("ListRequests(limit 7) = %d, cursor %q, %v; want 7, \"\", nil", len(got), next, err)
	}

	tests := []struct {
		name string
		p    countersign.ListRequestsParams
		want []string
	}{
		{"pages", countersign.ListRequestsParams{Limit: 3}, ids(all)},
		{"agent", countersign.ListRequestsParams{Agent: "other", Limit: 2}, []string{"r5", "r3", "r1"}},
		{"state", countersign.ListRequestsParams{State: countersign.StatePending, Limit: 1}, []string{"r4", "r1"}},
		{"both", countersign.ListRequestsParams{State: countersign.StateApproved, Agent: agentName}, []string{"r6", "r0"}},
		{"none", countersign.ListRequestsParams{State: countersign.StateExecuted}, nil},
	}
	for _, tc := range tests {
		var seen []string
		p := tc.p
		for page := 0; ; page++ {
			list, next, err := s.ListRequests(ctx, p)
			if err != nil {
				t.Fatalf("%s: ListRequests(%+v): %v", tc.name, p, err)
			}
			if p.Limit > 0 && len(list) > p.Limit {
				t.Errorf("%s: page %d has %d requests, want at most %d", tc.name, page, len(list), p.Limit)
			}
			seen = append(seen, ids(list)...)
			if next == "" {
				break
			}
			if page > 10 {
				t.Fatalf("%s: cursor never ends", tc.name)
			}
			p.Cursor = next
		}
		if !slices.Equal(seen, tc.want) {
			t.Errorf("%s: listed %v, want %v", tc.name, seen, tc.want)
		}
	}
}

func testListArguments(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	for i := range 55 {
		create(t, s, params(fmt.Sprintf("r%02d", i), agentName, deny, t0))
	}
	list, next, err := s.ListRequests(ctx, countersign.ListRequestsParams{})
	if err != nil || len(list) != 50 || next == "" {
		t.Errorf("ListRequests(limit 0) = %d requests, cursor %q, %v; want 50, a cursor, nil", len(list), next, err)
	}
	list, next, err = s.ListRequests(ctx, countersign.ListRequestsParams{Limit: 500})
	if err != nil || len(list) != 55 || next != "" {
		t.Errorf("ListRequests(limit 500) = %d requests, cursor %q, %v; want 55, \"\", nil", len(list), next, err)
	}
	bad := []countersign.ListRequestsParams{
		{Cursor: "x"}, {Cursor: "-3"}, {Cursor: "0"}, {Limit: 501}, {Limit: -1}, {State: "bogus"},
	}
	for _, p := range bad {
		_, _, err := s.ListRequests(ctx, p)
		wantCode(t, fmt.Sprintf("ListRequests(%+v)", p), err, countersign.EInvalid)
	}
}

func testUpdate(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	create(t, s, params("u1", agentName, review, t0))
	want := getRequest(t, s, "u1")
	before := allEvents(t, s)
	now := t0.Add(time.Minute)
	var wantEvents []countersign.Event
	got, err := s.UpdateRequest(ctx, "u1", func(r *countersign.Request) ([]countersign.Event, error) {
		ev, err := r.Review(countersign.ReviewParams{Reviewer: human(1), Verdict: countersign.VerdictApprove, Channel: "api", Now: now})
		wantEvents = ev
		return ev, err
	})
	if err != nil {
		t.Fatalf("UpdateRequest: %v", err)
	}
	if _, err := want.Review(countersign.ReviewParams{Reviewer: human(1), Verdict: countersign.VerdictApprove, Channel: "api", Now: now}); err != nil {
		t.Fatal(err)
	}
	if g, w, ok := equalJSON(got, want); !ok {
		t.Errorf("UpdateRequest returned\n%s\nwant\n%s", g, w)
	}
	if read := getRequest(t, s, "u1"); !reflect.DeepEqual(read, got) {
		g, w, _ := equalJSON(read, got)
		t.Errorf("Request after update =\n%s\nwant\n%s", g, w)
	}
	events := allEvents(t, s)
	added := events[len(before):]
	if len(added) != len(wantEvents) || len(added) == 0 {
		t.Fatalf("update wrote %d events, want %d", len(added), len(wantEvents))
	}
	for i, e := range added {
		w := wantEvents[i]
		w.Seq = e.Seq
		if !reflect.DeepEqual(e, w) {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
	}
	// A function that changes nothing writes nothing.
	if _, err := s.UpdateRequest(ctx, "u1", func(*countersign.Request) ([]countersign.Event, error) { return nil, nil }); err != nil {
		t.Errorf("UpdateRequest with no change: %v", err)
	}
	if n := len(allEvents(t, s)); n != len(events) {
		t.Errorf("no-op update: %d events, want %d", n, len(events))
	}
}

func testUpdateRollback(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	r := create(t, s, params("u1", agentName, review, t0))
	before := allEvents(t, s)
	sentinel := errors.New("changed my mind")
	_, err := s.UpdateRequest(ctx, "u1", func(r *countersign.Request) ([]countersign.Event, error) {
		ev, err := r.Review(countersign.ReviewParams{Reviewer: human(1), Verdict: countersign.VerdictApprove, Channel: "api", Now: t0})
		if err != nil {
			t.Errorf("Review: %v", err)
		}
		r.State = countersign.StateCancelled
		return ev, sentinel
	})
	if err != sentinel {
		t.Errorf("UpdateRequest error = %v, want fn's error unchanged", err)
	}
	_, err = s.UpdateRequest(ctx, "u1", func(r *countersign.Request) ([]countersign.Event, error) {
		return r.Execute(r.Digest, agent, t0)
	})
	wantCode(t, "Execute on a pending request", err, countersign.ENotApproved)
	if got := getRequest(t, s, "u1"); !reflect.DeepEqual(got, r) {
		g, w, _ := equalJSON(got, r)
		t.Errorf("request after failed updates =\n%s\nwant unchanged\n%s", g, w)
	}
	if after := allEvents(t, s); len(after) != len(before) {
		t.Errorf("failed updates wrote events: %d, want %d", len(after), len(before))
	}
}

func testUpdateNotFound(t *testing.T, s countersign.Store) {
	_, err := s.UpdateRequest(context.Background(), "nope", func(*countersign.Request) ([]countersign.Event, error) {
		t.Errorf("fn called for a missing request")
		return nil, nil
	})
	wantCode(t, "UpdateRequest(nope)", err, countersign.ENotFound)
}

func testDueRequests(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	create(t, s, params("pending", agentName, review, t0))             // due at t0+1h
	create(t, s, params("approved", agentName, allow, t0))             // due at t0+15m
	create(t, s, params("denied", agentName, deny, t0))                // never due
	create(t, s, params("used", agentName, allow, t0))                 // executed below
	create(t, s, params("later", agentName, allow, t0.Add(time.Hour))) // due at t0+75m
	if _, err := s.UpdateRequest(ctx, "used", func(r *countersign.Request) ([]countersign.Event, error) {
		return r.Execute(r.Digest, agent, t0)
	}); err != nil {
		t.Fatal(err)
	}
	grantEnd := t0.Add(countersign.DefaultGrantTTL)
	tests := []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{t0, 10, nil},
		{grantEnd.Add(-time.Nanosecond), 10, nil},
		{grantEnd, 10, []string{"approved"}},
		{t0.Add(2 * time.Hour), 10, []string{"approved", "pending", "later"}},
		{t0.Add(2 * time.Hour), 2, []string{"approved", "pending"}},
	}
	for _, tc := range tests {
		got, err := s.DueRequests(ctx, tc.now, tc.limit)
		if err != nil {
			t.Fatalf("DueRequests(%v): %v", tc.now, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("DueRequests(t0+%v, %d) = %v, want %v", tc.now.Sub(t0), tc.limit, got, tc.want)
		}
	}
	// Expiring a request takes it off the list.
	late := t0.Add(2 * time.Hour)
	if _, err := s.UpdateRequest(ctx, "pending", func(r *countersign.Request) ([]countersign.Event, error) {
		return r.ExpireIfDue(late), nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := getRequest(t, s, "pending"); got.State != countersign.StateExpired {
		t.Errorf("state after expiry = %s, want expired", got.State)
	}
	got, err := s.DueRequests(ctx, late, 10)
	if want := []string{"approved", "later"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("DueRequests after expiry = %v, %v; want %v", got, err, want)
	}
}
