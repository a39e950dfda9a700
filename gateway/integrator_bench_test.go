package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/ledger"
	"github.com/countersign/countersign/sqlite"
)

// Benchmarks of the evidence log on SQLite (synchronous=FULL, so every
// commit is on disk). The figures are recorded in bench/RESULTS.md.
//
//	go test ./gateway -run XXX -bench 'Ledger|InclusionProofSQLite' -benchtime 3s
//
// BenchmarkInclusionProofSQLite1M builds a 1,000,000-entry log first (a
// minute or two); COUNTERSIGN_BENCH_SMALL=1 makes it 100,000.

// benchBatch is how many events one AppendEvents call writes: the events of
// the concurrent requests that one group commit holds.
const benchBatch = 100

func benchStore(b *testing.B) countersign.Store {
	b.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "cs.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func benchKey(b *testing.B) (note.Signer, note.Verifier) {
	b.Helper()
	skey, vkey, err := ledger.GenerateKey(rand.Reader, "countersign/bench")
	if err != nil {
		b.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		b.Fatal(err)
	}
	return s, v
}

// benchEvents returns n events like those of real requests: submitted
// actions (a SQL statement with labels, its digest) and reviews with a
// reason, their data 300-600 bytes.
func benchEvents(b *testing.B, n int) []countersign.Event {
	b.Helper()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out := make([]countersign.Event, n)
	for i := range out {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		id := fmt.Sprintf("req_01J%023d", i/2)
		if i%2 == 0 {
			act, err := json.Marshal(countersign.Action{
				Kind: countersign.ActionSQL, Agent: "billing-bot", OnBehalfOf: "olive@example.com",
				Environment: "production", Resource: "postgres://billing-primary/invoices",
				Summary: fmt.Sprintf("Void duplicate invoice %d raised by the retry storm", 100000+i),
				Payload: json.RawMessage(fmt.Sprintf(`{"sql":"UPDATE invoices SET status = 'void', voided_at = now() WHERE id = %d AND status = 'open'"}`, 100000+i)),
				Labels:  map[string]string{"ticket": fmt.Sprintf("OPS-%d", 4000+i), "team": "billing"},
			})
			if err != nil {
				b.Fatal(err)
			}
			out[i] = countersign.NewEvent(countersign.EventSubmitted, id, "agent:billing-bot", at, map[string]any{
				"action": json.RawMessage(act), "agent_owner": "olive@example.com",
				"digest": fmt.Sprintf("sha256:%064x", i),
			})
			continue
		}
		out[i] = countersign.NewEvent(countersign.EventReviewed, id, "human:dana@example.com", at, countersign.Review{
			Reviewer: "dana@example.com", Verdict: countersign.VerdictApprove,
			Reason: fmt.Sprintf("Checked OPS-%d: the invoice is a duplicate of the one paid yesterday, and the "+
				"statement touches that one row only. Approved for the billing on-call rota.", 4000+i-1),
			Channel: "slack", ChannelUser: "U024BE7LH", At: at,
		})
	}
	return out
}

func meanData(events []countersign.Event) float64 {
	n := 0
	for _, e := range events {
		n += len(e.Data)
	}
	return float64(n) / float64(len(events))
}

// BenchmarkLedgerAppendSQLite measures durable appends to the evidence log:
// events written in group commits of benchBatch, each integrated into the
// tree (leaves, nodes and a signed checkpoint stored, on disk) before the
// figure counts it.
func BenchmarkLedgerAppendSQLite(b *testing.B) {
	pool := benchEvents(b, 1000)
	ctx := context.Background()

	// One writer: append a batch, integrate it, and again.
	b.Run(fmt.Sprintf("serial/batch=%d", benchBatch), func(b *testing.B) {
		st := benchStore(b)
		signer, verifier := benchKey(b)
		in := gateway.NewIntegrator(st, signer, verifier, nil)
		i := 0
		for b.Loop() {
			batch := pool[i%len(pool) : i%len(pool)+benchBatch]
			i += benchBatch
			if err := st.AppendEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			if _, err := in.Integrate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(meanData(pool), "data-B/event")
	})

	// Concurrent writers whose batches share group commits, and an
	// integrator running beside them without pause; the clock stops when
	// every event is in a signed checkpoint.
	b.Run(fmt.Sprintf("concurrent/batch=%d", benchBatch), func(b *testing.B) {
		st := benchStore(b)
		signer, verifier := benchKey(b)
		in := gateway.NewIntegrator(st, signer, verifier, nil)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				if _, err := in.Integrate(runCtx); err != nil && runCtx.Err() == nil {
					b.Error(err)
					return
				}
			}
		}()
		b.SetParallelism(4)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				batch := pool[i%len(pool) : i%len(pool)+benchBatch]
				i += benchBatch
				if err := st.AppendEvents(ctx, batch); err != nil {
					b.Error(err)
					return
				}
			}
		})
		stop()
		wg.Wait()
		size, err := in.Integrate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if want := uint64(b.N * benchBatch); size != want {
			b.Fatalf("integrated %d events, want %d", size, want)
		}
		b.ReportMetric(float64(b.N*benchBatch)/elapsed.Seconds(), "events/s")
	})
}

