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
	cmd := &cobra.Command{Use: "policy", Short: "Check a policy offline; list and show the built-in packs"}
	validate := &cobra.Command{
		Use:   "validate FILE|pack:NAME",
		Short: "Parse and type-check a policy",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := policy.LoadRef(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s (%s)\n", args[0], p.Digest())
			return nil
		},
	}
	packs := &cobra.Command{
		Use:   "packs",
		Short: "List the built-in policy packs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range policy.Packs() {
				p, err := policy.Pack(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "pack:%-12s %2d rules  %s\n", name, len(p.Rules()), strings.Join(p.Rules(), ", "))
			}
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show pack:NAME",
		Short: "Print a built-in pack's YAML, to read or to start your own policy from",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := policy.PackSource(strings.TrimPrefix(args[0], policy.PackPrefix))
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(src)
			return err
		},
	}
	cmd.AddCommand(validate, newPolicyTestCmd(), packs, show)
	return cmd
}

func newPolicyTestCmd() *cobra.Command {
	var (
		actionJSON, sqlText, shellText, owner, agent, env string
		asJSON                                            bool
	)
	test := &cobra.Command{
		Use:   "test FILE|pack:NAME (--action JSON | --sql SQL | --shell COMMAND)",
		Short: "Show what a policy decides for an action, and the facts it judged, as the server would",
		Example: `  countersign policy test pack:databases --sql "COPY users TO STDOUT"
  countersign policy test policy.yaml --shell "sudo bash -c 'rm -rf /var/lib/app'"
  countersign policy test pack:mcp --action '{"kind":"mcp.tool","agent":"bot","payload":{"server":"github","tool":"delete_repo"}}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := policy.LoadRef(args[0])
			if err != nil {
				return err
			}
			a, err := testAction(actionJSON, sqlText, shellText)
			if err != nil {
				return err
			}
			if agent != "" {
				a.Agent = agent
			}
			if env != "" {
				a.Environment = env
			}
			// The same code path the server uses to decide, with no store:
			// the analysers run, limits are not counted.
			svc := gateway.New(gateway.Config{Policy: p})
			d, err := svc.TestPolicy(cmd.Context(), countersign.Principal{Kind: countersign.KindAdmin, Name: "cli"}, a, owner)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), d)
			}
			printDecision(cmd.OutOrStdout(), p, a, d)
			return nil
		},
	}
	f := test.Flags()
	f.StringVar(&actionJSON, "action", "", `the action as JSON, e.g. '{"kind":"sql","agent":"bot","payload":{"sql":"select 1"}}'`)
	f.StringVar(&sqlText, "sql", "", "shorthand for an SQL action with this statement")
	f.StringVar(&shellText, "shell", "", "shorthand for a shell action with this command line")
	f.StringVar(&agent, "agent", "", "the agent (default: the action's, or \"agent\")")
	f.StringVar(&env, "environment", "", "the action's environment")
	f.StringVar(&owner, "owner", "", "the agent's owner")
	addJSONFlag(test, &asJSON)
	test.MarkFlagsOneRequired("action", "sql", "shell")
	test.MarkFlagsMutuallyExclusive("action", "sql", "shell")
	return test
}

// testAction builds the action policy test judges from its flags.
func testAction(actionJSON, sqlText, shellText string) (countersign.Action, error) {
	var a countersign.Action
	switch {
	case actionJSON != "":
		dec := json.NewDecoder(strings.NewReader(actionJSON))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return a, usageError{fmt.Errorf("--action is not a JSON action: %v", err)}
		}
	case sqlText != "":
		payload, _ := json.Marshal(map[string]string{"sql": sqlText})
		a = countersign.Action{Kind: countersign.ActionSQL, Payload: payload}
	default:
		payload, _ := json.Marshal(map[string]string{"command": shellText})
		a = countersign.Action{Kind: countersign.ActionShell, Payload: payload}
	}
	if a.Agent == "" {
		a.Agent = "agent"
	}
	return a, nil
}
