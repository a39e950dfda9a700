package execgate_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/execgate"
)

// An allowed argv runs at once, in the same round trip as the submission.
func TestAllowedRunsAtOnce(t *testing.T) {
	e := newEnv(t)
	cfg, out, errb := e.config("dev", "")
	cfg.Argv = []string{"echo", "hello", "world"}
	o := run(t, cfg, out, errb)
	if o.code != 0 || o.err != nil || out.String() != "hello world\n" {
		t.Fatalf("exit %d (%v), stdout %q, stderr %q", o.code, o.err, out.String(), errb.String())
	}
	v := e.only()
	var payload map[string]any
	json.Unmarshal(v.Action.Payload, &payload)
	if v.State != countersign.StateExecuted || v.Action.Kind != countersign.ActionShell || len(payload) != 1 || payload["argv"] == nil {
		t.Fatalf("request %s kind %s payload %s, want an executed shell argv", v.State, v.Action.Kind, v.Action.Payload)
	}
}

// A denied command exits 126 with the reason and does not run.
func TestDeniedDoesNotRun(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(t.TempDir(), "ran")
	cfg, out, errb := e.config("forbidden", "")
	cfg.Shell = "touch " + marker
	o := run(t, cfg, out, errb)
	if o.code != execgate.ExitRefused || o.err == nil || !strings.Contains(o.err.Error(), "nothing runs in forbidden") {
		t.Fatalf("exit %d (%v), want 126 and the reason", o.code, o.err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a denied command ran")
	}
	var payload map[string]string
	json.Unmarshal(e.only().Action.Payload, &payload)
	if payload["command"] != cfg.Shell {
		t.Fatalf("payload %v, want the shell string as command", payload)
	}
}

// A server that does not answer is a refusal: fail closed.
func TestUnreachableServer(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(t.TempDir(), "ran")
	cfg, out, errb := e.config("dev", "")
	cfg.API = client.New("http://127.0.0.1:1", "cs_nokey")
	cfg.Argv = []string{"touch", marker}
	o := run(t, cfg, out, errb)
	if o.code != execgate.ExitRefused || o.err == nil || !strings.Contains(o.err.Error(), "not run") {
		t.Fatalf("exit %d (%v), want 126", o.code, o.err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran without the server")
	}
}

// A held command runs once approved; a rejected one does not.
func TestHeldUntilReviewed(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(t.TempDir(), "ran")
	done, errb, p := e.held(marker, nil)
	if _, err := e.dana.Review(context.Background(), p.ID, countersign.ReviewInput{Verdict: "approve"}); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.code != 0 || o.err != nil {
		t.Fatalf("exit %d (%v), stderr %q", o.code, o.err, errb.String())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("the approved command did not run")
	}
	if !strings.Contains(errb.String(), "waiting for approval by group:dba (0/1)") {
		t.Fatalf("stderr %q does not say who must approve", errb.String())
	}

	os.Remove(marker)
	done, _, p = e.held(marker, nil)
	if _, err := e.dana.Review(context.Background(), p.ID, countersign.ReviewInput{Verdict: "reject", Reason: "not today"}); err != nil {
		t.Fatal(err)
	}
	o = <-done
	if o.code != execgate.ExitRefused || o.err == nil || !strings.Contains(o.err.Error(), "not today") {
		t.Fatalf("rejected: exit %d (%v), want 126 and the reviewer's reason", o.code, o.err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a rejected command ran")
	}
}

// A terminating signal while waiting cancels the request; SIGWINCH does not.
func TestSignalWhileWaitingCancels(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(t.TempDir(), "ran")
	sigs := make(chan os.Signal, 2)
	done, _, p := e.held(marker, sigs)
	sigs <- syscall.SIGWINCH
	sigs <- syscall.SIGTERM
	o := <-done
	if o.code != 143 || o.err == nil || !strings.Contains(o.err.Error(), "cancelled") {
		t.Fatalf("exit %d (%v), want 143 and cancelled", o.code, o.err)
	}
	v, err := e.agent.Get(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != countersign.StateCancelled || !strings.Contains(v.Reason, "SIGTERM") {
		t.Fatalf("request %s (%q), want cancelled naming SIGTERM", v.State, v.Reason)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a cancelled command ran")
	}
}

func TestPayloadNeedsOneForm(t *testing.T) {
	for _, cfg := range []execgate.Config{{}, {Argv: []string{"ls"}, Shell: "ls"}} {
		if _, err := cfg.Payload(); err == nil {
			t.Errorf("argv %q shell %q: no error", cfg.Argv, cfg.Shell)
		}
	}
}

// A Ctrl-C caught while the grant was being taken stops the command from
// starting: the terminal sent it before the command existed.
func TestSignalBeforeStartDoesNotRun(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(t.TempDir(), "ran")
	cfg, out, errb := e.config("dev", "")
	cfg.Argv = []string{"touch", marker}
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGWINCH // not terminating: ignored
	sigs <- syscall.SIGINT
	cfg.Signals = sigs
	o := run(t, cfg, out, errb)
	if o.code != 130 || o.err == nil || !strings.Contains(o.err.Error(), "SIGINT came before the command started") {
		t.Fatalf("exit %d (%v), want 130: not started", o.code, o.err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran after a Ctrl-C")
	}
	v := e.only()
	if v.State != countersign.StateExecuted || !strings.Contains(string(v.Result), "not started") {
		t.Fatalf("request %s, result %s; want the grant used and the result saying it did not start", v.State, v.Result)
	}
}
