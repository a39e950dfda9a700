package gateway_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/internal/notetest"
	"github.com/countersign/countersign/ledger"
)

func testKey(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	return notetest.Keys(t, "countersign/test")
}

// checkLog recomputes the tree from the stored events and checks the newest
// checkpoint and an inclusion proof of every entry against it.
func checkLog(t *testing.T, st countersign.Store, v note.Verifier) (uint64, error) {
	t.Helper()
	ctx := context.Background()
	head, err := st.LedgerHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.Open(head.Checkpoint, v)
	if err != nil {
		return 0, err
	}
	entries, err := st.LedgerEntries(ctx, 0, head.Size)
	if err != nil {
		t.Fatal(err)
	}
	tree := ledger.NewMemoryTree()
	for _, e := range entries {
		leaf, err := ledger.Leaf(e.Index, e.Event)
		if err != nil {
			t.Fatal(err)
		}
		h := ledger.LeafHash(leaf)
		if !bytes.Equal(h, e.Hash) {
			return 0, &countersign.Error{Code: "tampered", Message: "leaf hash differs from the event"}
		}
		tree.Append(h)
		proof, err := ledger.InclusionProof(ctx, gateway.NodeStore(st), e.Index, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyInclusion(e.Index, cp.Size, h, proof, cp.Root); err != nil {
			return 0, err
		}
	}
	if tree.Size() != cp.Size || !bytes.Equal(tree.Root(), cp.Root) {
		t.Fatalf("recomputed tree: size %d root %x; checkpoint: size %d root %x", tree.Size(), tree.Root(), cp.Size, cp.Root)
	}
	return cp.Size, nil
}

func TestIntegratorBuildsSignedTree(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	signer, verifier := testKey(t)
	in := gateway.NewIntegrator(st, signer, verifier, nil)

	r, _, _ := svc.Submit(ctx, bot, action("production"))
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Execute(ctx, bot, r.ID, r.Digest); err != nil {
		t.Fatal(err)
	}
	size, err := in.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := st.Events(ctx, 0, 1000)
	if size != uint64(len(evs)) {
		t.Fatalf("integrated %d leaves, want all %d events", size, len(evs))
	}
	if got, err := checkLog(t, st, verifier); err != nil || got != size {
		t.Fatalf("checkLog = %d, %v", got, err)
	}
	// Nothing new: the same tree. More events: the tree grows, consistently.
	first, _ := st.LedgerHead(ctx)
	if again, err := in.Integrate(ctx); err != nil || again != size {
		t.Fatalf("idle Integrate = %d, %v", again, err)
	}
	for range 3 {
		svc.Submit(ctx, bot, action("staging"))
	}
	size2, err := in.Integrate(ctx)
	if err != nil || size2 <= size {
		t.Fatalf("Integrate after new events = %d, %v", size2, err)
	}
	last, _ := st.LedgerHead(ctx)
	c1, _ := ledger.Open(first.Checkpoint, verifier)
	c2, _ := ledger.Open(last.Checkpoint, verifier)
	proof, err := ledger.ConsistencyProof(ctx, gateway.NodeStore(st), c1.Size, c2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifyConsistency(c1.Size, c2.Size, proof, c1.Root, c2.Root); err != nil {
		t.Fatalf("checkpoints %d and %d are not consistent: %v", c1.Size, c2.Size, err)
	}
}

// Integrators racing on one store keep one tree.
func TestIntegratorsRace(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	signer, verifier := testKey(t)
	var wg sync.WaitGroup
	for i := range 4 {
		in := gateway.NewIntegrator(st, signer, verifier, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				if (i+j)%2 == 0 {
					svc.Submit(ctx, bot, action("staging"))
				}
				if _, err := in.Integrate(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if _, err := gateway.NewIntegrator(st, signer, verifier, nil).Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	evs, _ := st.Events(ctx, 0, 10000)
	size, err := checkLog(t, st, verifier)
	if err != nil || size != uint64(len(evs)) {
		t.Fatalf("after racing integrators: size %d, %v; want %d", size, err, len(evs))
	}
}

// Editing an event in the database after integration is detected.
func TestIntegratedEventEditDetected(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	svc, st, _ := newServiceAt(t, filepath.Join(dir, "cs.db"))
	ctx := context.Background()
	signer, verifier := testKey(t)
	r, _, _ := svc.Submit(ctx, bot, action("staging"))
	if _, err := gateway.NewIntegrator(st, signer, verifier, nil).Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := checkLog(t, st, verifier); err != nil {
		t.Fatalf("untouched log: %v", err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "cs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE events SET actor = 'agent:someone-else' WHERE action_id = ? AND type = ?`, r.ID, countersign.EventSubmitted); err != nil {
		t.Fatal(err)
	}
	if _, err := checkLog(t, st, verifier); err == nil {
		t.Fatal("an edited event went unnoticed")
	}
}

// A pass that takes in several pages signs one checkpoint, at its end.
func TestIntegratorSignsOncePerPass(t *testing.T) {
	t.Parallel()
	_, st, _ := newService(t, nil)
	ctx := context.Background()
	signer, verifier := testKey(t)
	in := gateway.NewIntegrator(st, signer, verifier, nil)
	s0, err := in.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]countersign.Event, 350)
	for i := range evs {
		evs[i] = countersign.NewEvent(countersign.EventReviewed, "act_x", "human:h@example.com", time.Unix(int64(i), 0), map[string]int{"i": i})
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	s1, err := in.Integrate(ctx)
	if err != nil || s1 != s0+350 {
		t.Fatalf("Integrate = %d, %v; want %d", s1, err, s0+350)
	}
	got, _, err := st.LedgerCheckpoint(ctx, s1-1, true)
	if err != nil || got != s0 {
		t.Fatalf("checkpoint below %d is at %d (%v); want only %d and %d, none between", s1, got, err, s0, s1)
	}
	if n, err := checkLog(t, st, verifier); err != nil || n != s1 {
		t.Fatalf("checkLog = %d, %v", n, err)
	}
}

// An integrator extends only a tree whose newest checkpoint it signed and
// whose stored nodes match it.
func TestIntegratorRefusesForeignOrRolledBackTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	svc, st, _ := newServiceAt(t, filepath.Join(dir, "cs.db"))
	ctx := context.Background()
	signer, verifier := testKey(t)
	svc.Submit(ctx, bot, action("staging"))
	if _, err := gateway.NewIntegrator(st, signer, verifier, nil).Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Submit(ctx, bot, action("staging"))
	otherSigner, otherVerifier := testKey(t)
	if _, err := gateway.NewIntegrator(st, otherSigner, otherVerifier, nil).Integrate(ctx); err == nil {
		t.Fatal("an integrator with another key extended the log")
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "cs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM ledger_leaves WHERE idx = (SELECT MAX(idx) FROM ledger_leaves)`); err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.NewIntegrator(st, signer, verifier, nil).Integrate(ctx); err == nil {
		t.Fatal("the integrator extended a log rolled back below its newest checkpoint")
	}
}
