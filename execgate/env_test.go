package execgate_test

import (
	"bytes"
	"context"
	"github.com/countersign/countersign/internal/syncbuf"
	"os"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/execgate"
	"github.com/countersign/countersign/internal/apitest"
)

// testPolicy judges by environment, so that these tests are about the gate,
// not the shell analyser (the command's e2e tests use its facts).
const testPolicy = `version: 1
default: deny
groups:
  dba: [dana@example.com]
rules:
  - name: dev
    match: action.kind == "shell" && action.environment == "dev"
    effect: allow
  - name: prod
    match: action.kind == "shell" && action.environment == "production"
    effect: review
    review: {approvers: [group:dba], min_approvals: 1, ttl: 10m, grant_ttl: 5m}
  - name: never
    match: action.environment == "forbidden"
    effect: deny
    reason: nothing runs in forbidden
`

// env is a real Countersign server (SQLite, the gateway, the HTTP API)
// with an agent's client and a reviewer's.
type env struct {
	t     *testing.T
	url   string
	agent *client.Client
	dana  *client.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := apitest.Start(t, testPolicy)
	return &env{t: t, url: srv.URL,
		agent: srv.Client(t, countersign.Principal{Kind: countersign.KindAgent, Name: "bot", Owner: "olive@example.com"}),
		dana:  srv.Client(t, countersign.Principal{Kind: countersign.KindHuman, Name: "dana@example.com", Groups: []string{"dba"}}),
	}
}

// outcome is what one run of the gate left.
type outcome struct {
	code           int
	err            error
	stdout, stderr *syncbuf.Buffer
}

// config returns a gate config for the agent in environment envName with
// stdin from in; the caller sets Argv or Shell.
func (e *env) config(envName string, in string) (execgate.Config, *syncbuf.Buffer, *syncbuf.Buffer) {
	var stdout, stderr syncbuf.Buffer
	return execgate.Config{API: e.agent, Action: countersign.SubmitInput{Environment: envName, Summary: "test"},
		Wait: 10 * time.Second, Stdin: bytes.NewReader([]byte(in)), Stdout: &stdout, Stderr: &stderr,
		Env: os.Environ()}, &stdout, &stderr
}

// start runs the gate in the background.
func start(cfg execgate.Config, stdout, stderr *syncbuf.Buffer) <-chan outcome {
	done := make(chan outcome, 1)
	go func() {
		code, err := execgate.Run(context.Background(), cfg)
		done <- outcome{code, err, stdout, stderr}
	}()
	return done
}

// run runs the gate to its end.
func run(t *testing.T, cfg execgate.Config, stdout, stderr *syncbuf.Buffer) outcome {
	t.Helper()
	select {
	case o := <-start(cfg, stdout, stderr):
		return o
	case <-time.After(15 * time.Second):
		t.Fatal("the gate did not finish")
		return outcome{}
	}
}

// only returns the one request of the agent.
func (e *env) only() countersign.RequestView {
	e.t.Helper()
	l, err := e.agent.List(context.Background(), client.ListParams{})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(l.Requests) != 1 {
		e.t.Fatalf("%d requests, want 1", len(l.Requests))
	}
	return l.Requests[0]
}

// waitPending waits until the agent has a pending request and returns it.
func (e *env) waitPending() countersign.RequestView {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := e.agent.List(context.Background(), client.ListParams{State: countersign.StatePending})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(l.Requests) > 0 {
			return l.Requests[0]
		}
		if time.Now().After(deadline) {
			e.t.Fatal("no pending request")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// held starts the gate on a command that touches marker in production, and
// returns once its request is pending.
func (e *env) held(marker string, sigs <-chan os.Signal) (<-chan outcome, *syncbuf.Buffer, countersign.RequestView) {
	e.t.Helper()
	cfg, out, errb := e.config("production", "")
	cfg.Argv = []string{"touch", marker}
	cfg.Signals = sigs
	done := start(cfg, out, errb)
	p := e.waitPending()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "waiting for approval") { // the gate waits now
		if time.Now().After(deadline) {
			e.t.Fatalf("no notice that the command waits: %q", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(marker); err == nil {
		e.t.Fatal("the command ran before it was approved")
	}
	return done, errb, p
}
