package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/sqlite"
)

// TestHitReopen checks that hits survive Close: a limit holds across a
// restart.
func TestHitReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "countersign.db")
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if n, err := s.Hit(ctx, "bot/r", at.Add(time.Duration(i)), time.Minute, 1000); err != nil || n != i+1 {
			t.Fatalf("Hit %d = %d, %v; want %d, nil", i, n, err, i+1)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	// at+1m is just past the first hit, to the nanosecond.
	if n, err := s.Hit(ctx, "bot/r", at.Add(time.Minute), time.Minute, 1000); err != nil || n != 3 {
		t.Errorf("Hit after reopen = %d, %v; want 3, nil", n, err)
	}
}

// BenchmarkHit measures one caller counting hits on one key, one a second
// against a 1-minute window, so the key holds 60 hits as a busy agent's
// rule would.
func BenchmarkHit(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "countersign.db"))
	ctx := context.Background()
	at := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Hit(ctx, "bot/limit", at.Add(time.Duration(i)*time.Second), time.Minute, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHitParallel is BenchmarkHit under concurrent callers on 16 keys,
// as an API server sees it.
func BenchmarkHitParallel(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "countersign.db"))
	ctx := context.Background()
	at := time.Now()
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			key := fmt.Sprintf("bot%d/limit", i%16)
			if _, err := s.Hit(ctx, key, at.Add(time.Duration(i/16)*time.Second), time.Minute, 1000); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
