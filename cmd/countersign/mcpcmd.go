package main

import (
	"fmt"
	"log/slog"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/countersign/countersign/mcpgate"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
)

func newMCPCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "mcp", Short: "Put Countersign in front of an MCP server"}
	var (
		cfg       mcpgate.Config
		sqlArgs   []string
		shellArgs []string
	)
	stdio := &cobra.Command{
		Use:   "stdio --name NAME [flags] -- COMMAND [ARGS...]",
		Short: "Serve an MCP server started as COMMAND on stdio, judging every tool call",
		Long: `Start COMMAND as an MCP server (stdio) and serve its tools, resources and
prompts on standard input and output. Every tools/call is submitted to the
Countersign server at COUNTERSIGN_URL with the agent key COUNTERSIGN_KEY as
an mcp.tool action: allowed calls are forwarded and their results masked,
denied calls are refused, and calls held for review wait up to --hold.

--sql-arg query=sql names the argument of tool query that holds SQL, so the
SQL analyser reads it; --shell-arg does the same for shell commands.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.Server == "" {
				return usageError{fmt.Errorf("--name is required")}
			}
			if cmd.ArgsLenAtDash() != 0 {
				return usageError{fmt.Errorf("put the server command after --")}
			}
			cfg.Tools = map[string]mcpgate.ToolConfig{}
			for i, list := range [][]string{sqlArgs, shellArgs} {
				for _, a := range list {
					tool, arg, ok := strings.Cut(a, "=")
					if !ok || tool == "" || arg == "" {
						return usageError{fmt.Errorf("want TOOL=ARG, got %q", a)}
					}
					tc := cfg.Tools[tool]
					if i == 0 {
						tc.SQLArg = arg
					} else {
						tc.ShellArg = arg
					}
					cfg.Tools[tool] = tc
				}
			}
			api, err := newClient()
			if err != nil {
				return err
			}
			cfg.API = api
			cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			c := exec.Command(args[0], args[1:]...)
			c.Stderr = cmd.ErrOrStderr()
			return mcpgate.Serve(ctx, cfg, &mcp.CommandTransport{Command: c, TerminateDuration: upstreamGrace}, &mcp.StdioTransport{})
		},
	}
	f := stdio.Flags()
	f.StringVar(&cfg.Server, "name", "", "the upstream server's name (payload.server in policy)")
	f.StringVar(&cfg.Environment, "environment", "", "the actions' environment")
	f.StringVar(&cfg.OnBehalfOf, "on-behalf-of", "", "the person the agent acts for")
	f.DurationVar(&cfg.Hold, "hold", 5*time.Minute, "how long a call held for review waits before it returns an error naming the request")
	f.StringArrayVar(&sqlArgs, "sql-arg", nil, "TOOL=ARG: the argument of TOOL that holds SQL (repeatable)")
	f.StringArrayVar(&shellArgs, "shell-arg", nil, "TOOL=ARG: the argument of TOOL that holds a shell command (repeatable)")
	f.BoolVar(&cfg.HideDenied, "hide-denied", false, "hide from tools/list the tools policy denies for this agent")
	cmd.AddCommand(stdio, newMCPHTTPCmd())
	return cmd
}

// upstreamGrace is mcpgate.UpstreamGrace: how long the upstream gets to exit.
const upstreamGrace = mcpgate.UpstreamGrace
