package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newAgentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agents", Short: "Freeze and unfreeze agents (admins)"}
	for _, frozen := range []bool{true, false} {
		use, short := "freeze NAME", "Deny every new action of an agent until it is unfrozen"
		if !frozen {
			use, short = "unfreeze NAME", "Let a frozen agent act again"
		}
		cmd.AddCommand(&cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := newClient()
				if err != nil {
					return err
				}
				if err := c.SetFrozen(cmd.Context(), args[0], frozen); err != nil {
					return err
				}
				word := "frozen"
				if !frozen {
					word = "unfrozen"
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "agent %s %s\n", args[0], word)
				return nil
			},
		})
	}
	return cmd
}
