package gateway_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/sqlite"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(pgtest.Main(m), goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"))
}

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

const testPolicy = `version: 1
default: deny
rules:
  - name: prod
    match: action.environment == "production"
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 10m, grant_ttl: 1m}
  - name: staging
    match: action.environment == "staging"
    effect: allow
    grant_ttl: 1m
`

var (
	bot   = countersign.Principal{Kind: countersign.KindAgent, Name: "bot", Owner: "olive@example.com"}
	other = countersign.Principal{Kind: countersign.KindAgent, Name: "other", Owner: "olive@example.com"}
	dana  = countersign.Principal{Kind: countersign.KindHuman, Name: "dana@example.com"}
)

func newService(t *testing.T, analyzer gateway.Analyzer) (*gateway.Service, countersign.Store, *clock) {
	t.Helper()
	return newServiceWith(t, filepath.Join(t.TempDir(), "cs.db"), analyzer)
}

func newServiceAt(t *testing.T, path string) (*gateway.Service, countersign.Store, *clock) {
	t.Helper()
	return newServiceWith(t, path, nil)
}

func newServiceWith(t *testing.T, path string, analyzer gateway.Analyzer) (*gateway.Service, countersign.Store, *clock) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := policy.Parse("test.yaml", []byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := gateway.New(gateway.Config{Store: st, Policy: p, Now: clk.Now, Analyzer: analyzer, SweepInterval: 10 * time.Millisecond})
	return svc, st, clk
}

func action(env string) countersign.Action {
	return countersign.Action{Kind: countersign.ActionSQL, Environment: env, Payload: json.RawMessage(`{"sql":"select 1"}`)}
}

func code(err error) string { return countersign.ErrorCode(err) }

func TestWaitIsWokenByReview(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	r, _, err := svc.Submit(ctx, bot, action("production"))
	if err != nil || r.State != countersign.StatePending {
		t.Fatalf("submit: %v %v, want pending", r, err)
	}
	done := make(chan *countersign.Request, 1)
	go func() {
		w, _ := svc.Wait(ctx, bot, r.ID, 30*time.Second)
		done <- w
	}()
	time.Sleep(20 * time.Millisecond) // let the waiter subscribe
	start := time.Now()
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-done:
		if w.State != countersign.StateApproved {
			t.Fatalf("woke with %s, want approved", w.State)
		}
		if time.Since(start) > time.Second {
			t.Fatalf("woke after %s", time.Since(start))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter not woken")
	}
}

