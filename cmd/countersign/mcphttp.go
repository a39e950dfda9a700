package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/countersign/countersign/mcpgate"
	"github.com/spf13/cobra"
)

// mcpHTTPFile is the config file of `countersign mcp http`.
type mcpHTTPFile struct {
	Tokens         []string          `yaml:"tokens"`
	SessionTimeout time.Duration     `yaml:"session_timeout"`
	HideDenied     bool              `yaml:"hide_denied"`
	Upstreams      []mcpHTTPUpstream `yaml:"upstreams"`
}

type mcpHTTPUpstream struct {
	Name        string            `yaml:"name"`
	Command     []string          `yaml:"command"`
	URL         string            `yaml:"url"`
	Environment string            `yaml:"environment"`
	OnBehalfOf  string            `yaml:"on_behalf_of"`
	SQLArgs     map[string]string `yaml:"sql_args"`
	ShellArgs   map[string]string `yaml:"shell_args"`
	Hold        time.Duration     `yaml:"hold"`
	HideDenied  bool              `yaml:"hide_denied"`
}

// loadMCPHTTPConfig reads the config file, expanding ${VAR} in string values
// after parsing (as LoadConfigFile does); unknown keys and unset variables
// are errors.
func loadMCPHTTPConfig(path string, getenv func(string) (string, bool)) (*mcpHTTPFile, error) {
	f := &mcpHTTPFile{}
	found, err := decodeYAMLFile(path, getenv, f)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("config %s is empty", path)
	}
	return f, nil
}

// httpConfig turns the file into the gateway's config (API and Logger are
// set by the caller).
func (f *mcpHTTPFile) httpConfig(hideDenied bool) (mcpgate.HTTPConfig, error) {
	cfg := mcpgate.HTTPConfig{Tokens: f.Tokens, SessionTimeout: f.SessionTimeout}
	for _, u := range f.Upstreams {
		tools := map[string]mcpgate.ToolConfig{}
		for tool, arg := range u.SQLArgs {
			tc := tools[tool]
			tc.SQLArg = arg
			tools[tool] = tc
		}
		for tool, arg := range u.ShellArgs {
			tc := tools[tool]
			tc.ShellArg = arg
			tools[tool] = tc
		}
		if u.URL != "" && !strings.HasPrefix(u.URL, "https://") && !strings.HasPrefix(u.URL, "http://") {
			return cfg, fmt.Errorf("upstream %s: url %q is not an http(s) URL", u.Name, u.URL)
		}
		cfg.Upstreams = append(cfg.Upstreams, mcpgate.Upstream{
			Config: mcpgate.Config{Server: u.Name, Environment: u.Environment, OnBehalfOf: u.OnBehalfOf,
				Tools: tools, Hold: u.Hold, HideDenied: u.HideDenied || f.HideDenied || hideDenied},
			Command: u.Command, URL: u.URL,
		})
	}
	return cfg, nil
}

func newMCPHTTPCmd() *cobra.Command {
	var (
		listen, config string
		hideDenied     bool
	)
	cmd := &cobra.Command{
		Use:   "http --listen ADDR --config FILE",
		Short: "Serve MCP servers over Streamable HTTP at /mcp/{name}, judging every tool call",
		Long: `Serve the upstream MCP servers listed in FILE over Streamable HTTP, each at
/mcp/{name}. Clients must send "Authorization: Bearer TOKEN" with one of the
config's tokens. Every client session gets its own upstream connection (a
command started for the session, or a connection to the upstream's URL),
ended with the session. Tool calls are judged by the Countersign server at
COUNTERSIGN_URL with the agent key COUNTERSIGN_KEY, as with mcp stdio.

FILE (YAML; ${VAR} is replaced by the environment variable):

  tokens: ["${MCP_CLIENT_TOKEN}"] # required; quote ${..} inside [ ]
  session_timeout: 30m            # idle sessions are closed
  hide_denied: false              # for every upstream
  upstreams:
    - name: pg
      command: [npx, -y, "@modelcontextprotocol/server-postgres", "${PG_URL}"]
      environment: production
      on_behalf_of: olive@example.com
      sql_args: {query: sql}
      hold: 5m
    - name: remote
      url: https://mcp.example.com/mcp
      shell_args: {run: command}
      hide_denied: true`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if listen == "" || config == "" {
				return usageError{errors.New("--listen and --config are required")}
			}
			f, err := loadMCPHTTPConfig(config, os.LookupEnv)
			if err != nil {
				return err
			}
			cfg, err := f.httpConfig(hideDenied)
			if err != nil {
				return err
			}
			if cfg.API, err = newClient(); err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			cfg.Logger = log
			for i := range cfg.Upstreams {
				cfg.Upstreams[i].Stderr = cmd.ErrOrStderr()
			}
			gw, err := mcpgate.NewHTTPHandler(cfg)
			if err != nil {
				return err
			}
			defer gw.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			var names []string
			for _, u := range cfg.Upstreams {
				names = append(names, "/mcp/"+u.Server)
			}
			log.Info("countersign mcp http listening", "addr", ln.Addr().String(), "paths", strings.Join(names, " "))
			srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			select {
			case err := <-served:
				return err
			case <-ctx.Done():
			}
			gw.Close() // end the sessions (and their streams) first, then the server
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				srv.Close()
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "", "the address to listen on, such as 127.0.0.1:8765")
	f.StringVar(&config, "config", "", "the YAML file listing tokens and upstreams")
	f.BoolVar(&hideDenied, "hide-denied", false, "hide from tools/list the tools policy denies for this agent (every upstream)")
	return cmd
}
