package main

import (
	"errors"
	"github.com/countersign/countersign/internal/syncbuf"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ansi matches the terminal control sequences the waiting line uses.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// screen accumulates what a program writes to its terminal, without
// carriage returns and control sequences.
type screen struct{ raw syncbuf.Buffer }

func (s *screen) String() string {
	return strings.ReplaceAll(ansi.ReplaceAllString(s.raw.String(), ""), "\r", "")
}

// await waits (at most d) until re matches the screen.
func (s *screen) await(t *testing.T, re string, d time.Duration) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(d)
	for !rx.MatchString(s.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %q on the terminal; it shows:\n%q", d, re, s.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExecWaitingLineOnTerminal runs `countersign exec` in a real pty: the
// waiting line names the approvers and counts 0/2, then 1/2 after the first
// approval, and the command runs after the second.
func TestExecWaitingLineOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	x := newExecEnv(t)
	cmd, _, _ := x.command(x.url, "--env", "production", "--", "kubectl", "delete", "namespace", "prod")
	cmd.Stdout, cmd.Stderr = nil, nil
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 200})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no pty: %v", err)
		}
		t.Skipf("no pty: %v", err)
	}
	defer tty.Close()
	var scr screen
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, err := io.Copy(&scr.raw, tty) // ends with EIO once the process is gone
		if err != nil && !errors.Is(err, os.ErrClosed) && !strings.Contains(err.Error(), "input/output error") {
			t.Errorf("read pty: %v", err)
		}
	}()

	line := `waiting for approval by group:dba \((\d)/2\), [0-9hms]+ left \.\.\.`
	scr.await(t, strings.Replace(line, `(\d)`, "0", 1), 10*time.Second)
	p := x.pending(&scr.raw)
	x.approve(x.dana, p.ID)
	scr.await(t, strings.Replace(line, `(\d)`, "1", 1), 10*time.Second) // the line refreshes every 3 s
	if x.runs() != nil {
		t.Fatal("the stub ran after one approval of two")
	}
	x.approve(x.dave, p.ID)
	scr.await(t, `AWS_ACCESS_KEY_ID=\[AWS_ACCESS_KEY\]\nowner: \[EMAIL\]\n`, 10*time.Second)
	if code := exitCode(t, cmd); code != 3 {
		t.Fatalf("exit %d, want 3; terminal:\n%s", code, scr.String())
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		t.Fatal("the pty did not close")
	}
	if s := scr.String(); strings.Contains(s, stubAWSKey) || len(x.runs()) != 1 {
		t.Fatalf("key shown or stub runs %q; terminal:\n%s", x.runs(), s)
	}
}
