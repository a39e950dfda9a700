package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/countersign/countersign/postgres"
)

// TestHitReplicas races Hits on one key from two replicas of one database,
// then restarts one: a limit holds across replicas and restarts.
func TestHitReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.Start(t)
	first, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	replicas := []countersign.Store{first, open(t, dsn)}
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	const n = 20
	got := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			got[i], errs[i] = replicas[i%2].Hit(ctx, "bot/r", at, time.Minute, 1000)
		}()
	}
	close(start)
	for range n {
		<-done
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Hit %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i := range got {
		if got[i] != i+1 {
			t.Fatalf("Hits from two replicas returned %v, want 1 to %d, each once", got, n)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	restarted := open(t, dsn)
	if c, err := restarted.Hit(ctx, "bot/r", at.Add(time.Second), time.Minute, 1000); err != nil || c != n+1 {
		t.Errorf("Hit after a restart = %d, %v; want %d, nil", c, err, n+1)
	}
}
