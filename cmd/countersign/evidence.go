package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func newEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "The tamper-evident evidence log"}
	var configFile string
	flags := DefaultConfig()
	key := &cobra.Command{
		Use:   "key",
		Short: "Print the verifier key of the evidence log (creating the signing key if there is none)",
		Long: `Print the note verifier key that checks the evidence log's signed checkpoints.
Give it to auditors: with it, "countersign evidence verify" checks a bundle offline.
The signing key comes from COUNTERSIGN_EVIDENCE_KEY, or from the key file
(--evidence-key-file, default DATA/evidence.key), which is created (0600) when absent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := DefaultConfig()
			if configFile != "" {
				if err := LoadConfigFile(&cfg, configFile, os.LookupEnv); err != nil {
					return err
				}
			}
			ApplyEnv(&cfg, os.LookupEnv)
			f := cmd.Flags()
			if f.Changed("data") {
				cfg.Data = flags.Data
			}
			if f.Changed("evidence-key-file") {
				cfg.EvidenceKeyFile = flags.EvidenceKeyFile
			}
			if f.Changed("origin") {
				cfg.EvidenceOrigin = flags.EvidenceOrigin
			}
			k, created, err := loadEvidenceKey(cfg.evidenceKeyPath(), cfg.evidenceOrigin(), os.LookupEnv)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(cmd.ErrOrStderr(), "created a new signing key in %s for origin %s\n", cfg.evidenceKeyPath(), k.Origin())
			}
			fmt.Fprintln(cmd.OutOrStdout(), k.verifier)
			return nil
		},
	}
	f := key.Flags()
	f.StringVar(&configFile, "config", "", "YAML configuration file")
	f.StringVar(&flags.Data, "data", flags.Data, "data directory (COUNTERSIGN_DATA)")
	f.StringVar(&flags.EvidenceKeyFile, "evidence-key-file", "", "signing key file (COUNTERSIGN_EVIDENCE_KEY_FILE)")
	f.StringVar(&flags.EvidenceOrigin, "origin", "", "origin of a new log (COUNTERSIGN_EVIDENCE_ORIGIN); default countersign/<hostname>")
	cmd.AddCommand(key, newExportCmd(), newVerifyCmd(), newVerifyReceiptCmd(), newReceiptCmd())
	return cmd
}
