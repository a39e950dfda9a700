package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

func newKey(id, hash string, p countersign.Principal, at time.Time) countersign.CreateKeyParams {
	return countersign.CreateKeyParams{
		Key:   countersign.Key{ID: id, Hash: hash, Principal: p, CreatedAt: at},
		Event: countersign.NewEvent(countersign.EventKeyCreated, "", "admin:root", at, map[string]any{"key_id": id}),
	}
}

func testKeys(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	humanKey := newKey("k1", "hash1", countersign.Principal{Kind: countersign.KindHuman, Name: "h@example.com", Groups: []string{"dba"}}, t0)
	agentKey := newKey("k2", "hash2", agent, t0.Add(time.Second))
	for _, p := range []countersign.CreateKeyParams{humanKey, agentKey} {
		ok, err := s.CreateKey(ctx, p)
		if err != nil || !ok {
			t.Fatalf("CreateKey(%s) = %v, %v; want true, nil", p.Key.ID, ok, err)
		}
	}
	got, err := s.KeyByHash(ctx, "hash1")
	if err != nil {
		t.Fatalf("KeyByHash(hash1): %v", err)
	}
	if !reflect.DeepEqual(*got, humanKey.Key) {
		t.Errorf("KeyByHash(hash1) = %+v, want %+v", *got, humanKey.Key)
	}
	_, err = s.KeyByHash(ctx, "nope")
	wantCode(t, "KeyByHash(nope)", err, countersign.ENotFound)

	dup := newKey("k3", "hash1", agent, t0)
	ok, err := s.CreateKey(ctx, dup)
	if ok || err == nil {
		t.Errorf("CreateKey with a taken hash = %v, %v; want false and an error", ok, err)
	}

	at := t0.Add(time.Hour + 7)
	revoked := countersign.NewEvent(countersign.EventKeyRevoked, "", "admin:root", at, map[string]any{"key_id": "k1"})
	if err := s.RevokeKey(ctx, "k1", at, revoked); err != nil {
		t.Fatalf("RevokeKey(k1): %v", err)
	}
	_, err = s.KeyByHash(ctx, "hash1")
	wantCode(t, "KeyByHash of a revoked key", err, countersign.ENotFound)
	err = s.RevokeKey(ctx, "nope", at, revoked)
	wantCode(t, "RevokeKey(nope)", err, countersign.ENotFound)

	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	wantRevoked := humanKey.Key
	wantRevoked.RevokedAt = &at
	want := []*countersign.Key{&wantRevoked, &agentKey.Key}
	if !reflect.DeepEqual(keys, want) {
		g, w, _ := equalJSON(keys, want)
		t.Errorf("Keys() =\n%s\nwant\n%s", g, w)
	}
	events := allEvents(t, s)
	if n := countEvents(events, countersign.EventKeyCreated, ""); n != 2 {
		t.Errorf("%d key.created events, want 2", n)
	}
	if n := countEvents(events, countersign.EventKeyRevoked, ""); n != 1 {
		t.Errorf("%d key.revoked events, want 1", n)
	}
}

func testBootstrap(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	admin := countersign.Principal{Kind: countersign.KindAdmin, Name: "root"}
	first := newKey("k1", "hash1", admin, t0)
	first.OnlyIfEmpty = true
	ok, err := s.CreateKey(ctx, first)
	if err != nil || !ok {
		t.Fatalf("bootstrap on an empty store = %v, %v; want true, nil", ok, err)
	}
	second := newKey("k2", "hash2", admin, t0)
	second.OnlyIfEmpty = true
	ok, err = s.CreateKey(ctx, second)
	if err != nil || ok {
		t.Fatalf("bootstrap with a key present = %v, %v; want false, nil", ok, err)
	}
	keys, err := s.Keys(ctx)
	if err != nil || len(keys) != 1 || keys[0].ID != "k1" {
		t.Errorf("Keys() = %d keys, %v; want only k1", len(keys), err)
	}
	if n := countEvents(allEvents(t, s), countersign.EventKeyCreated, ""); n != 1 {
		t.Errorf("%d key.created events, want 1", n)
	}
}

