package main

import (
	"github.com/countersign/countersign/internal/syncbuf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
)

// TestServeProcess runs the real binary: the bootstrap key is printed once,
// SIGHUP reloads the policy (a bad one is refused), and SIGTERM answers a
// waiting long-poll with the current state and exits 0.
func TestServeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "countersign")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pol := filepath.Join(dir, "policy.yaml")
	os.WriteFile(pol, []byte("version: 1\ndefault: review\n"), 0o600)
	start := func() (*exec.Cmd, *syncbuf.Buffer, *syncbuf.Buffer, string) {
		cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--policy", pol)
		var stdout, stderr syncbuf.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addr := regexp.MustCompile(`countersign listening" addr=(\S+)`)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if m := addr.FindStringSubmatch(stderr.String()); m != nil {
				return cmd, &stdout, &stderr, m[1]
			}
			if time.Now().After(deadline) {
				t.Fatalf("server did not start: %s", stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd, stdout, stderr, addr := start()
	key := regexp.MustCompile(`export COUNTERSIGN_KEY=(cs_\S+)`).FindStringSubmatch(stdout.String())
	if key == nil {
		t.Fatalf("no bootstrap key on stdout: %q", stdout.String())
	}
	e := &env{t: t, url: "http://" + addr, admin: key[1]}
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})

	// SIGHUP: a bad policy is refused, a good one loaded.
	os.WriteFile(pol, []byte("version: 1\ndefault: nope\n"), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "new policy refused")
	os.WriteFile(pol, []byte("version: 1\ndefault: review\nrules:\n  - name: staging\n    match: action.environment == \"staging\"\n    effect: allow\n"), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "policy loaded")
	deadline := time.Now().Add(5 * time.Second)
	for e.submit(agent, sqlAction("staging", "select 1")).State != countersign.StateApproved {
		if time.Now().After(deadline) {
			t.Fatal("reloaded policy not in force")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// SIGTERM with a long-poll waiting.
	v := e.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))
	got := make(chan countersign.RequestView, 1)
	go func() {
		var w countersign.RequestView
		e.call(agent, "GET", "/v1/actions/"+v.ID+"?wait=60s", nil, &w)
		got <- w
	}()
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case w := <-got:
		if w.State != countersign.StatePending {
			t.Fatalf("long-poll answered %q on SIGTERM, want pending", w.State)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not answer the long-poll")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
	}

	// Restarted on the same data: no second bootstrap key, the request is still pending.
	_, stdout2, _, addr2 := start()
	if strings.Contains(stdout2.String(), "bootstrap admin key") {
		t.Fatal("bootstrap key printed again on a store with keys")
	}
	e.url = "http://" + addr2
	var r countersign.RequestView
	st, eb := e.call(agent, "GET", "/v1/actions/"+v.ID, nil, &r)
	e.want(200, "", st, eb, "get after restart")
	if r.State != countersign.StatePending {
		t.Fatalf("after restart: %s, want pending", r.State)
	}
}

func waitFor(t *testing.T, r interface{ String() string }, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(r.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %q in:\n%s", text, r.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
