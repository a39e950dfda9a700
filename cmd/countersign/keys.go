package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/spf13/cobra"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create, list and revoke API keys (admins)"}
	var (
		agent, owner, human, admin string
		groups                     []string
		asJSON, gatewayKey         bool
	)
	create := &cobra.Command{
		Use:   "create (--agent NAME --owner EMAIL [--gateway] | --human EMAIL [--group G]... | --admin NAME)",
		Short: "Create a key; its secret is printed once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var in countersign.KeyInput
			switch {
			case agent != "" && human == "" && admin == "":
				in = countersign.KeyInput{Kind: countersign.KindAgent, Name: agent, Owner: owner, Gateway: gatewayKey}
				if owner == "" {
					return usageError{fmt.Errorf("--agent needs --owner EMAIL, the human responsible for it")}
				}
			case human != "" && agent == "" && admin == "":
				in = countersign.KeyInput{Kind: countersign.KindHuman, Name: human, Groups: groups}
			case admin != "" && agent == "" && human == "":
				in = countersign.KeyInput{Kind: countersign.KindAdmin, Name: admin}
			default:
				return usageError{fmt.Errorf("give exactly one of --agent, --human or --admin")}
			}
			if in.Kind != countersign.KindHuman && len(groups) > 0 {
				return usageError{fmt.Errorf("--group applies to --human keys only")}
			}
			if in.Kind != countersign.KindAgent && gatewayKey {
				return usageError{fmt.Errorf("--gateway applies to --agent keys only")}
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			k, err := c.CreateKey(cmd.Context(), in)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), k)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "created key %s for %s %s; the secret below is shown only once\n", k.Key.ID, k.Key.Principal.Kind, k.Key.Principal.Name)
			fmt.Fprintln(cmd.OutOrStdout(), k.Secret)
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&agent, "agent", "", "an agent's name")
	f.StringVar(&owner, "owner", "", "the agent's owner (a human's email)")
	f.StringVar(&human, "human", "", "a human's email")
	f.StringArrayVar(&groups, "group", nil, "a group the human belongs to (repeatable)")
	f.StringVar(&admin, "admin", "", "an admin's name")
	f.BoolVar(&gatewayKey, "gateway", false, "an MCP gateway's agent key, run where agents cannot read it: the tool annotations it submits are believed for trusted servers")
	addJSONFlag(create, &asJSON)

	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			keys, err := c.Keys(cmd.Context())
			if err != nil {
				return err
			}
			if listJSON {
				return printJSON(cmd.OutOrStdout(), keys)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tNAME\tOWNER\tGROUPS\tCREATED\tREVOKED")
			for _, k := range keys {
				kind := string(k.Principal.Kind)
				if k.Principal.Gateway {
					kind += " (gateway)"
				}
				revoked := ""
				if k.RevokedAt != nil {
					revoked = k.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\t%s\n", k.ID, kind, k.Principal.Name, k.Principal.Owner,
					k.Principal.Groups, k.CreatedAt.Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		},
	}
	addJSONFlag(list, &listJSON)

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a key at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.RevokeKey(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "revoked key %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
