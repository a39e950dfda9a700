package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/execgate"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newCheckCmd() *cobra.Command {
	var (
		in        countersign.SubmitInput
		kind      string
		payload   string
		labels    []string
		wait      time.Duration
		noExecute bool
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "check --kind KIND --payload JSON",
		Short: "Submit an action, wait for its approval, and take its grant",
		Long: `Submit an action as the agent COUNTERSIGN_KEY names. An allowed action, or one
approved while check waits, is executed through its grant (so the evidence shows it
went ahead) and check exits 0 with the request id and digest. A denied, rejected or
expired action, or one still pending when --wait runs out, exits 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.Kind = countersign.ActionKind(kind)
			if !json.Valid([]byte(payload)) {
				return usageError{fmt.Errorf("--payload is not valid JSON")}
			}
			in.Payload = json.RawMessage(payload)
			var err error
			if in.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			sub, err := c.Submit(ctx, in)
			if err != nil {
				return err
			}
			v := &countersign.RequestView{ID: sub.ID, State: sub.State, Decision: sub.Decision, Rules: sub.Rules,
				Reasons: sub.Reasons, Reason: sub.Reason, Digest: sub.Digest, ExpiresAt: sub.ExpiresAt, Approvals: sub.Approvals}
			if v.State == countersign.StatePending {
				fmt.Fprintf(errw, "request %s needs review: %s\n", v.ID, strings.Join(v.Reasons, "; "))
				progress := progressLine(errw)
				if progress != nil {
					progress(v) // at once, before the first long-poll returns
				}
				v, err = c.WaitResolved(ctx, v.ID, wait, progress)
				endProgress(errw)
				if err != nil {
					return err
				}
			} else if noExecute && asJSON {
				// The whole request for --json (execute answers with it otherwise).
				if v, err = c.Get(ctx, sub.ID); err != nil {
					return err
				}
			}
			switch v.State {
			case countersign.StateApproved:
				if !noExecute {
					if v, err = c.Execute(ctx, v.ID, v.Digest); err != nil {
						return err
					}
				}
			case countersign.StatePending:
				return &exitError{code: 1, msg: fmt.Sprintf("request %s is still pending after %s\nhint: wait longer with --wait, or ask an approver to review it", v.ID, wait)}
			default:
				return &exitError{code: 1, msg: fmt.Sprintf("request %s was %s: %s", v.ID, v.State, countersign.WhyNot(v.Reason, v.Reviews, v.Reasons))}
			}
			if asJSON {
				return printJSON(out, v)
			}
			fmt.Fprintf(out, "%s %s %s\n", v.State, v.ID, v.Digest)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "sql, shell, mcp.tool, http or custom")
	f.StringVar(&payload, "payload", "", `the action's payload as JSON, e.g. '{"sql":"select 1"}'`)
	addActionFlags(f, &in, &labels)
	f.StringVar(&in.IdempotencyKey, "idempotency-key", "", "repeat-safe key, scoped to the agent")
	f.DurationVar(&wait, "wait", 10*time.Minute, "how long to wait for reviewers")
	f.BoolVar(&noExecute, "no-execute", false, "only wait for approval; do not take the grant")
	addJSONFlag(cmd, &asJSON)
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("payload")
	return cmd
}

// addActionFlags adds the flags that describe an action besides its kind and
// payload: --env, --resource, --summary, --on-behalf-of and --label.
func addActionFlags(f *pflag.FlagSet, in *countersign.SubmitInput, labels *[]string) {
	f.StringVar(&in.Environment, "env", "", "environment, e.g. production")
	f.StringVar(&in.Resource, "resource", "", "what the action touches, e.g. postgres://orders-db/orders")
	f.StringVar(&in.Summary, "summary", "", "why, in a sentence, for the reviewers")
	f.StringVar(&in.OnBehalfOf, "on-behalf-of", "", "the human the agent acts for")
	f.StringArrayVar(labels, "label", nil, "KEY=VALUE label (repeatable)")
}

// parseLabels turns KEY=VALUE flags into a map (nil when none).
func parseLabels(labels []string) (map[string]string, error) {
	var m map[string]string
	for _, l := range labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("--label wants KEY=VALUE, got %q", l)}
		}
		if m == nil {
			m = map[string]string{}
		}
		m[k] = v
	}
	return m, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressLine returns a callback that redraws "waiting for approval (1/2)"
// on a terminal, and prints nothing elsewhere.
func progressLine(w io.Writer) func(*countersign.RequestView) {
	if !isTerminal(w) {
		return nil
	}
	return func(v *countersign.RequestView) {
		left, by := "", ""
		if v.ExpiresAt != nil {
			left = fmt.Sprintf(", %s left", max(0, time.Until(*v.ExpiresAt)).Round(time.Second))
		}
		if len(v.Thresholds) > 0 {
			by = " by " + execgate.Approvers(v)
		}
		fmt.Fprintf(w, "\r\033[Kwaiting for approval%s (%d/%d)%s ...", by, v.Approvals.Got, v.Approvals.Want, left)
	}
}

func endProgress(w io.Writer) {
	if isTerminal(w) {
		fmt.Fprint(w, "\r\033[K")
	}
}
