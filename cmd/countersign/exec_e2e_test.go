package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/countersign/countersign/internal/syncbuf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
)

// execPolicy holds destructive and infrastructure-changing shell commands in
// production for two DBAs, lets harmless ones through, and never lets
// kube-system be touched.
const execPolicy = `version: 1
default: deny
groups:
  dba: [dana@example.com, dave@example.com]
rules:
  - name: prod-shell-changes
    match: action.kind == "shell" && action.environment == "production" && (shell.destructive || shell.infra_change)
    effect: review
    review: {approvers: [group:dba], min_approvals: 2, ttl: 30m, grant_ttl: 5m}
  - name: harmless-shell
    match: action.kind == "shell" && !shell.destructive && !shell.infra_change && !shell.privilege && !shell.network_egress && !shell.reads_secrets && !shell.opaque
    effect: allow
  - name: hands-off-kube-system
    match: action.kind == "shell" && shell.commands.exists(c, "kube-system" in c.argv)
    effect: deny
    reason: kube-system is never touched by agents
`

// stubAWSKey is an AWS access key id the DLP detector accepts (it refuses
// the documentation's AKIAIOSFODNN7EXAMPLE as a sample); it grants nothing.
const stubAWSKey = "AKIAZ7VRSQ4TLW2MXJ5K"

// execEnv is a real server with execPolicy, the built binary, a stub
// kubectl first on PATH that logs its argv, and the keys of an agent and
// two DBAs.
type execEnv struct {
	*env
	bin, agent, dana, dave string
	stubLog                string // the stub's argv, one run per line
	path                   string // PATH with the stub first
}

func newExecEnv(t *testing.T) *execEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := buildCountersign(t, ctx)
	e := mcpEnvWithPolicy(t, execPolicy)
	e.clock.Advance(time.Since(e.clock.Now())) // real time, so that "time left" reads true
	stubDir := t.TempDir()
	x := &execEnv{env: e, bin: bin, stubLog: filepath.Join(stubDir, "kubectl.log"),
		path: stubDir + string(os.PathListSeparator) + os.Getenv("PATH")}
	stub := fmt.Sprintf(`#!/bin/sh
printf '%%s|' "$@" >> %s
echo >> %s
echo "AWS_ACCESS_KEY_ID=%s"
echo "owner: jane.doe@acme-corp.io"
exit 3
`, x.stubLog, x.stubLog, stubAWSKey)
	if err := os.WriteFile(filepath.Join(stubDir, "kubectl"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	x.agent = e.key(countersign.KeyInput{Kind: "agent", Name: "ops-bot", Owner: "olive@example.com"})
	x.dana = e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	x.dave = e.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})
	return x
}

