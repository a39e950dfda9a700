package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/countersign/countersign/ledger"
	"golang.org/x/mod/sumdb/note"
)

// clock is a fake clock the tests move by hand.
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

// env is a running server with the keys the walk needs.
type env struct {
	t     *testing.T
	m     *Main
	url   string
	clock *clock
	admin string
	cfg   Config
}

// startMain starts the real server wiring on 127.0.0.1:0.
func startMain(t *testing.T, cfg Config, clk *clock) *Main {
	t.Helper()
	m := NewMain()
	m.Config = cfg
	m.Now = clk.Now
	m.Out = io.Discard
	m.SweepInterval = 20 * time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return m
}

func newEnv(t *testing.T, store string) *env {
	t.Helper()
	return newEnvWith(t, store, filepath.Join("testdata", "e2e-policy.yaml"))
}

// newEnvWith starts a server with the policy reference pol ("" for the
// built-in default).
func newEnvWith(t *testing.T, store, pol string) *env {
	t.Helper()
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Data = filepath.Join(dir, "data")
	cfg.Store = store
	cfg.Policy = pol
	cfg.BootstrapKeyFile = filepath.Join(dir, "admin.key")
	cfg.EvidenceKeyFile = filepath.Join(dir, "evidence.key") // PostgreSQL replicas must name theirs
	clk := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	m := startMain(t, cfg, clk)
	key, err := os.ReadFile(cfg.BootstrapKeyFile)
	if err != nil {
		t.Fatalf("bootstrap key file: %v", err)
	}
	e := &env{t: t, m: m, url: "http://" + m.Addr, clock: clk, admin: strings.TrimSpace(string(key)), cfg: cfg}
	t.Cleanup(func() { e.m.Close() })
	return e
}

// restart closes the server and starts it again on the same store.
func (e *env) restart() {
	e.t.Helper()
	if err := e.m.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.m = startMain(e.t, e.cfg, e.clock)
	e.url = "http://" + e.m.Addr
}

// call sends one API call and decodes the answer into out (when not nil).
func (e *env) call(key, method, path string, body any, out any) (int, countersign.ErrorBody) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var eb countersign.ErrorBody
	if resp.StatusCode >= 300 {
		_ = json.Unmarshal(data, &eb)
	} else if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode, eb
}

// want checks a call's status and error code.
func (e *env) want(status int, code string, gotStatus int, eb countersign.ErrorBody, what string) {
	e.t.Helper()
	if gotStatus != status || eb.Error.Code != code {
		e.t.Fatalf("%s: got %d %q (%s), want %d %q", what, gotStatus, eb.Error.Code, eb.Error.Message, status, code)
	}
}

func (e *env) key(in countersign.KeyInput) string {
	e.t.Helper()
	var k countersign.CreatedKey
	st, eb := e.call(e.admin, "POST", "/v1/keys", in, &k)
	e.want(201, "", st, eb, "create key "+in.Name)
	return k.Secret
}

func (e *env) submit(agent string, in countersign.SubmitInput) countersign.SubmitResult {
	e.t.Helper()
	var v countersign.SubmitResult
	st, eb := e.call(agent, "POST", "/v1/actions", in, &v)
	e.want(201, "", st, eb, "submit")
	return v
}

func sqlAction(env, sql string) countersign.SubmitInput {
	p, _ := json.Marshal(map[string]string{"sql": sql})
	return countersign.SubmitInput{Kind: "sql", Environment: env, OnBehalfOf: "paul@example.com",
		Resource: "postgres://orders-db/orders", Summary: "e2e", Payload: p}
}

func stores(t *testing.T) map[string]func() string {
	return map[string]func() string{
		"sqlite":   func() string { return "" },
		"postgres": func() string { return pgtest.Start(t) },
	}
}

func TestEndToEnd(t *testing.T) {
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) { walk(t, newEnv(t, dsn())) })
	}
}

