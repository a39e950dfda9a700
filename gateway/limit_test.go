package gateway_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/postgres"
	"github.com/countersign/countersign/sqlite"
)

// limitPolicy lets two read-only statements a minute through per agent,
// with the real SQL analyser deciding what is read-only.
const limitPolicy = `version: 1
default: deny
rules:
  - name: reads
    match: action.kind == "sql" && sql.read_only
    effect: allow
    limit: {count: 2, per: 1m, then: review}
`

func read() countersign.Action {
	return countersign.Action{Kind: countersign.ActionSQL, Payload: json.RawMessage(`{"sql":"SELECT id FROM orders WHERE id = 1"}`)}
}

func limitService(t *testing.T, st countersign.Store, clk *clock) *gateway.Service {
	t.Helper()
	p, err := policy.Parse("limit.yaml", []byte(limitPolicy))
	if err != nil {
		t.Fatal(err)
	}
	return gateway.New(gateway.Config{Store: st, Policy: p, Now: clk.Now})
}

func submitEffect(t *testing.T, svc *gateway.Service, by countersign.Principal) countersign.Effect {
	t.Helper()
	r, _, err := svc.Submit(context.Background(), by, read())
	if err != nil {
		t.Fatal(err)
	}
	return r.Decision.Effect
}

// The count survives a restart: the third read within the minute is held
// by a new process on the same database.
func TestLimitHoldsAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cs.db")
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	svc := limitService(t, st, clk)
	for i := range 2 {
		if e := submitEffect(t, svc, bot); e != countersign.EffectAllow {
			t.Fatalf("read %d: %s, want allow", i+1, e)
		}
	}
	// Another agent has its own count.
	if e := submitEffect(t, svc, other); e != countersign.EffectAllow {
		t.Fatalf("other agent: %s, want allow", e)
	}
	st.Close()

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc = limitService(t, st, clk)
	r, _, err := svc.Submit(ctx, bot, read())
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision.Effect != countersign.EffectReview || r.State != countersign.StatePending || r.Decision.Rules[0] != "reads" {
		t.Fatalf("third read after restart: %s %v, want review by reads", r.Decision.Effect, r.Decision.Reasons)
	}
	var facts map[string]map[string]any
	if err := json.Unmarshal(r.Decision.Facts, &facts); err != nil || facts["sql"]["read_only"] != true {
		t.Errorf("the decision records the facts it judged: %v", r.Decision.Facts)
	}
	clk.Advance(61 * time.Second)
	if e := submitEffect(t, svc, bot); e != countersign.EffectAllow {
		t.Fatalf("after the window: %s, want allow", e)
	}
}

// Replicas on one PostgreSQL share the count.
func TestLimitHoldsAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.Start(t)
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var svcs []*gateway.Service
	for range 2 {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svcs = append(svcs, limitService(t, st, clk))
	}
	if e := submitEffect(t, svcs[0], bot); e != countersign.EffectAllow {
		t.Fatalf("first read on replica 1: %s", e)
	}
	if e := submitEffect(t, svcs[1], bot); e != countersign.EffectAllow {
		t.Fatalf("second read on replica 2: %s", e)
	}
	if e := submitEffect(t, svcs[0], bot); e != countersign.EffectReview {
		t.Fatalf("third read on replica 1: %s, want review", e)
	}
}
