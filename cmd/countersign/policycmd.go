package main

import (
	"encoding/json"
	"fmt"
	"strings"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/policy"
	"github.com/spf13/cobra"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Check a policy file offline"}
	validate := &cobra.Command{
		Use:   "validate FILE",
		Short: "Parse and type-check a policy file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := policy.Load(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s (%s)\n", args[0], p.Digest())
			return nil
		},
	}
	var (
		actionJSON string
		owner      string
	)
	test := &cobra.Command{
		Use:   "test FILE --action JSON",
		Short: "Show what a policy decides for an action, as the server would",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := policy.Load(args[0])
			if err != nil {
				return err
			}
			var a countersign.Action
			dec := json.NewDecoder(strings.NewReader(actionJSON))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&a); err != nil {
				return usageError{fmt.Errorf("--action is not a JSON action: %v", err)}
			}
			// The same code path the server uses to decide, with no store.
			svc := gateway.New(gateway.Config{Policy: p})
			d, err := svc.TestPolicy(cmd.Context(), countersign.Principal{Kind: countersign.KindAdmin, Name: "cli"}, a, owner)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), d)
		},
	}
	test.Flags().StringVar(&actionJSON, "action", "", `the action, e.g. '{"kind":"sql","agent":"bot","payload":{"sql":"select 1"}}'`)
	test.Flags().StringVar(&owner, "owner", "", "the agent's owner")
	_ = test.MarkFlagRequired("action")
	cmd.AddCommand(validate, test)
	return cmd
}