func walk(t *testing.T, e *env) {
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "report-bot", Owner: "olive@example.com"})
	owner := e.key(countersign.KeyInput{Kind: "human", Name: "olive@example.com"})
	dana := e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	dave := e.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})
	paul := e.key(countersign.KeyInput{Kind: "human", Name: "paul@example.com", Groups: []string{"dba"}})
	approve := countersign.ReviewInput{Verdict: "approve", Reason: "looks right"}

	// A production export needs two DBAs.
	v := e.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))
	if v.State != countersign.StatePending || v.Approvals.Want != 2 {
		t.Fatalf("submit: state %s approvals %+v, want pending 0/2", v.State, v.Approvals)
	}
	path := "/v1/actions/" + v.ID

	// A long-poll waiter is woken by the approval that resolves the request.
	waited := make(chan countersign.RequestView, 1)
	go func() {
		var w countersign.RequestView
		e.call(agent, "GET", path+"?wait=30s", nil, &w)
		waited <- w
	}()

	st, eb := e.call(owner, "POST", path+"/reviews", approve, nil)
	e.want(403, countersign.ESelfReview, st, eb, "owner reviews")
	st, eb = e.call(paul, "POST", path+"/reviews", approve, nil)
	e.want(403, countersign.ESelfReview, st, eb, "on_behalf_of reviews")
	st, eb = e.call(agent, "POST", path+"/reviews", approve, nil)
	e.want(403, countersign.EForbidden, st, eb, "agent reviews")

	var r countersign.RequestView
	st, eb = e.call(dana, "POST", path+"/reviews", approve, &r)
	e.want(200, "", st, eb, "first approval")
	if r.State != countersign.StatePending || r.Approvals.Got != 1 {
		t.Fatalf("after first approval: %s %+v, want pending 1/2", r.State, r.Approvals)
	}
	st, eb = e.call(dana, "POST", path+"/reviews", approve, nil)
	e.want(409, countersign.EAlreadyReviewed, st, eb, "same reviewer again")
	start := time.Now()
	st, eb = e.call(dave, "POST", path+"/reviews", approve, &r)
	e.want(200, "", st, eb, "second approval")
	if r.State != countersign.StateApproved || r.Grant == nil {
		t.Fatalf("after second approval: %s, want approved with a grant", r.State)
	}
	select {
	case w := <-waited:
		if w.State != countersign.StateApproved {
			t.Fatalf("long-poll woke with %s, want approved", w.State)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("long-poll woke after %s, want at once", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long-poll was not woken by the approval")
	}

	other := "sha256:" + strings.Repeat("0", 64)
	st, eb = e.call(agent, "POST", path+"/execute", countersign.ExecuteInput{Digest: other}, nil)
	e.want(422, countersign.EDigestMismatch, st, eb, "execute with another digest")
	st, eb = e.call(dana, "POST", path+"/execute", countersign.ExecuteInput{Digest: v.Digest}, nil)
	e.want(403, countersign.EForbidden, st, eb, "a human executes")
	st, eb = e.call(agent, "POST", path+"/execute", countersign.ExecuteInput{Digest: v.Digest}, &r)
	e.want(200, "", st, eb, "execute")
	if r.State != countersign.StateExecuted {
		t.Fatalf("after execute: %s, want executed", r.State)
	}
	st, eb = e.call(agent, "POST", path+"/execute", countersign.ExecuteInput{Digest: v.Digest}, nil)
	e.want(409, countersign.EGrantUsed, st, eb, "execute again")

	// A deny rule denies, whatever else matches.
	d := e.submit(agent, sqlAction("production", "DROP TABLE orders"))
	if d.State != countersign.StateDenied || !strings.Contains(strings.Join(d.Reasons, ";"), "dropping tables") {
		t.Fatalf("drop: %s %v, want denied by no-drop", d.State, d.Reasons)
	}
	// An allow rule lets a staging action through with a grant.
	a := e.submit(agent, sqlAction("staging", "select 1"))
	if a.State != countersign.StateApproved {
		t.Fatalf("staging: %s, want approved", a.State)
	}

	// A frozen agent is denied; unfrozen, it is judged again.
	st, eb = e.call(e.admin, "POST", "/v1/agents/report-bot/freeze", nil, nil)
	e.want(200, "", st, eb, "freeze")
	f := e.submit(agent, sqlAction("staging", "select 1"))
	if f.State != countersign.StateDenied || f.Reason != countersign.ReasonAgentFrozen {
		t.Fatalf("frozen: %s %q, want denied agent_frozen", f.State, f.Reason)
	}
	st, eb = e.call(e.admin, "POST", "/v1/agents/report-bot/unfreeze", nil, nil)
	e.want(200, "", st, eb, "unfreeze")
	if u := e.submit(agent, sqlAction("staging", "select 2")); u.State != countersign.StateApproved {
		t.Fatalf("unfrozen: %s, want approved", u.State)
	}

	// Expiry with the fake clock: a pending request past its ttl, and an
	// approved one past its grant_ttl, fail closed.
	p := e.submit(agent, sqlAction("production", "COPY customers TO STDOUT"))
	g := e.submit(agent, sqlAction("production", "COPY invoices TO STDOUT"))
	for _, k := range []string{dana, dave} {
		st, eb = e.call(k, "POST", "/v1/actions/"+g.ID+"/reviews", approve, nil)
		e.want(200, "", st, eb, "approve for grant expiry")
	}
	e.clock.Advance(31 * time.Minute)
	waitState(t, e, agent, p.ID, countersign.StateExpired)
	waitState(t, e, agent, g.ID, countersign.StateExpired)
	st, eb = e.call(dana, "POST", "/v1/actions/"+p.ID+"/reviews", approve, nil)
	e.want(409, countersign.ENotPending, st, eb, "review after expiry")
	st, eb = e.call(agent, "POST", "/v1/actions/"+g.ID+"/execute", countersign.ExecuteInput{Digest: g.Digest}, nil)
	e.want(410, countersign.EExpired, st, eb, "execute after grant expiry")

	// Restart: pending and approved requests survive.
	pend := e.submit(agent, sqlAction("production", "COPY refunds TO STDOUT"))
	appr := e.submit(agent, sqlAction("staging", "select 3"))
	e.restart()
	for id, want := range map[string]countersign.State{pend.ID: countersign.StatePending, appr.ID: countersign.StateApproved, v.ID: countersign.StateExecuted} {
		var got countersign.RequestView
		st, eb = e.call(agent, "GET", "/v1/actions/"+id, nil, &got)
		e.want(200, "", st, eb, "get after restart")
		if got.State != want {
			t.Fatalf("after restart %s is %s, want %s", id, got.State, want)
		}
	}
	// The bootstrap key is printed once only: the restarted store has keys.
	st, eb = e.call(dana, "POST", "/v1/actions/"+pend.ID+"/reviews", approve, &r)
	e.want(200, "", st, eb, "review after restart")
	if r.Approvals.Got != 1 {
		t.Fatalf("after restart review: %+v, want 1 approval", r.Approvals)
	}

	// The evidence: every event of the executed request is in the signed tree,
	// and the receipt the agent gets over the API proves it offline.
	checkEvidence(t, e.m, v.ID, 6)
	checkReceipt(t, e, agent, v.ID, d.ID)
	exportAndVerify(t, e, agent, v.ID)
}

// exportAndVerify runs the CLI as an auditor would: export a bundle from the
// server, then verify it offline with the verifier key alone; and verify the
// request's receipt.
func exportAndVerify(t *testing.T, e *env, agentKey, id string) {
	t.Helper()
	if _, err := e.m.Integrator.Integrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_KEY", e.admin)
	cli := func(args ...string) (string, string, int) {
		var out, errb strings.Builder
		code := run(args, strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}
	bundle := filepath.Join(dir, "evidence.tar.gz")
	if _, stderr, code := cli("evidence", "export", "-o", bundle); code != 0 {
		t.Fatalf("evidence export: exit %d: %s", code, stderr)
	}
	vkey := filepath.Join(dir, "log.vkey")
	os.WriteFile(vkey, []byte(e.m.evidence.verifier+"\n"), 0o600)
	out, stderr, code := cli("evidence", "verify", bundle, "--key", vkey)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "dana@example.com") {
		t.Fatalf("evidence verify: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Setenv("COUNTERSIGN_KEY", agentKey)
	receipt, stderr, code := cli("evidence", "receipt", id)
	if code != 0 {
		t.Fatalf("evidence receipt: exit %d: %s", code, stderr)
	}
	rf := filepath.Join(dir, "receipt.txt")
	os.WriteFile(rf, []byte(receipt), 0o600)
	if out, stderr, code := cli("evidence", "verify-receipt", rf, "--key", vkey, "--request", id); code != 0 || !strings.Contains(out, "receipt verified") {
		t.Fatalf("evidence verify-receipt: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := cli("evidence", "verify-receipt", rf, "--key", vkey, "--request", "act_other"); code != 1 || !strings.Contains(stderr, "does not verify") {
		t.Fatalf("verify-receipt for another request: exit %d: %s", code, stderr)
	}
}

// checkReceipt fetches a request's receipt over the API and verifies it with
// the server's verifier key only; checked for another request, it fails.
func checkReceipt(t *testing.T, e *env, key, id, otherID string) {
	t.Helper()
	c := client.New(e.url, key)
	receipt, err := c.Receipt(context.Background(), id)
	if err != nil {
		t.Fatalf("receipt: %v", err)
	}
	verifier, err := note.NewVerifier(e.m.evidence.verifier)
	if err != nil {
		t.Fatal(err)
	}
	cp, entries, err := ledger.VerifyRequestReceipt(receipt, id, verifier)
	if err != nil {
		t.Fatalf("receipt of %s does not verify: %v", id, err)
	}
	types := map[string]bool{}
	for _, en := range entries {
		types[en.Event.Type] = true
	}
	for _, want := range []string{countersign.EventSubmitted, countersign.EventReviewed, countersign.EventApproved, countersign.EventExecuted} {
		if !types[want] {
			t.Errorf("receipt of %s lacks a %s event", id, want)
		}
	}
	if cp.Size == 0 {
		t.Error("receipt under an empty checkpoint")
	}
	if _, _, err := ledger.VerifyRequestReceipt(receipt, otherID, verifier); err == nil {
		t.Errorf("the receipt of %s verified as the receipt of %s", id, otherID)
	}
}

// checkEvidence integrates the log and checks that the newest checkpoint is
// signed by the server's key and that each of the request's events (at least
// want of them, starting with action.submitted) has a valid inclusion proof.
func checkEvidence(t *testing.T, m *Main, id string, want int) {
	t.Helper()
	ctx := context.Background()
	if _, err := m.Integrator.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(m.evidence.verifier)
	if err != nil {
		t.Fatal(err)
	}
	head, err := m.Store.LedgerHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.Open(head.Checkpoint, verifier)
	if err != nil {
		t.Fatalf("newest checkpoint: %v", err)
	}
	entries, err := m.Store.LedgerEntriesOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < want || entries[0].Event.Type != countersign.EventSubmitted {
		t.Fatalf("%d ledger entries for %s, want at least %d starting with action.submitted", len(entries), id, want)
	}
	for _, en := range entries {
		leaf, err := ledger.Leaf(en.Index, en.Event)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := ledger.InclusionProof(ctx, gateway.NodeStore(m.Store), en.Index, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyInclusion(en.Index, cp.Size, ledger.LeafHash(leaf), proof, cp.Root); err != nil {
			t.Fatalf("event %d (%s) of %s: %v", en.Index, en.Event.Type, id, err)
		}
	}
}

// waitState polls (the sweeper runs every 20ms) until id reaches want.
func waitState(t *testing.T, e *env, key, id string, want countersign.State) {
	t.Helper()
	waitView(t, e, key, id, "state "+string(want), func(v *countersign.RequestView) bool { return v.State == want })
}

// waitView polls request id until ok holds (for at most 5 s) and returns it.
func waitView(t *testing.T, e *env, key, id, what string, ok func(*countersign.RequestView) bool) countersign.RequestView {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var v countersign.RequestView
		st, eb := e.call(key, "GET", "/v1/actions/"+id, nil, &v)
		e.want(200, "", st, eb, "get "+id)
		if ok(&v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %s, want %s", id, v.State, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
