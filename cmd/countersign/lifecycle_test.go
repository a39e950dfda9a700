package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/pgtest"
)

// A review handled by one replica wakes a long-poll waiting on another,
// through PostgreSQL's LISTEN/NOTIFY.
func TestReplicasWakeEachOther(t *testing.T) {
	dsn := pgtest.Start(t)
	a := newEnv(t, dsn)
	cfgB := a.cfg
	cfgB.BootstrapKeyFile = ""
	b := &env{t: t, m: startMain(t, cfgB, a.clock), clock: a.clock, admin: a.admin, cfg: cfgB}
	b.url = "http://" + b.m.Addr
	t.Cleanup(func() { b.m.Close() })

	agent := a.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
	dana := a.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	dave := a.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})
	v := a.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))

	woke := make(chan countersign.RequestView, 1)
	go func() {
		var w countersign.RequestView
		a.call(agent, "GET", "/v1/actions/"+v.ID+"?wait=30s", nil, &w)
		woke <- w
	}()
	time.Sleep(100 * time.Millisecond)
	approve := countersign.ReviewInput{Verdict: "approve"}
	for _, k := range []string{dana, dave} {
		st, eb := b.call(k, "POST", "/v1/actions/"+v.ID+"/reviews", approve, nil)
		b.want(200, "", st, eb, "review on replica b")
	}
	start := time.Now()
	select {
	case w := <-woke:
		if w.State != countersign.StateApproved {
			t.Fatalf("waiter on replica a woke with %s, want approved", w.State)
		}
		t.Logf("woken %s after the approval on the other replica", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("waiter on replica a was not woken by the review on replica b")
	}

	// Both replicas integrate the one log: a single tree, whichever signs.
	for _, m := range []*Main{a.m, b.m} {
		if _, err := m.Integrator.Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	checkEvidence(t, b.m, v.ID, 5)
	checkEvidence(t, a.m, v.ID, 5)
}

// Shutdown answers waiting long-polls with the current state at once, and
// what was pending is still pending after the restart.
func TestShutdownAnswersWaiters(t *testing.T) {
	e := newEnv(t, "")
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
	v := e.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))
	got := make(chan countersign.RequestView, 1)
	go func() {
		var w countersign.RequestView
		e.call(agent, "GET", "/v1/actions/"+v.ID+"?wait=60s", nil, &w)
		got <- w
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-got:
		if w.State != countersign.StatePending || w.ID != v.ID {
			t.Fatalf("waiter got %q %s, want %s pending", w.ID, w.State, v.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not answer the long-poll")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
	e.m = startMain(t, e.cfg, e.clock)
	e.url = "http://" + e.m.Addr
	var r countersign.RequestView
	st, eb := e.call(agent, "GET", "/v1/actions/"+v.ID, nil, &r)
	e.want(200, "", st, eb, "get after restart")
	if r.State != countersign.StatePending {
		t.Fatalf("after restart: %s, want pending", r.State)
	}
}

// The policy file is reloaded when it changes on disk.
func TestPolicyFileWatched(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	os.WriteFile(pol, []byte("version: 1\ndefault: deny\n"), 0o600)
	cfg := DefaultConfig()
	cfg.Listen, cfg.Data, cfg.Policy = "127.0.0.1:0", filepath.Join(dir, "data"), pol
	m := startMain(t, cfg, &clock{now: time.Now()})
	defer m.Close()
	before := m.Service.Policy().Digest()
	os.WriteFile(pol, []byte("version: 1\ndefault: allow\n"), 0o600)
	deadline := time.Now().Add(5 * time.Second)
	for m.Service.Policy().Digest() == before {
		if time.Now().After(deadline) {
			t.Fatal("policy not reloaded after the file changed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A broken edit is refused; the good policy stays.
	good := m.Service.Policy().Digest()
	os.WriteFile(pol, []byte("version: 1\ndefault: [\n"), 0o600)
	time.Sleep(500 * time.Millisecond)
	if got := m.Service.Policy().Digest(); got != good {
		t.Fatalf("a broken policy file replaced the policy in force (%s)", got)
	}
}

// /metrics shows decisions by effect, the pending gauge and HTTP counters.
func TestMetrics(t *testing.T) {
	e := newEnv(t, "")
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
	e.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))
	e.submit(agent, sqlAction("staging", "select 1"))
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`countersign_decisions_total{effect="review"} 1`,
		`countersign_decisions_total{effect="allow"} 1`,
		`countersign_requests_pending 1`,
		`countersign_http_requests_total{code="201",route="POST /v1/actions"} 2`,
		`countersign_http_request_duration_seconds_bucket{route="POST /v1/actions"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The evidence log's metrics: the tree grows, nothing fails.
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := http.Get(e.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		m := string(b)
		if strings.Contains(m, "countersign_evidence_integrate_failures_total 0") &&
			!strings.Contains(m, "countersign_evidence_tree_size 0\n") && strings.Contains(m, "countersign_evidence_tree_size ") &&
			!strings.Contains(m, "countersign_evidence_last_integrated_timestamp_seconds 0\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("evidence metrics never showed a growing tree:\n%s", grepLines(m, "countersign_evidence"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		r, err := http.Get(e.url + path)
		if err != nil || r.StatusCode != want {
			t.Errorf("GET %s: %v %v, want %d", path, r.StatusCode, err, want)
		}
		r.Body.Close()
	}
}

// countersign check: waits for approval, takes the grant, prints the id and
// digest and exits 0; a denied action exits 1.
func TestCheckCommand(t *testing.T) {
	e := newEnv(t, "")
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
	dana := e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	dave := e.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})
	t.Setenv("COUNTERSIGN_URL", e.url)
	t.Setenv("COUNTERSIGN_KEY", agent)

	// Approve whatever is pending as soon as it appears, from "another terminal".
	go func() {
		for i := 0; i < 200; i++ {
			var l countersign.RequestList
			e.call(dana, "GET", "/v1/actions?state=pending", nil, &l)
			if len(l.Requests) > 0 {
				id := l.Requests[0].ID
				for _, k := range []string{dana, dave} {
					e.call(k, "POST", "/v1/actions/"+id+"/reviews", countersign.ReviewInput{Verdict: "approve"}, nil)
				}
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var out, errb bytes.Buffer
	code := run([]string{"check", "--kind", "sql", "--env", "production", "--payload", `{"sql":"COPY orders TO STDOUT"}`, "--wait", "20s"},
		strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("check exited %d, want 0; stderr: %s", code, errb.String())
	}
	fields := strings.Fields(out.String())
	if len(fields) != 3 || fields[0] != "executed" || !strings.HasPrefix(fields[1], "act_") || !strings.HasPrefix(fields[2], "sha256:") {
		t.Fatalf("check printed %q, want \"executed ID DIGEST\"", out.String())
	}
	var r countersign.RequestView
	e.call(agent, "GET", "/v1/actions/"+fields[1], nil, &r)
	if r.State != countersign.StateExecuted || r.Digest != fields[2] {
		t.Fatalf("request after check: %s %s, want executed %s", r.State, r.Digest, fields[2])
	}

	out.Reset()
	errb.Reset()
	code = run([]string{"check", "--kind", "sql", "--env", "production", "--payload", `{"sql":"DROP TABLE orders"}`}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "denied") || !strings.Contains(errb.String(), "dropping tables") {
		t.Fatalf("denied check: exit %d, stderr %q; want 1 and the reason", code, errb.String())
	}

	// --no-execute waits but leaves the grant unused.
	out.Reset()
	code = run([]string{"check", "--kind", "sql", "--env", "staging", "--payload", `{"sql":"select 1"}`, "--no-execute"}, strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.HasPrefix(out.String(), "approved ") {
		t.Fatalf("--no-execute: exit %d, out %q, want 0 and approved", code, out.String())
	}

	// Pending past --wait exits 1 naming the request.
	errb.Reset()
	code = run([]string{"check", "--kind", "sql", "--env", "production", "--payload", `{"sql":"COPY x TO STDOUT"}`, "--wait", "200ms"}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "still pending") {
		t.Fatalf("timed-out check: exit %d, stderr %q", code, errb.String())
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
