package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/execgate"
	"github.com/spf13/cobra"
)

func newExecCmd() *cobra.Command {
	var (
		in     countersign.SubmitInput
		shell  string
		labels []string
		wait   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "exec [flags] -- CMD ARGS... | exec [flags] --shell 'STRING'",
		Short: "Run a command once policy or humans approve it, masking its output",
		Long: `Submit a command as a shell action of the agent COUNTERSIGN_KEY names, wait for
the approvals policy asks for (a live line on a terminal says whose, how many and
how long is left), take the grant, and run exactly what was approved, once. Its
stdout and stderr pass through the data-leakage masker; stdin and signals pass
through; exec exits with the command's status (128+N if signal N ended it) and
records the outcome on the request.

The command does not run, and exec exits 126, when the action is denied,
rejected, expired or cancelled, still pending after --wait, or the server cannot
be asked. Ctrl-C or SIGTERM while waiting cancels the request (exit 130 or 143).
An approved command that cannot be started exits 127.`,
		Args: func(_ *cobra.Command, args []string) error {
			if (len(args) > 0) == (shell != "") {
				return usageError{errors.New("give either a command after -- or --shell 'STRING'")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if in.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return &exitError{code: execgate.ExitRefused, msg: err.Error()}
			}
			// Caught from before the submission, so that no signal can end
			// exec between taking the grant and recording the result.
			sigs := make(chan os.Signal, 16)
			signal.Notify(sigs, execgate.Signals...)
			defer signal.Stop(sigs)
			// A closed stdout makes writes fail (and the command's writes
			// with them) rather than end exec before it records the result.
			signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
			errw := cmd.ErrOrStderr()
			code, err := execgate.Run(cmd.Context(), execgate.Config{
				API: c, Action: in, Argv: args, Shell: shell, Wait: wait,
				Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: errw,
				Progress: progressLine(errw), EndProgress: func() { endProgress(errw) },
				Signals: sigs,
			})
			if err != nil {
				return &exitError{code: code, msg: err.Error()}
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags end at the command: `exec kubectl -n x get pods`
	f.StringVar(&shell, "shell", "", "a shell command line, run with /bin/sh -c (payload {\"command\": ...})")
	addActionFlags(f, &in, &labels)
	f.DurationVar(&wait, "wait", 24*time.Hour, "how long to wait for reviewers (the request's own expiry ends it sooner)")
	return cmd
}
