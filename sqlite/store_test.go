package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/sqlite"
	"github.com/countersign/countersign/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
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
		return open(t, filepath.Join(t.TempDir(), "countersign.db"))
	})
}

// TestReopen checks that data survives Close and that migrating an up-to-date
// database changes nothing.
func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "countersign.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, []countersign.Event{countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", time.Now(), nil)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	events, err := s.Events(ctx, 0, 10)
	if err != nil || len(events) != 1 {
		t.Errorf("Events after reopen = %d, %v; want 1, nil", len(events), err)
	}
}

// TestOpenPathAsIs checks that a file name is used as it is, not as a URI
// ("%41" is not "A").
func TestOpenPathAsIs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open(t, filepath.Join(dir, "x%41#y.db"))
	if _, err := os.Stat(filepath.Join(dir, "x%41#y.db")); err != nil {
		t.Errorf("database file not at the given name: %v", err)
	}
}

func TestOpenRefusesBadPath(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", ":memory:", "a?mode=ro", "file:a"} {
		if s, err := sqlite.Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want an error", p)
		}
	}
}

func allowed(i int, now time.Time) countersign.CreateRequestParams {
	a := countersign.Action{Kind: countersign.ActionSQL, Agent: "bot", Payload: json.RawMessage(`{"sql":"select 1"}`)}
	np := countersign.NewRequestParams{ID: fmt.Sprintf("req-%d", i), Action: a, Owner: "owner@example.com",
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
	s := open(b, filepath.Join(b.TempDir(), "countersign.db"))
	ctx := context.Background()
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.CreateRequest(ctx, allowed(i, now)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateRequestParallel is the allow path under concurrent callers,
// as an API server sees it.
func BenchmarkCreateRequestParallel(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "countersign.db"))
	ctx := context.Background()
	now := time.Now()
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.CreateRequest(ctx, allowed(int(seq.Add(1)), now)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
