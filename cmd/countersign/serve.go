package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var configFile string
	flags := DefaultConfig()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway (SQLite in ./countersign-data unless --store is given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := DefaultConfig()
			if configFile != "" {
				if err := LoadConfigFile(&cfg, configFile, os.LookupEnv); err != nil {
					return err
				}
			}
			ApplyEnv(&cfg, os.LookupEnv)
			f := cmd.Flags()
			for name, set := range map[string]func(){
				"listen": func() { cfg.Listen = flags.Listen }, "data": func() { cfg.Data = flags.Data },
				"store": func() { cfg.Store = flags.Store }, "policy": func() { cfg.Policy = flags.Policy },
				"bootstrap-key-file": func() { cfg.BootstrapKeyFile = flags.BootstrapKeyFile },
				"log-level":          func() { cfg.LogLevel = flags.LogLevel },
				"public-url":         func() { cfg.PublicURL = flags.PublicURL },
				"evidence-key-file":  func() { cfg.EvidenceKeyFile = flags.EvidenceKeyFile },
			} {
				if f.Changed(name) {
					set()
				}
			}
			logger, err := newLogger(cfg, cmd.ErrOrStderr())
			if err != nil {
				return usageError{err}
			}
			return serve(cmd.Context(), cfg, logger, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "YAML configuration file")
	f.StringVar(&flags.Listen, "listen", flags.Listen, "address to listen on (COUNTERSIGN_LISTEN)")
	f.StringVar(&flags.Data, "data", flags.Data, "data directory for SQLite and keys (COUNTERSIGN_DATA)")
	f.StringVar(&flags.Store, "store", "", "postgres://... to use PostgreSQL instead of SQLite (COUNTERSIGN_STORE)")
	f.StringVar(&flags.Policy, "policy", "", "policy file, or pack:NAME for a built-in pack; pack:recommended when empty (COUNTERSIGN_POLICY)")
	f.StringVar(&flags.BootstrapKeyFile, "bootstrap-key-file", "", "also write the bootstrap admin key here (COUNTERSIGN_BOOTSTRAP_KEY_FILE)")
	f.StringVar(&flags.LogLevel, "log-level", flags.LogLevel, "debug, info, warn or error (COUNTERSIGN_LOG_LEVEL)")
	f.StringVar(&flags.PublicURL, "public-url", "", "URL people use to reach this server (COUNTERSIGN_PUBLIC_URL)")
	f.StringVar(&flags.EvidenceKeyFile, "evidence-key-file", "", "checkpoint signing key; default DATA/evidence.key (COUNTERSIGN_EVIDENCE_KEY_FILE)")
	return cmd
}

func newLogger(cfg Config, w interface{ Write([]byte) (int, error) }) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("log format %q: want text or json", cfg.LogFormat)
	}
}

// serve runs until SIGINT or SIGTERM; SIGHUP reloads the policy.
func serve(ctx context.Context, cfg Config, logger *slog.Logger, cmd *cobra.Command) error {
	m := NewMain()
	m.Config = cfg
	m.Logger = logger
	m.Out = cmd.OutOrStdout()
	if err := m.Run(ctx); err != nil {
		return err
	}
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	for s := range sig {
		if s == syscall.SIGHUP {
			_ = m.ReloadPolicy(context.Background())
			continue
		}
		logger.Info("shutting down", "signal", s.String())
		break
	}
	return m.Close()
}