func TestDrainAnswersWaiters(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	r, _, _ := svc.Submit(ctx, bot, action("production"))
	done := make(chan *countersign.Request, 1)
	go func() {
		w, _ := svc.Wait(ctx, bot, r.ID, time.Minute)
		done <- w
	}()
	time.Sleep(20 * time.Millisecond)
	svc.Drain()
	select {
	case w := <-done:
		if w.State != countersign.StatePending {
			t.Fatalf("drained waiter got %s, want the current state pending", w.State)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Drain did not answer the waiter")
	}
}

func TestSweeperExpiresWithInjectedClock(t *testing.T) {
	t.Parallel()
	svc, st, clk := newService(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { svc.Run(ctx); close(runDone) }()
	defer func() { cancel(); <-runDone }()

	pending, _, _ := svc.Submit(ctx, bot, action("production"))
	granted, _, _ := svc.Submit(ctx, bot, action("staging"))
	clk.Advance(2 * time.Minute) // past grant_ttl (1m), not ttl (10m)
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, _ := st.Request(ctx, granted.ID)
		if g.State == countersign.StateExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("grant not expired by the sweeper: %s", g.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if p, _ := st.Request(ctx, pending.ID); p.State != countersign.StatePending {
		t.Fatalf("pending request is %s before its ttl, want pending", p.State)
	}
	clk.Advance(10 * time.Minute)
	n, err := svc.Expire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.Request(ctx, pending.ID)
	if p.State != countersign.StateExpired {
		t.Fatalf("after ttl: %s (moved %d), want expired", p.State, n)
	}
	evs, _ := st.Events(ctx, 0, 1000)
	expired := 0
	for _, e := range evs {
		if e.Type == countersign.EventExpired {
			expired++
		}
	}
	if expired != 2 {
		t.Fatalf("%d request.expired events, want 2", expired)
	}
}

func TestAnalyzerErrorDenies(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, func(context.Context, countersign.Action, map[string]any, policy.Analysis) (gateway.Facts, error) {
		return nil, errors.New("parser crashed")
	})
	r, _, err := svc.Submit(context.Background(), bot, action("staging"))
	if err != nil {
		t.Fatal(err)
	}
	if r.State != countersign.StateDenied {
		t.Fatalf("analyser error: %s, want denied (fail closed)", r.State)
	}
}

func TestIdempotencyAndVisibility(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	a := action("production")
	a.IdempotencyKey = "k1"
	r1, created, err := svc.Submit(ctx, bot, a)
	if err != nil || !created {
		t.Fatalf("first submit: created %v err %v", created, err)
	}
	r2, created, err := svc.Submit(ctx, bot, a)
	if err != nil || created || r2.ID != r1.ID {
		t.Fatalf("repeat: id %s created %v err %v, want %s, false", r2.ID, created, err, r1.ID)
	}
	b := action("staging")
	b.IdempotencyKey = "k1"
	if _, _, err := svc.Submit(ctx, bot, b); code(err) != countersign.EConflict {
		t.Fatalf("same key, other action: %v, want conflict", err)
	}
	if _, _, err := svc.Submit(ctx, other, a); err != nil {
		t.Fatalf("other agent, same key: %v", err)
	}
	if _, err := svc.Get(ctx, other, r1.ID); code(err) != countersign.ENotFound {
		t.Fatalf("other agent reads bot's request: %v, want not_found", err)
	}
	if _, _, err := svc.Submit(ctx, dana, a); code(err) != countersign.EForbidden {
		t.Fatalf("human submits: %v, want forbidden", err)
	}
}

func TestTestPolicyRecordsNothing(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	before, _ := st.Events(ctx, 0, 1000)
	d, err := svc.TestPolicy(ctx, bot, action("staging"), "")
	if err != nil || d.Effect != countersign.EffectAllow {
		t.Fatalf("TestPolicy: %+v %v, want allow", d, err)
	}
	after, _ := st.Events(ctx, 0, 1000)
	reqs, _, _ := st.ListRequests(ctx, countersign.ListRequestsParams{Limit: 10})
	if len(after) != len(before) || len(reqs) != 0 {
		t.Fatalf("TestPolicy wrote %d events and %d requests", len(after)-len(before), len(reqs))
	}
}

func TestSetPolicyRecordsEvent(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	p, _ := policy.Parse("new.yaml", []byte("version: 1\ndefault: deny\n"))
	if err := svc.SetPolicy(ctx, p, "system"); err != nil {
		t.Fatal(err)
	}
	evs, _ := st.Events(ctx, 0, 100)
	if len(evs) == 0 || evs[len(evs)-1].Type != countersign.EventPolicyLoaded {
		t.Fatalf("last event %v, want policy.loaded", evs)
	}
	if svc.Policy().Digest() != p.Digest() {
		t.Fatal("policy not in force")
	}
	r, _, _ := svc.Submit(ctx, bot, action("staging"))
	if r.State != countersign.StateDenied || r.Decision.PolicyDigest != p.Digest() {
		t.Fatalf("under the new policy: %s digest %s, want denied under %s", r.State, r.Decision.PolicyDigest, p.Digest())
	}
}

func TestKeysAndFreeze(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	secret, created, err := svc.Bootstrap(ctx)
	if err != nil || !created {
		t.Fatalf("bootstrap: %v %v", created, err)
	}
	if s2, again, _ := svc.Bootstrap(ctx); again || s2 != "" {
		t.Fatal("second bootstrap created a key")
	}
	admin, err := svc.Authenticate(ctx, secret)
	if err != nil || admin.Kind != countersign.KindAdmin {
		t.Fatalf("authenticate bootstrap key: %v %v", admin, err)
	}
	agentSecret, k, err := svc.CreateKey(ctx, admin, bot)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Authenticate(ctx, agentSecret); err != nil || p.Name != "bot" {
		t.Fatalf("authenticate agent: %v %v", p, err)
	}
	if _, _, err := svc.CreateKey(ctx, bot, dana); code(err) != countersign.EForbidden {
		t.Fatalf("agent creates a key: %v, want forbidden", err)
	}
	if err := svc.RevokeKey(ctx, admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, agentSecret); code(err) != countersign.EUnauthenticated {
		t.Fatalf("revoked key: %v, want unauthenticated", err)
	}
	if err := svc.SetFrozen(ctx, dana, "bot", true); code(err) != countersign.EForbidden {
		t.Fatalf("human freezes: %v, want forbidden", err)
	}
	held, _, _ := svc.Submit(ctx, bot, action("staging"))
	if err := svc.SetFrozen(ctx, admin, "bot", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Execute(ctx, bot, held.ID, held.Digest); code(err) != countersign.EForbidden {
		t.Fatalf("frozen agent executes a grant issued before the freeze: %v, want forbidden", err)
	}
	r, _, _ := svc.Submit(ctx, bot, action("staging"))
	if r.State != countersign.StateDenied || r.Reason != countersign.ReasonAgentFrozen {
		t.Fatalf("frozen agent: %s %q", r.State, r.Reason)
	}
	if err := svc.SetFrozen(ctx, admin, "bot", false); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Execute(ctx, bot, held.ID, held.Digest); err != nil || got.State != countersign.StateExecuted {
		t.Fatalf("unfrozen agent executes its grant: %v, want executed", err)
	}
}

// A key revoked while its lookup is in flight is not cached back.
func TestRevokedKeyNotRecached(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	secret, _, _ := svc.Bootstrap(ctx)
	admin, _ := svc.Authenticate(ctx, secret)
	agentSecret, k, err := svc.CreateKey(ctx, admin, bot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, agentSecret); err != nil { // now cached
		t.Fatal(err)
	}
	if err := svc.RevokeKey(ctx, admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, agentSecret); code(err) != countersign.EUnauthenticated {
		t.Fatalf("revoked key right after revocation: %v, want unauthenticated", err)
	}
}

// The submitted event records the canonical action whose SHA-256 is the
// digest, so that an auditor can recompute the digest from the evidence.
func TestSubmittedEventBindsDigest(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	a := action("production")
	a.Labels = map[string]string{"ticket": "OPS-1"}
	a.Summary = "exports <orders> & refunds" // characters json.Marshal would escape
	a.Payload = json.RawMessage(`{"sql":"select '<a>' && 1","n":1.5e3}`)
	r, _, err := svc.Submit(ctx, bot, a)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := st.Events(ctx, 0, 100)
	for _, e := range evs {
		if e.Type != countersign.EventSubmitted || e.ActionID != r.ID {
			continue
		}
		var data struct {
			Action json.RawMessage `json:"action"`
			Digest string          `json:"digest"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data.Action)
		if got := "sha256:" + hex.EncodeToString(sum[:]); got != r.Digest || data.Digest != r.Digest {
			t.Fatalf("sha256(event action) = %s, event digest %s, request digest %s", got, data.Digest, r.Digest)
		}
		return
	}
	t.Fatal("no action.submitted event")
}

// A review decision's event records the whole requirement, so an auditor
// can check the quorum from the evidence alone.
func TestDecidedEventRecordsRequirement(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	r, _, _ := svc.Submit(ctx, bot, action("production"))
	evs, _ := st.Events(ctx, 0, 100)
	for _, e := range evs {
		if e.Type != countersign.EventDecided || e.ActionID != r.ID {
			continue
		}
		var data struct {
			Review *countersign.ReviewRequirement `json:"review"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data.Review == nil || len(data.Review.Thresholds) != 1 || data.Review.Thresholds[0].Rule != "prod" ||
			data.Review.Thresholds[0].MinApprovals != 1 {
			t.Fatalf("policy.decided data = %s, want the prod threshold", e.Data)
		}
		return
	}
	t.Fatal("no policy.decided event")
}

// WaitChange returns on a review that leaves the request pending, so a
// waiting line can show each approval as it comes.
func TestWaitChangeWakesOnReview(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse("two.yaml", []byte(`version: 1
default: review
default_review: {approvers: [any_human], min_approvals: 2}
`))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, _ := newService(t, nil)
	if err := svc.SetPolicy(context.Background(), p, "test"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, _, err := svc.Submit(ctx, bot, action("production"))
	if err != nil || r.State != countersign.StatePending {
		t.Fatalf("submit: %v %v", r, err)
	}
	done := make(chan *countersign.Request, 1)
	go func() {
		w, _ := svc.WaitChange(ctx, bot, r.ID, 30*time.Second, 0)
		done <- w
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-done:
		if w.State != countersign.StatePending || len(w.Reviews) != 1 {
			t.Fatalf("woke with %s and %d reviews, want pending with 1", w.State, len(w.Reviews))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a review did not wake WaitChange")
	}
	// Told it has seen that review, it waits (here, for the timeout).
	start := time.Now()
	if w, err := svc.WaitChange(ctx, bot, r.ID, 200*time.Millisecond, 1); err != nil || w.State != countersign.StatePending || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("seen review: %v %v after %s", w, err, time.Since(start))
	}
}

// A gateway key's MCP annotations are the server's own (the gateway fetched
// them), so policy believes them for a trusted server; any other agent's
// are a claim and are not believed.
func TestGatewayKeyVouchesForAnnotations(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse("mcp.yaml", []byte(`version: 1
default: deny
analysis: {mcp: {trusted_servers: [db]}}
rules:
  - name: reads
    match: action.kind == "mcp.tool" && mcp.read_only
    effect: allow
`))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	if err := svc.SetPolicy(ctx, p, "test"); err != nil {
		t.Fatal(err)
	}
	gw := countersign.Principal{Kind: countersign.KindAgent, Name: "mcp-gw", Owner: "olive@example.com", Gateway: true}
	call := func(server string) countersign.Action {
		return countersign.Action{Kind: countersign.ActionMCP, Environment: "production",
			Payload: json.RawMessage(`{"server":"` + server + `","tool":"query","arguments":{},"annotations":{"readOnlyHint":true}}`)}
	}
	for _, c := range []struct {
		name   string
		by     countersign.Principal
		server string
		want   countersign.State
	}{
		{"gateway key, trusted server", gw, "db", countersign.StateApproved},
		{"gateway key, untrusted server", gw, "web", countersign.StateDenied},
		{"agent key, trusted server", bot, "db", countersign.StateDenied},
	} {
		r, _, err := svc.Submit(ctx, c.by, call(c.server))
		if err != nil || r.State != c.want {
			t.Errorf("%s: %v %v, want %s", c.name, r.State, err, c.want)
		}
		if d, err := svc.TestPolicy(ctx, c.by, call(c.server), ""); err != nil || (d.Effect == countersign.EffectAllow) != (c.want == countersign.StateApproved) {
			t.Errorf("%s: policy test %v %v", c.name, d.Effect, err)
		}
	}
	if err := (countersign.Principal{Kind: countersign.KindHuman, Name: "h@example.com", Gateway: true}).Validate(); err == nil {
		t.Error("a human gateway key is valid")
	}
}