// command returns `countersign exec ARGS...` as the agent, against url.
func (x *execEnv) command(url string, args ...string) (*exec.Cmd, *syncbuf.Buffer, *syncbuf.Buffer) {
	cmd := exec.Command(x.bin, append([]string{"exec"}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+x.path, "COUNTERSIGN_URL="+url, "COUNTERSIGN_KEY="+x.agent)
	var stdout, stderr syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// runs returns the argv of every run of the stub so far.
func (x *execEnv) runs() []string {
	b, err := os.ReadFile(x.stubLog)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		x.t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// pending waits for a pending request of the agent other than those in
// seen, and returns it.
func (x *execEnv) pending(stderr *syncbuf.Buffer, seen ...string) countersign.RequestView {
	x.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var l countersign.RequestList
		st, eb := x.call(x.agent, "GET", "/v1/actions?state=pending", nil, &l)
		x.want(200, "", st, eb, "list pending")
		for _, r := range l.Requests {
			if !slices.Contains(seen, r.ID) {
				return r
			}
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("no new pending request; countersign exec said:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exitCode waits (at most 15 s) for cmd and returns its exit status.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("wait: %v", err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("countersign exec did not finish")
		return -1
	}
}

func (x *execEnv) approve(key, id string) countersign.RequestView {
	x.t.Helper()
	var r countersign.RequestView
	st, eb := x.call(key, "POST", "/v1/actions/"+id+"/reviews", countersign.ReviewInput{Verdict: "approve", Reason: "checked"}, &r)
	x.want(200, "", st, eb, "approve "+id)
	return r
}

// TestExecEndToEnd: `countersign exec -- kubectl delete namespace prod` in
// production is held until two DBAs approve, then runs exactly once with the
// approved argv; its output is masked, its exit status passes through and
// its result is recorded. A changed argv needs its own approval; SIGINT
// while waiting cancels; a denied action and an unreachable server exit 126.
func TestExecEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	x := newExecEnv(t)
	wantRun := "delete|namespace|prod|"

	cmd, stdout, stderr := x.command(x.url, "--env", "production", "--summary", "drop the old prod namespace", "--", "kubectl", "delete", "namespace", "prod")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := x.pending(stderr)
	var payload struct{ Argv []string }
	json.Unmarshal(p.Action.Payload, &payload)
	if !slices.Equal(payload.Argv, []string{"kubectl", "delete", "namespace", "prod"}) || p.Approvals.Want != 2 ||
		len(p.Thresholds) != 1 || !slices.Equal(p.Thresholds[0].Approvers, []string{"group:dba"}) {
		t.Fatalf("held request: argv %q, approvals %+v, thresholds %+v", payload.Argv, p.Approvals, p.Thresholds)
	}
	waitFor(t, stderr, "waiting for approval by group:dba (0/2)")
	if r := x.approve(x.dana, p.ID); r.State != countersign.StatePending {
		t.Fatalf("after one approval: %s, want pending", r.State)
	}
	time.Sleep(300 * time.Millisecond) // time enough to run it, were it to
	if runs := x.runs(); runs != nil {
		t.Fatalf("the stub ran before the second approval: %q", runs)
	}
	x.approve(x.dave, p.ID)
	if code := exitCode(t, cmd); code != 3 {
		t.Fatalf("exit %d, want the command's 3; stderr:\n%s", code, stderr.String())
	}
	if runs := x.runs(); !slices.Equal(runs, []string{wantRun}) {
		t.Fatalf("stub runs %q, want once with %q", runs, wantRun)
	}
	out := stdout.String()
	if strings.Contains(out, stubAWSKey) || strings.Contains(out, "jane.doe@acme-corp.io") ||
		out != "AWS_ACCESS_KEY_ID=[AWS_ACCESS_KEY]\nowner: [EMAIL]\n" {
		t.Fatalf("stdout %q, want the key and the email masked", out)
	}
	if strings.Contains(stderr.String(), "\x1b[K") {
		t.Fatalf("a live waiting line on a stderr that is not a terminal: %q", stderr.String())
	}
	v := waitView(t, x.env, x.agent, p.ID, "a result", func(v *countersign.RequestView) bool { return len(v.Result) > 0 })
	var res struct {
		Status      string
		ExitCode    int   `json:"exit_code"`
		StdoutBytes int64 `json:"stdout_bytes"`
		Masked      map[string]int
	}
	if err := json.Unmarshal(v.Result, &res); err != nil {
		t.Fatal(err)
	}
	wantBytes := int64(len("AWS_ACCESS_KEY_ID=" + stubAWSKey + "\nowner: jane.doe@acme-corp.io\n"))
	if v.State != countersign.StateExecuted || res.ExitCode != 3 || res.Status != "error" || res.StdoutBytes != wantBytes ||
		res.Masked["AWS_ACCESS_KEY"] != 1 || res.Masked["EMAIL"] != 1 {
		t.Fatalf("request %s, result %s", v.State, v.Result)
	}

	// Another argv is another action: held anew, and the used grant does
	// not run it. Still pending when --wait ends: 126.
	cmd, _, stderr = x.command(x.url, "--env", "production", "--wait", "1500ms", "--", "kubectl", "delete", "namespace", "staging-2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p2 := x.pending(stderr, p.ID)
	if p2.Digest == p.Digest {
		t.Fatal("a changed argv has the approved action's digest")
	}
	if code := exitCode(t, cmd); code != 126 || !strings.Contains(stderr.String(), "still pending") {
		t.Fatalf("changed argv: exit %d, stderr %q; want 126, still pending", code, stderr.String())
	}
	if runs := x.runs(); len(runs) != 1 {
		t.Fatalf("stub runs %q: a changed argv ran without its own approval", runs)
	}

	// SIGINT while waiting cancels the request; the command never runs.
	cmd, _, stderr = x.command(x.url, "--env", "production", "--", "kubectl", "delete", "namespace", "prod")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p3 := x.pending(stderr, p.ID, p2.ID)
	waitFor(t, stderr, "waiting for approval") // its signal handlers are set by now
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, cmd); code != 130 {
		t.Fatalf("SIGINT while waiting: exit %d, want 130; stderr %q", code, stderr.String())
	}
	if v := waitView(t, x.env, x.agent, p3.ID, "cancelled", func(v *countersign.RequestView) bool { return v.State != countersign.StatePending }); v.State != countersign.StateCancelled {
		t.Fatalf("after SIGINT the request is %s, want cancelled", v.State)
	}
	if runs := x.runs(); len(runs) != 1 {
		t.Fatalf("stub runs %q after a cancelled request", runs)
	}

	// Denied: 126 with the policy's reason.
	cmd, _, stderr = x.command(x.url, "--env", "production", "--", "kubectl", "delete", "namespace", "kube-system")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 126 || !strings.Contains(stderr.String(), "kube-system is never touched by agents") {
		t.Fatalf("denied: exit %d, stderr %q; want 126 and the reason", code, stderr.String())
	}

	// Unreachable server: 126, fail closed.
	cmd, _, stderr = x.command("http://127.0.0.1:1", "--", "kubectl", "get", "pods")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 126 || !strings.Contains(stderr.String(), "not run") {
		t.Fatalf("unreachable server: exit %d, stderr %q; want 126", code, stderr.String())
	}
	if runs := x.runs(); len(runs) != 1 {
		t.Fatalf("stub runs %q, want still the one approved run", runs)
	}
}
