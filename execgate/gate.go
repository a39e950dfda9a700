// Package execgate gates a command on Countersign: it submits the command as
// a shell action, waits for the humans policy names, takes the grant, and
// only then runs the command, masking its output and recording the outcome.
// It is the core of `countersign exec`.
package execgate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/dlp"
)

// Exit codes besides the command's own.
const (
	// ExitRefused: the command did not run (denied, rejected, expired,
	// cancelled, still pending, or the server could not be asked).
	ExitRefused = 126
	// ExitNotStarted: approved, but the program could not be started.
	ExitNotStarted = 127
)

// Config says what to run and how.
type Config struct {
	API *client.Client
	// Action carries the environment, resource, summary, on_behalf_of and
	// labels; its kind and payload are set from Argv or Shell.
	Action countersign.SubmitInput
	// Argv is the program and its arguments; or Shell, a string run with
	// /bin/sh -c. Exactly one is set.
	Argv  []string
	Shell string
	// Wait bounds the wait for reviewers.
	Wait time.Duration
	// Masker masks the command's output (dlp.DefaultMasker() when nil).
	Masker *dlp.Masker
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Progress, when not nil, is called with the request while it waits
	// (the live waiting line), and EndProgress once the wait is over.
	Progress    func(*countersign.RequestView)
	EndProgress func()
	// Signals delivers the signals the caller caught (see Signals): while
	// waiting, a terminating one cancels the request; while the command
	// runs, each is passed on to it.
	Signals <-chan os.Signal
	// Env is the command's environment (os.Environ() when nil), less
	// COUNTERSIGN_KEY.
	Env []string
}

// Refusal is the error of a command that did not run: Code is the exit
// status to leave with.
type Refusal struct {
	Code int
	Msg  string
}

func (r *Refusal) Error() string { return r.Msg }

func refused(format string, a ...any) *Refusal {
	return &Refusal{Code: ExitRefused, Msg: fmt.Sprintf(format, a...)}
}

// Payload returns the shell action's payload: {"argv": [...]} or
// {"command": "..."}.
func (c *Config) Payload() (json.RawMessage, error) {
	switch {
	case len(c.Argv) > 0 && c.Shell != "":
		return nil, errors.New("give either a command and its arguments or --shell, not both")
	case len(c.Argv) > 0:
		return json.Marshal(map[string][]string{"argv": c.Argv})
	case c.Shell != "":
		return json.Marshal(map[string]string{"command": c.Shell})
	}
	return nil, errors.New("no command given")
}

// Run submits the command, waits for approval, takes the grant and runs the
// command. It returns the exit status to leave with: the command's own (128+N
// when signal N ended it), or a *Refusal's when it did not run (err says why).
func Run(ctx context.Context, cfg Config) (int, error) {
	if cfg.Masker == nil {
		cfg.Masker = dlp.DefaultMasker()
	}
	payload, err := cfg.Payload()
	if err != nil {
		return ExitRefused, refused("%v", err)
	}
	in := cfg.Action
	in.Kind, in.Payload, in.Execute = countersign.ActionShell, payload, true
	sub, err := cfg.API.Submit(ctx, in)
	if err != nil {
		return ExitRefused, refused("the command was not run: %s", countersign.Describe(err))
	}
	switch {
	case sub.Executed:
		return cfg.run(ctx, sub.ID)
	case sub.State == countersign.StatePending:
		return cfg.hold(ctx, sub.ID)
	}
	return ExitRefused, refused("the command was not run: request %s is %s: %s", sub.ID, sub.State, countersign.WhyNot(sub.Reason, nil, sub.Reasons))
}

// hold waits for reviewers, then takes the grant and runs the command.
func (cfg *Config) hold(ctx context.Context, id string) (int, error) {
	v, err := cfg.API.Get(ctx, id)
	if err != nil {
		return ExitRefused, refused("the command was not run: request %s: %s", id, countersign.Describe(err))
	}
	if v.State == countersign.StatePending {
		fmt.Fprintf(cfg.Stderr, "countersign: request %s is waiting for approval by %s (%d/%d): %s\n",
			id, Approvers(v), v.Approvals.Got, v.Approvals.Want, countersign.WhyNot("", nil, v.Reasons))
		if cfg.Progress != nil {
			cfg.Progress(v)
		}
	}
	waitCtx, stop := context.WithCancel(ctx)
	defer stop()
	type waited struct {
		v   *countersign.RequestView
		err error
	}
	done := make(chan waited, 1)
	go func() {
		v, err := cfg.API.WaitResolved(waitCtx, id, cfg.Wait, cfg.Progress)
		done <- waited{v, err}
	}()
	var w waited
	for wait := true; wait; {
		select {
		case w = <-done:
			wait = false
		case sig := <-cfg.Signals:
			if !terminates(sig) {
				continue
			}
			stop()
			<-done
			cfg.endProgress()
			return cfg.cancel(id, sig)
		}
	}
	cfg.endProgress()
	if w.err != nil {
		return ExitRefused, refused("the command was not run: waiting for request %s: %s", id, countersign.Describe(w.err))
	}
	v = w.v
	switch v.State {
	case countersign.StateApproved:
	case countersign.StatePending:
		return ExitRefused, refused("the command was not run: request %s is still pending after %s", id, cfg.Wait)
	default:
		return ExitRefused, refused("the command was not run: request %s was %s: %s", id, v.State, countersign.WhyNot(v.Reason, v.Reviews, v.Reasons))
	}
	if _, err := cfg.API.Execute(ctx, id, v.Digest); err != nil {
		return ExitRefused, refused("the command was not run: request %s is approved but its grant could not be used: %s", id, countersign.Describe(err))
	}
	return cfg.run(ctx, id)
}

// cancel withdraws request id because sig arrived while it waited.
func (cfg *Config) cancel(id string, sig os.Signal) (int, error) {
	ctx, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	reason := "cancelled at the terminal"
	if sig != os.Interrupt {
		reason = fmt.Sprintf("countersign exec received %s while waiting", signalName(sig))
	}
	code := exitCodeOf(sig)
	if _, err := cfg.API.Cancel(ctx, id, reason); err != nil {
		return code, &Refusal{Code: code, Msg: fmt.Sprintf("the command was not run (%s); cancelling request %s failed: %s", signalName(sig), id, countersign.Describe(err))}
	}
	return code, &Refusal{Code: code, Msg: fmt.Sprintf("the command was not run: request %s cancelled (%s)", id, signalName(sig))}
}

func (cfg *Config) endProgress() {
	if cfg.EndProgress != nil {
		cfg.EndProgress()
	}
}

// Approvers names who must approve v, e.g. "group:dba".
func Approvers(v *countersign.RequestView) string {
	var names []string
	seen := map[string]bool{}
	for _, t := range v.Thresholds {
		for _, a := range t.Approvers {
			if !seen[a] {
				seen[a] = true
				names = append(names, a)
			}
		}
	}
	if len(names) == 0 {
		return "reviewers"
	}
	return strings.Join(names, ", ")
}