func testFreeze(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	frozen, err := s.AgentFrozen(ctx, agentName)
	if err != nil || frozen {
		t.Fatalf("AgentFrozen of an unknown agent = %v, %v; want false, nil", frozen, err)
	}
	ev := countersign.NewEvent(countersign.EventAgentFrozen, "", "admin:root", t0, map[string]any{"agent": agentName})
	if err := s.SetAgentFrozen(ctx, agentName, true, ev); err != nil {
		t.Fatalf("SetAgentFrozen: %v", err)
	}
	if frozen, err := s.AgentFrozen(ctx, agentName); err != nil || !frozen {
		t.Errorf("AgentFrozen after freeze = %v, %v; want true, nil", frozen, err)
	}
	if frozen, err := s.AgentFrozen(ctx, "other"); err != nil || frozen {
		t.Errorf("AgentFrozen(other) = %v, %v; want false, nil", frozen, err)
	}
	r := create(t, s, params("f1", agentName, allow, t0))
	if r.State != countersign.StateDenied || r.Reason != countersign.ReasonAgentFrozen {
		t.Errorf("frozen agent's request is %s (%q), want denied (%q)", r.State, r.Reason, countersign.ReasonAgentFrozen)
	}
	if r := create(t, s, params("o1", "other", allow, t0)); r.State != countersign.StateApproved {
		t.Errorf("other agent's request is %s, want approved", r.State)
	}
	ev = countersign.NewEvent(countersign.EventAgentUnfrozen, "", "admin:root", t0, map[string]any{"agent": agentName})
	if err := s.SetAgentFrozen(ctx, agentName, false, ev); err != nil {
		t.Fatalf("SetAgentFrozen(false): %v", err)
	}
	if r := create(t, s, params("f2", agentName, allow, t0)); r.State != countersign.StateApproved {
		t.Errorf("unfrozen agent's request is %s, want approved", r.State)
	}
	events := allEvents(t, s)
	if countEvents(events, countersign.EventAgentFrozen, "") != 1 || countEvents(events, countersign.EventAgentUnfrozen, "") != 1 {
		t.Errorf("want one agent.frozen and one agent.unfrozen event, got %d events", len(events))
	}
}

func testEvents(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	if got, err := s.Events(ctx, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("Events on an empty store = %d, %v; want 0, nil", len(got), err)
	}
	if err := s.AppendEvents(ctx, nil); err != nil {
		t.Errorf("AppendEvents(nil): %v", err)
	}
	var want []countersign.Event
	for i := range 5 {
		e := countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", t0.Add(time.Duration(i)), nil)
		e.Data = json.RawMessage(`{"b": 2, "a": [1, 2.50]}`) // kept verbatim, not re-encoded
		if i == 2 {
			e.ActionID = "r1"
		}
		want = append(want, e)
	}
	if err := s.AppendEvents(ctx, want[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, want[2:]); err != nil {
		t.Fatal(err)
	}
	var got []countersign.Event
	after := int64(0)
	for range 3 {
		page, err := s.Events(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || len(page) > 2 {
			t.Fatalf("Events(%d, 2) = %d events, want 1 or 2", after, len(page))
		}
		after = page[len(page)-1].Seq
		got = append(got, page...)
	}
	if rest, err := s.Events(ctx, after, 10); err != nil || len(rest) != 0 {
		t.Errorf("Events after the last = %d, %v; want 0, nil", len(rest), err)
	}
	for i := range got {
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("event %d has seq %d after %d, want increasing", i, got[i].Seq, got[i-1].Seq)
		}
		w := want[i]
		w.Seq = got[i].Seq
		if !reflect.DeepEqual(got[i], w) {
			t.Errorf("event %d = %+v (data %s), want %+v (data %s)", i, got[i], got[i].Data, w, w.Data)
		}
	}
}

func testPing(t *testing.T, s countersign.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
