package storetest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// noMax is a limit no test reaches.
const noMax = 1 << 20

// hit calls s.Hit with no effective limit and fails the test unless it
// returns want.
func hit(t *testing.T, s countersign.Store, key string, at time.Time, per time.Duration, want int) {
	t.Helper()
	hitMax(t, s, key, at, per, noMax, want)
}

// hitMax calls s.Hit and fails the test unless it returns want.
func hitMax(t *testing.T, s countersign.Store, key string, at time.Time, per time.Duration, max, want int) {
	t.Helper()
	n, err := s.Hit(context.Background(), key, at, per, max)
	if err != nil || n != want {
		t.Fatalf("Hit(%q, t0+%v, %v, max %d) = %d, %v; want %d, nil", key, at.Sub(t0), per, max, n, err, want)
	}
}

// testHitWindow counts hits after at-per, to the nanosecond.
func testHitWindow(t *testing.T, s countersign.Store) {
	const k = "bot/limit"
	for _, c := range []struct {
		at   time.Duration // after t0
		want int
	}{
		{0, 1},
		{10 * time.Second, 2},
		{20 * time.Second, 3},
		{20 * time.Second, 4},                  // at the same time as another
		{time.Minute - time.Nanosecond, 5},     // t0 is still in (at-1m, at]
		{time.Minute, 5},                       // t0 is at-1m: out
		{80*time.Second - time.Nanosecond, 5},  // 20s, 20s, 1m-1ns, 1m and this
		{80 * time.Second, 4},                  // the two at 20s are out
		{10 * time.Minute, 1},                  // all out
		{10*time.Minute + time.Millisecond, 2}, // the window starts again
	} {
		hit(t, s, k, t0.Add(c.at), time.Minute, c.want)
	}
	// Hits later than at count too (a replica's clock may run behind
	// another's): 10m, 10m+1ms and this.
	hit(t, s, k, t0.Add(9*time.Minute+30*time.Second), time.Minute, 3)
	// A longer period reaches further back: 9m30s, 10m, 10m+1ms and this.
	hit(t, s, k, t0.Add(10*time.Minute+2*time.Millisecond), 2*time.Minute, 4)
}

// testHitKeys checks that keys are counted apart, compared exactly.
func testHitKeys(t *testing.T, s countersign.Store) {
	keys := []string{"bot/r", "bot/r2", "bot", "Bot/r", "bot/r ", "bot2/r", "bot/ü"}
	for i, k := range keys {
		for j := range i + 1 {
			hit(t, s, k, t0.Add(time.Duration(j)*time.Second), time.Hour, j+1)
		}
	}
	for i, k := range keys {
		hit(t, s, k, t0.Add(time.Minute), time.Hour, i+2)
	}
}

// testHitDiscard checks that Hit discards a key's hits that left the window,
// and only that key's: a later, longer window no longer counts them. The
// interface allows discarding; the suite requires it of every store, since a
// store that never discards grows without bound.
func testHitDiscard(t *testing.T, s countersign.Store) {
	const k, other = "bot/a", "bot/b"
	for i := range 3 {
		hit(t, s, k, t0, time.Minute, i+1)
		hit(t, s, other, t0, time.Minute, i+1)
	}
	hit(t, s, k, t0.Add(time.Minute+time.Second), time.Minute, 1) // discards the three at t0
	hit(t, s, k, t0.Add(2*time.Minute), time.Hour, 2)             // 5 if they were kept
	hit(t, s, other, t0.Add(2*time.Minute), time.Hour, 4)         // other's are still there
}

