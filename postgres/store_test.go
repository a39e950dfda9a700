package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/countersign/countersign/postgres"
	"github.com/countersign/countersign/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(pgtest.Main(m))
}

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) countersign.Store {
		return open(t, pgtest.Start(t))
	})
}

// TestOpenTogether starts replicas on one empty database at once: the
// migration lock lets one migrate and the others find the schema in place.
func TestOpenTogether(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(context.Background(), dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		if err := stores[i].Ping(context.Background()); err != nil {
			t.Errorf("Ping %d: %v", i, err)
		}
		stores[i].Close()
	}
}

func TestWatch(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	writer, watcher := open(t, dsn), open(t, dsn) // two replicas
	ctx, cancel := context.WithCancel(context.Background())
	ids := make(chan string, 10)
	var resyncs atomic.Int32 // "" after each (re)connect: re-read everything
	done := make(chan error)
	go func() {
		done <- watcher.Watch(ctx, func(id string) {
			if id == "" {
				resyncs.Add(1)
				return
			}
			ids <- id
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch returned %v after cancel, want nil", err)
		}
	}()

	// Watch may not be listening yet: create requests until one is seen.
	var first string
	deadline := time.After(10 * time.Second)
	for i := 0; first == ""; i++ {
		id := fmt.Sprintf("w%d", i)
		if _, _, err := writer.CreateRequest(ctx, allowed(id, time.Now())); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-ids:
			first = got
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification within 10s of creating requests")
		}
	}
	for len(ids) > 0 { // drain notifications of earlier creates
		<-ids
	}
	if _, err := writer.UpdateRequest(ctx, first, func(r *countersign.Request) ([]countersign.Event, error) {
		return r.Execute(r.Digest, countersign.Principal{Kind: countersign.KindAgent, Name: "bot"}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ids:
		if got != first {
			t.Errorf("notified id after update = %q, want %q", got, first)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification within 10s of an update")
	}
	// A failed update notifies nothing.
	_, err := writer.UpdateRequest(ctx, first, func(r *countersign.Request) ([]countersign.Event, error) {
		return nil, countersign.Errorf(countersign.EConflict, "no")
	})
	if countersign.ErrorCode(err) != countersign.EConflict {
		t.Fatalf("failing update error = %v, want conflict", err)
	}
	select {
	case got := <-ids:
		t.Errorf("failed update notified %q, want nothing", got)
	case <-time.After(300 * time.Millisecond):
	}
	if n := resyncs.Load(); n != 1 {
		t.Errorf("Watch signalled %d resyncs on one connection, want 1", n)
	}
}

func allowed(id string, now time.Time) countersign.CreateRequestParams {
	a := countersign.Action{Kind: countersign.ActionSQL, Agent: "bot", Payload: json.RawMessage(`{"sql":"select 1"}`)}
	np := countersign.NewRequestParams{ID: id, Action: a, Owner: "owner@example.com",
		Digest: "sha256:d", Decision: countersign.Decision{Effect: countersign.EffectAllow}, Now: now}
	return countersign.CreateRequestParams{Agent: "bot", Build: func(frozen bool, _ []int) (*countersign.Request, []countersign.Event, error) {
		np.Frozen = frozen
		r, ev := countersign.NewRequest(np)
		return r, ev, nil
	}}
}

// BenchmarkCreateRequest measures the allow path: one request and its three
// events per transaction.
func BenchmarkCreateRequest(b *testing.B) {
	s := open(b, pgtest.Start(b))
	ctx := context.Background()
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.CreateRequest(ctx, allowed(fmt.Sprintf("req-%d", i), now)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateRequestParallel is the allow path under concurrent callers.
func BenchmarkCreateRequestParallel(b *testing.B) {
	s := open(b, pgtest.Start(b))
	ctx := context.Background()
	now := time.Now()
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.CreateRequest(ctx, allowed(fmt.Sprintf("req-%d", seq.Add(1)), now)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