// BenchmarkLedgerIntegrateSQLite measures integration alone: the events are
// written with the clock stopped, and each operation integrates one batch
// of them (a steady trickle) or one integrator page (a backlog).
func BenchmarkLedgerIntegrateSQLite(b *testing.B) {
	pool := benchEvents(b, 5000)
	ctx := context.Background()
	for _, batch := range []int{benchBatch, 5000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			st := benchStore(b)
			signer, verifier := benchKey(b)
			in := gateway.NewIntegrator(st, signer, verifier, nil)
			i := 0
			for b.Loop() {
				b.StopTimer()
				for n := 0; n < batch; n += benchBatch {
					if err := st.AppendEvents(ctx, pool[i%len(pool):i%len(pool)+benchBatch]); err != nil {
						b.Fatal(err)
					}
					i += benchBatch
				}
				b.StartTimer()
				if _, err := in.Integrate(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkInclusionProofSQLite1M measures reading an inclusion proof of a
// random leaf of a 1,000,000-entry log from SQLite.
func BenchmarkInclusionProofSQLite1M(b *testing.B) {
	total := 1_000_000
	if os.Getenv("COUNTERSIGN_BENCH_SMALL") != "" {
		total = 100_000
	}
	ctx := context.Background()
	st := benchStore(b)
	signer, verifier := benchKey(b)

	start := time.Now()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const chunk = 10_000
	batch := make([]countersign.Event, 0, chunk)
	for i := range total {
		batch = append(batch, countersign.NewEvent(countersign.EventDecided, fmt.Sprintf("req_%d", i/3), "policy",
			t0.Add(time.Duration(i)*time.Millisecond), map[string]any{"effect": "allow", "rules": []string{"staging"}}))
		if len(batch) == chunk || i == total-1 {
			if err := st.AppendEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
			if (i+1)%200_000 == 0 || i == total-1 {
				b.Logf("appended %d events in %v", i+1, time.Since(start).Round(time.Millisecond))
			}
		}
	}
	start = time.Now()
	size, err := gateway.NewIntegrator(st, signer, verifier, nil).Integrate(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if size != uint64(total) {
		b.Fatalf("integrated %d events, want %d", size, total)
	}
	b.Logf("integrated %d events in %v", size, time.Since(start).Round(time.Millisecond))

	head, err := st.LedgerHead(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cp, err := ledger.Open(head.Checkpoint, verifier)
	if err != nil {
		b.Fatal(err)
	}
	if cp.Size != size {
		b.Fatalf("checkpoint size %d, want %d", cp.Size, size)
	}
	rng := mrand.New(mrand.NewPCG(1, 2))
	nodes := gateway.NodeStore(st)
	// The proofs the benchmark reads are right: check a few against the
	// signed checkpoint, with the leaf hash recomputed from the event.
	for _, idx := range []uint64{0, size - 1, rng.Uint64N(size), rng.Uint64N(size), rng.Uint64N(size)} {
		entries, err := st.LedgerEntries(ctx, idx, idx+1)
		if err != nil || len(entries) != 1 {
			b.Fatalf("entry %d: %v, %d entries", idx, err, len(entries))
		}
		leaf, err := ledger.Leaf(idx, entries[0].Event)
		if err != nil {
			b.Fatal(err)
		}
		if h := ledger.LeafHash(leaf); !bytes.Equal(h, entries[0].Hash) {
			b.Fatalf("leaf %d: stored hash %x, event hashes to %x", idx, entries[0].Hash, h)
		}
		proof, err := ledger.InclusionProof(ctx, nodes, idx, cp.Size)
		if err != nil {
			b.Fatal(err)
		}
		if err := ledger.VerifyInclusion(idx, cp.Size, entries[0].Hash, proof, cp.Root); err != nil {
			b.Fatal(err)
		}
	}

	for b.Loop() {
		if _, err := ledger.InclusionProof(ctx, nodes, rng.Uint64N(size), cp.Size); err != nil {
			b.Fatal(err)
		}
	}
}