// testHitConcurrent races Hits on one key at one instant: they count one
// after another, so the results are 1..n, each once.
func testHitConcurrent(t *testing.T, s countersign.Store) {
	const n = 20
	got := make([]int, n)
	errs := make([]error, n)
	warm(t, s, n)
	parallel(n, func(i int) {
		got[i], errs[i] = s.Hit(context.Background(), "bot/race", t0, time.Minute, noMax)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Hit %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i := range got {
		if got[i] != i+1 {
			t.Fatalf("concurrent Hits returned %v, want 1 to %d, each once", got, n)
		}
	}
	hit(t, s, "bot/race", t0, time.Minute, n+1)
}

// testHitInvalid checks that bad arguments are EInvalid and record nothing,
// and that the limits themselves are accepted.
func testHitInvalid(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	long := strings.Repeat("k", 512)
	for _, c := range []struct {
		name string
		key  string
		at   time.Time
		per  time.Duration
		max  int
	}{
		{"empty key", "", t0, time.Minute, 1},
		{"key of 513 bytes", long + "k", t0, time.Minute, 1},
		{"zero period", "bot/r", t0, 0, 1},
		{"negative period", "bot/r", t0, -time.Minute, 1},
		{"key not UTF-8", "bot/\xff", t0, time.Minute, 1},
		{"key with NUL", "bot/\x00", t0, time.Minute, 1},
		{"zero time", "bot/r", time.Time{}, time.Minute, 1},
		{"time after 2262", "bot/r", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, 1},
		{"zero max", "bot/r", t0, time.Minute, 0},
		{"negative max", "bot/r", t0, time.Minute, -1},
	} {
		n, err := s.Hit(ctx, c.key, c.at, c.per, c.max)
		if n != 0 {
			t.Errorf("Hit with %s = %d, want 0", c.name, n)
		}
		wantCode(t, "Hit with "+c.name, err, countersign.EInvalid)
	}
	hit(t, s, "bot/r", t0, time.Minute, 1)
	hit(t, s, long, t0, time.Minute, 1)
	// A window reaching back before 1678, where times can no longer be
	// stored, holds every hit up to at.
	old := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	hit(t, s, "bot/old", old, math.MaxInt64, 1)
	hit(t, s, "bot/old", old.Add(time.Nanosecond), math.MaxInt64, 2)
	hit(t, s, "bot/old", old.Add(time.Hour), math.MaxInt64, 3)
	// The longest period from t0 reaches back only to 1733.
	hit(t, s, "bot/old", t0, math.MaxInt64, 1)
}

// testHitMax checks that a key keeps at most max hits in its window: hits
// over the limit are answered (max+1) but not recorded, so the allowance
// comes back as the recorded hits age out.
func testHitMax(t *testing.T, s countersign.Store) {
	const k = "bot/max"
	sec := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Second))) }
	hitMax(t, s, k, sec(0), time.Minute, 3, 1)
	hitMax(t, s, k, sec(1), time.Minute, 3, 2)
	hitMax(t, s, k, sec(2), time.Minute, 3, 3)
	for i := 3; i < 10; i++ {
		hitMax(t, s, k, sec(float64(i)), time.Minute, 3, 4) // over: not kept
	}
	// At 60.5s the hit at 0 has left the window; those over the limit were
	// never kept, so 1s and 2s remain and this one is allowed and kept.
	hitMax(t, s, k, sec(60.5), time.Minute, 3, 3)
	hitMax(t, s, k, sec(60.6), time.Minute, 3, 4)
	// A larger max counts what was kept: 1s, 2s, 60.5s and this.
	hitMax(t, s, k, sec(60.7), time.Minute, 10, 4)
}

// testHitsInCreateRequest checks that CreateRequest counts its hits in its
// own transaction and hands the counts to Build; that a replayed
// idempotency key or a frozen agent counts nothing; and that a failed Build
// leaves no hit behind.
func testHitsInCreateRequest(t *testing.T, s countersign.Store) {
	ctx := context.Background()
	hits := []countersign.HitParams{{Key: "bot/reads", At: t0, Per: time.Minute, Max: 2}, {Key: "bot/any", At: t0, Per: time.Hour, Max: 100}}
	createWith := func(id, key string, want []int) {
		t.Helper()
		np := params(id, agentName, allow, t0)
		np.Action.IdempotencyKey = key
		var got []int
		_, _, err := s.CreateRequest(ctx, countersign.CreateRequestParams{
			Agent: agentName, IdempotencyKey: key, Hits: hits,
			Build: func(frozen bool, counts []int) (*countersign.Request, []countersign.Event, error) {
				got = counts
				return build(np)(frozen, counts)
			},
		})
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("create %s: counts %v, err %v; want %v", id, got, err, want)
		}
	}
	createWith("h1", "k1", []int{1, 1})
	createWith("h2", "k2", []int{2, 2})
	createWith("h3", "k3", []int{3, 3}) // over the first limit: counted, not kept
	createWith("h3-again", "k3", nil)   // a replay: Build is not called, nothing counted
	hitMax(t, s, "bot/reads", t0, time.Minute, 2, 3)
	hitMax(t, s, "bot/any", t0, time.Hour, 100, 4)

	// A failed Build rolls its hits back.
	boom := countersign.Errorf(countersign.EInvalid, "boom")
	_, _, err := s.CreateRequest(ctx, countersign.CreateRequestParams{Agent: agentName, Hits: hits,
		Build: func(bool, []int) (*countersign.Request, []countersign.Event, error) { return nil, nil, boom }})
	if err != boom {
		t.Fatalf("failing Build: %v", err)
	}
	hitMax(t, s, "bot/any", t0, time.Hour, 100, 5) // 4 and this one: the failed create left none

	// A frozen agent's request counts nothing.
	if err := s.SetAgentFrozen(ctx, agentName, true, countersign.NewEvent(countersign.EventAgentFrozen, "", "admin", t0, nil)); err != nil {
		t.Fatal(err)
	}
	createWith("h4", "k4", nil)
	hitMax(t, s, "bot/any", t0, time.Hour, 100, 6)
}
