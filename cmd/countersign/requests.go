package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/spf13/cobra"
)

func newRequestsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "requests", Short: "List and show requests"}
	var (
		p      client.ListParams
		state  string
		asJSON bool
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List requests, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			p.State = countersign.State(state)
			l, err := c.List(cmd.Context(), p)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), l)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tAGENT\tKIND\tAPPROVALS\tAGE\tSUMMARY")
			for _, v := range l.Requests {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", v.ID, v.State, v.Agent, v.Action.Kind,
					v.Approvals.Got, v.Approvals.Want, time.Since(v.CreatedAt).Round(time.Second), oneLine(v.Action.Summary, 50))
			}
			if l.NextCursor != "" {
				fmt.Fprintf(tw, "(more: --cursor %s)\n", l.NextCursor)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&state, "state", "", "pending, approved, executed, denied, rejected, expired or cancelled")
	list.Flags().StringVar(&p.Agent, "agent", "", "only this agent's requests")
	list.Flags().IntVar(&p.Limit, "limit", 50, "at most this many (1-500)")
	list.Flags().StringVar(&p.Cursor, "cursor", "", "the next page, from a previous list")
	addJSONFlag(list, &asJSON)

	var showJSON bool
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one request with its reviews",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			v, err := c.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if showJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			printRequest(cmd.OutOrStdout(), v)
			return nil
		},
	}
	addJSONFlag(show, &showJSON)
	cmd.AddCommand(list, show)
	return cmd
}

// printRequest shows a request for a person deciding on it.
func printRequest(w io.Writer, v *countersign.RequestView) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", printable(k), printable(val))
		}
	}
	row("id", v.ID)
	row("state", string(v.State))
	row("agent", v.Agent+" (owner "+v.AgentOwner+")")
	row("on behalf of", v.Action.OnBehalfOf)
	row("kind", string(v.Action.Kind))
	row("environment", v.Action.Environment)
	row("resource", v.Action.Resource)
	row("summary", v.Action.Summary)
	row("payload", string(v.Action.Payload))
	rules := strings.Join(v.Rules, ", ")
	if rules == "" {
		rules = "the policy's default"
	}
	row("decision", string(v.Decision)+" by "+rules)
	row("reasons", strings.Join(v.Reasons, "; "))
	all := decodeFacts(v.Facts)
	for _, name := range slices.Sorted(maps.Keys(all)) {
		facts := all[name]
		var risks []string
		for k, val := range facts {
			if b, ok := val.(bool); ok && b {
				risks = append(risks, k)
			}
		}
		slices.Sort(risks)
		row("what it does", name+": "+orNone(strings.Join(risks, ", ")))
		for _, k := range []string{"types", "tables", "programs", "server", "tool", "host", "path"} {
			row("  "+k, factText(facts[k]))
		}
		if rs, ok := facts["reasons"].([]any); ok {
			for _, r := range rs {
				row("  finding", fmt.Sprint(r))
			}
		}
	}
	row("reason", v.Reason)
	if v.Approvals.Want > 0 {
		row("approvals", fmt.Sprintf("%d of %d", v.Approvals.Got, v.Approvals.Want))
	}
	for _, t := range v.Thresholds {
		row("  rule "+t.Rule, fmt.Sprintf("%d of %d from %s (so far: %s)", len(t.ApprovedBy), t.MinApprovals,
			strings.Join(t.Approvers, ", "), strings.Join(t.ApprovedBy, ", ")))
	}
	for _, r := range v.Reviews {
		row("  review", fmt.Sprintf("%s %s via %s at %s: %s", r.Reviewer, r.Verdict, r.Channel, r.At.Format(time.RFC3339), r.Reason))
	}
	if v.ExpiresAt != nil {
		row("expires", v.ExpiresAt.Format(time.RFC3339)+" (in "+time.Until(*v.ExpiresAt).Round(time.Second).String()+")")
	}
	row("digest", v.Digest)
	tw.Flush()
}
