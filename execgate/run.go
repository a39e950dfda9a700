package execgate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
)

// caughtSignal returns a terminating signal already caught, if any; the
// others (SIGWINCH: the command reads the size when it starts) are dropped.
func (cfg *Config) caughtSignal() os.Signal {
	for {
		select {
		case sig := <-cfg.Signals:
			if terminates(sig) {
				return sig
			}
		default:
			return nil
		}
	}
}

// waitDelay bounds how long the output of a command that has exited is
// still read: a background process it left behind may hold the pipes open.
const waitDelay = 5 * time.Second

// run runs the command once request id's grant is taken, passes signals on
// to it, and records the outcome before returning its exit status.
func (cfg *Config) run(ctx context.Context, id string) (int, error) {
	start := time.Now()
	// A terminating signal caught after the wait (while the grant was being
	// taken) stops the command from starting: a Ctrl-C the terminal sent
	// before the command existed would otherwise be lost, and it would run.
	if sig := cfg.caughtSignal(); sig != nil {
		cfg.record(ctx, id, map[string]any{"status": "error", "error": "not started: " + signalName(sig) + " before the start",
			"exit_code": exitCodeOf(sig), "duration_ms": time.Since(start).Milliseconds()})
		return exitCodeOf(sig), &Refusal{Code: exitCodeOf(sig),
			Msg: fmt.Sprintf("request %s was approved, but %s came before the command started: it was not run", id, signalName(sig))}
	}
	var cmd *exec.Cmd
	if cfg.Shell != "" {
		cmd = exec.Command("/bin/sh", "-c", cfg.Shell)
	} else {
		cmd = exec.Command(cfg.Argv[0], cfg.Argv[1:]...)
	}
	cmd.Env = childEnv(cfg.Env)
	cmd.Stdin = cfg.Stdin
	mctx := context.WithoutCancel(ctx) // the command's output is masked to its end
	stdout := newMasked(cfg.Masker.NewWriter(mctx, cfg.Stdout))
	stderr := newMasked(cfg.Masker.NewWriter(mctx, cfg.Stderr))
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		cfg.record(ctx, id, map[string]any{"status": "error", "error": "could not start: " + err.Error(),
			"exit_code": ExitNotStarted, "duration_ms": time.Since(start).Milliseconds()})
		return ExitNotStarted, &Refusal{Code: ExitNotStarted, Msg: fmt.Sprintf("request %s was approved but the command could not be started: %v", id, err)}
	}
	done := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for {
			select {
			case <-done:
				return
			case sig := <-cfg.Signals:
				if !fromTerminal(sig) {
					_ = cmd.Process.Signal(sig) // it may have just exited
				}
			}
		}
	}()
	waitErr := cmd.Wait()
	close(done)
	<-forwarded
	elapsed := time.Since(start)
	result := map[string]any{"duration_ms": elapsed.Milliseconds(), "stdout_bytes": stdout.n, "stderr_bytes": stderr.n}
	var problems []string
	for _, m := range []*masked{stdout, stderr} {
		if err := m.close(); err != nil {
			problems = append(problems, err.Error())
		}
		if m.withheld {
			result["withheld"] = true
		}
	}
	counts := dlp.Counts{}
	counts.Add(stdout.w.Counts())
	counts.Add(stderr.w.Counts())
	result["masked"] = counts

	code, status := ExitNotStarted, "error"
	if st := cmd.ProcessState; st != nil {
		ws, _ := st.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			code = exitCodeOf(ws.Signal())
			result["signal"] = signalName(ws.Signal())
		} else {
			code = ws.ExitStatus()
		}
		if code == 0 && len(problems) == 0 {
			status = "ok"
		}
	} else if waitErr != nil {
		problems = append(problems, waitErr.Error())
	}
	result["status"], result["exit_code"] = status, code
	if len(problems) > 0 {
		result["error"] = strings.Join(problems, "; ")
		fmt.Fprintf(cfg.Stderr, "countersign: warning: request %s: %s\n", id, result["error"])
	}
	cfg.record(ctx, id, result)
	return code, nil
}

// record stores the outcome of request id. The command has run: a failure
// is a warning, not a change of exit status.
func (cfg *Config) record(ctx context.Context, id string, result map[string]any) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := cfg.API.RecordResult(ctx, id, result); err != nil {
		fmt.Fprintf(cfg.Stderr, "countersign: warning: the result of request %s was not recorded: %s\n", id, countersign.Describe(err))
	}
}

// childEnv is env (the process's own when nil) without the agent's key:
// the command needs no Countersign credentials.
func childEnv(env []string) []string {
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "COUNTERSIGN_KEY=") {
			out = append(out, kv)
		}
	}
	return out
}

// masked passes a command's output stream through the DLP masker and counts
// the bytes the command wrote. Complete lines are flushed at most flushAfter
// after they were written, so a command that writes little at a time (a
// log) is seen as it runs. If masking fails, the masker has written
// WithheldNotice and the rest of the output is read and dropped (the command
// runs on). If the output cannot be written (a closed pipe), Write fails, so
// the command's own writes fail as they would without Countersign.
type masked struct {
	mu       sync.Mutex
	w        *dlp.Writer
	n        int64
	withheld bool
	err      error
	armed    bool // a flush is due
	closed   bool
}

// flushAfter bounds how long complete lines of output wait to be shown.
const flushAfter = 100 * time.Millisecond

func newMasked(w *dlp.Writer) *masked { return &masked{w: w} }

func (m *masked) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n += int64(len(p))
	if m.withheld {
		return len(p), nil
	}
	if m.err != nil {
		return 0, m.err
	}
	if _, err := m.w.Write(p); err != nil {
		m.fail(err)
		if !m.withheld {
			return 0, err
		}
		return len(p), nil
	}
	if !m.armed {
		m.armed = true
		time.AfterFunc(flushAfter, m.flush)
	}
	return len(p), nil
}

// flush shows the complete lines written so far.
func (m *masked) flush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.armed = false
	if m.closed || m.err != nil || m.withheld {
		return
	}
	if err := m.w.Flush(); err != nil {
		m.fail(err)
	}
}

func (m *masked) fail(err error) {
	m.err = err
	m.withheld = errors.Is(err, dlp.ErrWithheld)
}

// close flushes what the masker holds and returns the first error.
func (m *masked) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.err == nil {
		if err := m.w.Close(); err != nil {
			m.fail(err)
		}
	}
	if m.err != nil && !errors.Is(m.err, syscall.EPIPE) { // the reader left: not ours to report
		return m.err
	}
	return nil
}
