package execgate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/countersign/countersign/execgate"
)

// awsKey is an AWS access key id the detector accepts (the documentation's
// AKIAIOSFODNN7EXAMPLE is refused as a sample); it grants nothing.
const awsKey = "AKIAZ7VRSQ4TLW2MXJ5K"

// result returns the recorded result of the agent's one request.
func (e *env) result() map[string]any {
	e.t.Helper()
	v := e.only()
	var r map[string]any
	if err := json.Unmarshal(v.Result, &r); err != nil {
		e.t.Fatalf("result %s: %v", v.Result, err)
	}
	return r
}

// The output is masked on both streams, stdin passes through, the exit
// status is the command's, and the result is recorded.
func TestRunMasksAndRecords(t *testing.T) {
	e := newEnv(t)
	cfg, out, errb := e.config("dev", "from stdin\n")
	cfg.Shell = fmt.Sprintf("cat; echo key %s; echo mail jane.doe@acme-corp.io >&2; exit 3", awsKey)
	o := run(t, cfg, out, errb)
	if o.code != 3 || o.err != nil {
		t.Fatalf("exit %d (%v), want 3", o.code, o.err)
	}
	if out.String() != "from stdin\nkey [AWS_ACCESS_KEY]\n" || errb.String() != "mail [EMAIL]\n" {
		t.Fatalf("stdout %q stderr %q, want masked", out.String(), errb.String())
	}
	r := e.result()
	masked, _ := r["masked"].(map[string]any)
	if r["status"] != "error" || r["exit_code"] != 3.0 || r["stdout_bytes"] != float64(len("from stdin\nkey "+awsKey+"\n")) ||
		r["stderr_bytes"] != float64(len("mail jane.doe@acme-corp.io\n")) || masked["AWS_ACCESS_KEY"] != 1.0 || masked["EMAIL"] != 1.0 ||
		r["duration_ms"] == nil || r["signal"] != nil {
		t.Fatalf("result %v", r)
	}
}

// The agent's key is not passed on to the command.
func TestKeyNotPassedOn(t *testing.T) {
	e := newEnv(t)
	cfg, out, errb := e.config("dev", "")
	cfg.Env = append(os.Environ(), "COUNTERSIGN_KEY=cs_secret", "OTHER=kept")
	cfg.Shell = `echo "${COUNTERSIGN_KEY:-none} $OTHER"`
	if o := run(t, cfg, out, errb); o.code != 0 || out.String() != "none kept\n" {
		t.Fatalf("exit %d (%v), stdout %q", o.code, o.err, out.String())
	}
}

// A command that dies of signal N exits 128+N, and the result names it.
func TestKilledBySignal(t *testing.T) {
	e := newEnv(t)
	cfg, out, errb := e.config("dev", "")
	cfg.Shell = "kill -USR2 $$"
	o := run(t, cfg, out, errb)
	if want := 128 + int(syscall.SIGUSR2); o.code != want || o.err != nil {
		t.Fatalf("exit %d (%v), want %d", o.code, o.err, want)
	}
	if r := e.result(); r["signal"] != "SIGUSR2" || r["exit_code"] != float64(128+int(syscall.SIGUSR2)) {
		t.Fatalf("result %v, want signal SIGUSR2", r)
	}
}

// An approved program that cannot be started exits 127, recorded as an error.
func TestNotFound(t *testing.T) {
	e := newEnv(t)
	cfg, out, errb := e.config("dev", "")
	cfg.Argv = []string{filepath.Join(t.TempDir(), "no-such-program")}
	o := run(t, cfg, out, errb)
	if o.code != execgate.ExitNotStarted || o.err == nil || !strings.Contains(o.err.Error(), "could not be started") {
		t.Fatalf("exit %d (%v), want 127", o.code, o.err)
	}
	if r := e.result(); r["status"] != "error" || !strings.Contains(fmt.Sprint(r["error"]), "no-such-program") {
		t.Fatalf("result %v", r)
	}
}

// Signals caught while the command runs are passed on to it.
func TestSignalsForwarded(t *testing.T) {
	e := newEnv(t)
	ready := filepath.Join(t.TempDir(), "ready")
	cfg, out, errb := e.config("dev", "")
	sigs := make(chan os.Signal, 1)
	cfg.Signals = sigs
	cfg.Shell = fmt.Sprintf(`trap 'echo got USR1; exit 7' USR1; touch %s; while :; do sleep 0.05; done`, ready)
	done := start(cfg, out, errb)
	waitFile(t, ready)
	sigs <- syscall.SIGUSR1
	select {
	case o := <-done:
		if o.code != 7 || out.String() != "got USR1\n" {
			t.Fatalf("exit %d (%v), stdout %q, want 7 and the trap's output", o.code, o.err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGUSR1 did not reach the command")
	}
}

// Output is masked as it streams: a command's first rounds reach the output
// while it still runs, and a secret in them is masked.
func TestOutputStreams(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	goOn := filepath.Join(dir, "go-on")
	cfg, out, errb := e.config("dev", "")
	// 300 KiB with a key in the middle, then wait for the test.
	cfg.Shell = fmt.Sprintf(`i=0; while [ $i -lt 3000 ]; do printf '%%099d\n' $i; [ $i = 1000 ] && echo %s; i=$((i+1)); done; `+
		`while [ ! -e %s ]; do sleep 0.05; done; echo end`, awsKey, goOn)
	done := start(cfg, out, errb)
	deadline := time.Now().Add(10 * time.Second)
	for out.Len() < 64<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d bytes of output while the command runs: it is not streamed", out.Len())
		}
		time.Sleep(20 * time.Millisecond)
	}
	os.WriteFile(goOn, nil, 0o600)
	o := <-done
	s := out.String()
	if o.code != 0 || strings.Contains(s, awsKey) || !strings.Contains(s, "[AWS_ACCESS_KEY]") || !strings.HasSuffix(s, "end\n") {
		t.Fatalf("exit %d (%v); key masked: %v; ends %q", o.code, o.err, !strings.Contains(s, awsKey), s[max(0, len(s)-20):])
	}
	if r := e.result(); r["stdout_bytes"] != float64(3000*100+len(awsKey)+1+len("end\n")) {
		t.Fatalf("result %v", r)
	}
}

func waitFile(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(name); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A line of output is shown soon after it is written, masked, even when
// the command then goes quiet (a log that trickles).
func TestOutputLinesShownWhileQuiet(t *testing.T) {
	e := newEnv(t)
	goOn := filepath.Join(t.TempDir(), "go-on")
	cfg, out, errb := e.config("dev", "")
	cfg.Shell = fmt.Sprintf(`echo "started with %s"; printf 'half a line'; while [ ! -e %s ]; do sleep 0.05; done; echo " done"`, awsKey, goOn)
	done := start(cfg, out, errb)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "started with") {
		if time.Now().After(deadline) {
			t.Fatalf("the first line was not shown while the command ran: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := out.String(); strings.Contains(s, awsKey) || strings.Contains(s, "half a line") {
		t.Fatalf("shown while quiet: %q; want the line masked and the incomplete line held back", s)
	}
	os.WriteFile(goOn, nil, 0o600)
	o := <-done
	if s := out.String(); o.code != 0 || !strings.HasSuffix(s, "half a line done\n") || strings.Contains(s, awsKey) {
		t.Fatalf("exit %d, output %q", o.code, s)
	}
}
