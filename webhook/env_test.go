package webhook_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/sqlite"
)

// The policy of the end-to-end tests: every SQL statement is held for one
// approval of the sre group, and the siem integration hears of it. Sue is
// in sre only by the directory (People), not by the policy.
const testPolicy = `version: 1
default: deny
groups:
  sre: [sam@example.com, olive@example.com]
rules:
  - name: sql-review
    match: action.kind == "sql"
    effect: review
    review: {approvers: [group:sre], min_approvals: 1, ttl: 30m, notify: ["webhook:siem"]}
`

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var (
	// bot is the agent; olive owns it.
	bot = countersign.Principal{Kind: countersign.KindAgent, Name: "bot", Owner: "olive@example.com"}

	people = countersign.People{
		{Email: "sam@example.com", Groups: []string{"sre"}},
		{Email: "Sue@Example.com", Groups: []string{"sre"}},
		{Email: "olive@example.com", Groups: []string{"sre"}}, // the agent's owner
		{Email: "dave@example.com", Groups: []string{"dba"}},
	}
)

// env is a real gateway on a real SQLite store.
type env struct {
	svc *gateway.Service
	st  countersign.Store
	clk *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := policy.Parse("test.yaml", []byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := gateway.New(gateway.Config{Store: st, Policy: p, Now: clk.Now})
	return &env{svc: svc, st: st, clk: clk}
}

// submit has the agent submit a SQL statement, which policy holds.
func (e *env) submit(t *testing.T) *countersign.Request {
	t.Helper()
	r, _, err := e.svc.Submit(context.Background(), bot, countersign.Action{Kind: countersign.ActionSQL,
		Environment: "production", Payload: json.RawMessage(`{"sql":"DELETE FROM orders WHERE id = 7"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != countersign.StatePending {
		t.Fatalf("submitted request is %s, want pending", r.State)
	}
	return r
}

// reviewEvents returns the data of the review.recorded events of request id.
func (e *env) reviewEvents(t *testing.T, id string) (out []countersign.Review, actors []string) {
	t.Helper()
	evs, err := e.st.Events(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type != countersign.EventReviewed || ev.ActionID != id {
			continue
		}
		var rv countersign.Review
		if err := json.Unmarshal(ev.Data, &rv); err != nil {
			t.Fatal(err)
		}
		out = append(out, rv)
		actors = append(actors, ev.Actor)
	}
	return out, actors
}
