package main

import (
	"fmt"

	countersign "github.com/countersign/countersign"
	"github.com/spf13/cobra"
)

func newApproveCmd() *cobra.Command { return newReviewCmd(countersign.VerdictApprove) }
func newRejectCmd() *cobra.Command  { return newReviewCmd(countersign.VerdictReject) }

func newReviewCmd(verdict countersign.Verdict) *cobra.Command {
	var (
		reason string
		asJSON bool
	)
	use, short := "approve ID", "Approve a pending request as the human COUNTERSIGN_KEY names"
	if verdict == countersign.VerdictReject {
		use, short = "reject ID --reason R", "Reject a pending request (a reason is required)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			v, err := c.Review(cmd.Context(), args[0], countersign.ReviewInput{Verdict: verdict, Reason: reason, Channel: "cli"})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s: request is now %s (%d/%d approvals)\n", verdict, v.ID, v.State, v.Approvals.Got, v.Approvals.Want)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required to reject, and to approve where the rule says so)")
	if verdict == countersign.VerdictReject {
		_ = cmd.MarkFlagRequired("reason")
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
