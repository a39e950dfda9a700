package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/countersign/countersign/client"
	"github.com/spf13/cobra"
)

// newClient returns a client for COUNTERSIGN_URL with COUNTERSIGN_KEY.
func newClient() (*client.Client, error) {
	key := os.Getenv("COUNTERSIGN_KEY")
	if key == "" {
		return nil, fmt.Errorf("COUNTERSIGN_KEY is not set\nhint: use the bootstrap key printed by `countersign serve`, or a key from `countersign keys create`")
	}
	return client.New(os.Getenv("COUNTERSIGN_URL"), key), nil
}

// addJSONFlag adds --json to cmd.
func addJSONFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, "json", false, "print JSON for scripts")
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
