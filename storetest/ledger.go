package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// ledgerEvents appends n events (every other of request act_l) and returns
// them with their seqs.
func ledgerEvents(t *testing.T, s countersign.Store, n int) []countersign.Event {
	t.Helper()
	ctx := context.Background()
	var evs []countersign.Event
	for i := range n {
		action := ""
		if i%2 == 0 {
			action = "act_l"
		}
		evs = append(evs, countersign.NewEvent(countersign.EventReviewed, action, "human:h@example.com", t0, map[string]int{"i": i}))
	}
	if err := s.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, 0, 1000)
	if err != nil || len(got) != n {
		t.Fatalf("Events = %d, %v; want %d", len(got), err, n)
	}
	return got
}

func leaf(i int, e countersign.Event) countersign.LedgerLeaf {
	return countersign.LedgerLeaf{Index: uint64(i), Seq: e.Seq, Hash: []byte(fmt.Sprintf("leaf-%d", i))}
}

func testLedger(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	if h, err := s.LedgerHead(ctx); err != nil || h.Size != 0 || h.Checkpoint != nil {
		t.Fatalf("LedgerHead of an empty store = %+v, %v", h, err)
	}
	evs := ledgerEvents(t, s, 5)
	first := countersign.AppendLedgerParams{From: 0, Leaves: []countersign.LedgerLeaf{leaf(0, evs[0]), leaf(1, evs[1]), leaf(2, evs[2])},
		Nodes: []countersign.LedgerNode{
			{ID: countersign.LedgerNodeID{Level: 0, Index: 0}, Hash: []byte("leaf-0")},
			{ID: countersign.LedgerNodeID{Level: 0, Index: 1}, Hash: []byte("leaf-1")},
			{ID: countersign.LedgerNodeID{Level: 1, Index: 0}, Hash: []byte("n10")},
		}, Checkpoint: []byte("checkpoint 3\n")}
	if err := s.AppendLedger(ctx, first); err != nil {
		t.Fatalf("AppendLedger: %v", err)
	}
	if err := s.AppendLedger(ctx, first); countersign.ErrorCode(err) != countersign.EConflict {
		t.Fatalf("AppendLedger from a stale size: %v, want conflict", err)
	}
	bad := countersign.AppendLedgerParams{From: 3, Leaves: []countersign.LedgerLeaf{leaf(4, evs[4])}}
	if err := s.AppendLedger(ctx, bad); countersign.ErrorCode(err) != countersign.EInvalid {
		t.Fatalf("AppendLedger with a gap: %v, want invalid_argument", err)
	}
	h, err := s.LedgerHead(ctx)
	if err != nil || h.Size != 3 || h.LastSeq != evs[2].Seq || string(h.Checkpoint) != "checkpoint 3\n" {
		t.Fatalf("LedgerHead = %+v, %v; want size 3, last seq %d", h, err, evs[2].Seq)
	}
	if err := s.AppendLedger(ctx, countersign.AppendLedgerParams{From: 3, Leaves: []countersign.LedgerLeaf{leaf(3, evs[3]), leaf(4, evs[4])},
		Checkpoint: []byte("checkpoint 5\n")}); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.LedgerHead(ctx); h.Size != 5 || string(h.Checkpoint) != "checkpoint 5\n" {
		t.Fatalf("LedgerHead after the second append = %+v", h)
	}

	ids := []countersign.LedgerNodeID{{Level: 1, Index: 0}, {Level: 0, Index: 1}}
	got, err := s.LedgerNodes(ctx, ids)
	if err != nil || len(got) != 2 || string(got[0]) != "n10" || string(got[1]) != "leaf-1" {
		t.Fatalf("LedgerNodes = %q, %v", got, err)
	}
	// Level 0 is the leaves' hashes, also for leaves given without nodes.
	if got, err := s.LedgerNodes(ctx, []countersign.LedgerNodeID{{Level: 0, Index: 4}, {Level: 0, Index: 2}}); err != nil ||
		string(got[0]) != "leaf-4" || string(got[1]) != "leaf-2" {
		t.Fatalf("LedgerNodes of leaves = %q, %v", got, err)
	}
	if _, err := s.LedgerNodes(ctx, []countersign.LedgerNodeID{{Level: 5, Index: 0}}); countersign.ErrorCode(err) != countersign.ENotFound {
		t.Fatalf("LedgerNodes of a missing node: %v, want not_found", err)
	}

	entries, err := s.LedgerEntries(ctx, 1, 4)
	if err != nil || len(entries) != 3 {
		t.Fatalf("LedgerEntries(1, 4) = %d, %v; want 3", len(entries), err)
	}
	for i, e := range entries {
		want := evs[i+1]
		if e.Index != uint64(i+1) || e.Event.Seq != want.Seq || !bytes.Equal(e.Event.Data, want.Data) || !e.Event.Time.Equal(want.Time) ||
			string(e.Hash) != fmt.Sprintf("leaf-%d", i+1) {
			t.Errorf("entry %d = %+v, want index %d of %+v", i, e, i+1, want)
		}
	}
	for _, c := range []struct {
		size     uint64
		below    bool
		want     uint64
		wantNote string
	}{{4, true, 3, "checkpoint 3\n"}, {4, false, 5, "checkpoint 5\n"}, {3, true, 3, "checkpoint 3\n"}, {5, false, 5, "checkpoint 5\n"}} {
		got, note, err := s.LedgerCheckpoint(ctx, c.size, c.below)
		if err != nil || got != c.want || string(note) != c.wantNote {
			t.Errorf("LedgerCheckpoint(%d, %v) = %d %q %v; want %d", c.size, c.below, got, note, err, c.want)
		}
	}
	if _, _, err := s.LedgerCheckpoint(ctx, 6, false); countersign.ErrorCode(err) != countersign.ENotFound {
		t.Errorf("LedgerCheckpoint past the end: %v, want not_found", err)
	}
	if i, err := s.LedgerIndexAt(ctx, t0); err != nil || i != 0 {
		t.Errorf("LedgerIndexAt(t0) = %d, %v; want 0", i, err)
	}
	if i, err := s.LedgerIndexAt(ctx, t0.Add(time.Second)); err != nil || i != 5 {
		t.Errorf("LedgerIndexAt(after every event) = %d, %v; want the size 5", i, err)
	}
	of, err := s.LedgerEntriesOf(ctx, "act_l")
	if err != nil || len(of) != 3 || of[0].Index != 0 || of[1].Index != 2 || of[2].Index != 4 {
		t.Fatalf("LedgerEntriesOf(act_l) = %+v, %v; want indexes 0, 2, 4", of, err)
	}
}

// Two integrators appending from the same size: exactly one wins.
func testRaceLedger(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	evs := ledgerEvents(t, s, 1)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AppendLedger(ctx, countersign.AppendLedgerParams{From: 0, Leaves: []countersign.LedgerLeaf{leaf(0, evs[0])},
				Checkpoint: []byte(fmt.Sprintf("checkpoint from %d\n", i))})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch countersign.ErrorCode(err) {
		case "":
			won++
		case countersign.EConflict:
		default:
			t.Errorf("racing AppendLedger: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d integrators won, want 1", won)
	}
}
