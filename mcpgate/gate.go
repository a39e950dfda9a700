// Package mcpgate puts Countersign in front of an MCP server: it mirrors the
// server's tools, resources and prompts to a downstream client and judges
// every tools/call with the Countersign server before forwarding it, masking
// what comes back.
package mcpgate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/dlp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultHold is how long a call held for review waits before it returns an
// error naming the pending request.
const DefaultHold = 5 * time.Minute

// ToolConfig names the argument of a tool that holds SQL or a shell command,
// so that the SQL or shell analyser reads it.
type ToolConfig struct {
	SQLArg   string
	ShellArg string
}

// Config configures one gateway in front of one upstream server.
type Config struct {
	Server      string         // the upstream's name, the action's payload.server
	API         *client.Client // the Countersign server, with the gateway's agent key
	Environment string
	OnBehalfOf  string
	Tools       map[string]ToolConfig // by tool name
	Hold        time.Duration         // 0: DefaultHold
	HideDenied  bool                  // list only the tools policy would not deny outright (see hide.go)
	Masker      *dlp.Masker           // nil: dlp.DefaultMasker()
	Logger      *slog.Logger          // nil: discard
}

// gate is one session's state.
type gate struct {
	cfg Config
	up  *mcp.ClientSession

	mu  sync.Mutex
	gen map[string]int // idempotency generation per call: bumped when a request is used up

	records   sync.WaitGroup // results being recorded
	recording chan struct{}  // bounds the records in flight
}

// maxRecording bounds one session's results being recorded at once.
const maxRecording = 8

// close waits for the results being recorded, then closes the upstream.
func (g *gate) close() {
	g.records.Wait()
	g.up.Close()
}

// Serve connects to the upstream server, serves its tools, resources and
// prompts on down, and returns when the downstream session ends or ctx is
// done. Upstream list changes after the start are not followed.
func Serve(ctx context.Context, cfg Config, upstream mcp.Transport, down mcp.Transport) error {
	g, srv, err := open(ctx, cfg, upstream)
	if err != nil {
		return err
	}
	defer g.close()
	err = srv.Run(ctx, down)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// open checks cfg, connects to the upstream server and builds the
// downstream server mirroring it. The caller closes g.up.
func open(ctx context.Context, cfg Config, upstream mcp.Transport) (*gate, *mcp.Server, error) {
	if cfg.API == nil {
		return nil, nil, errors.New("mcpgate: Config.API is required")
	}
	if cfg.Server == "" {
		return nil, nil, errors.New("mcpgate: Config.Server (the upstream's name) is required")
	}
	if cfg.Hold <= 0 {
		cfg.Hold = DefaultHold
	}
	if cfg.Masker == nil {
		cfg.Masker = dlp.DefaultMasker()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "countersign-mcp", Version: "1"}, nil)
	up, err := c.Connect(ctx, upstream, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("mcpgate: connect to upstream %s: %w", cfg.Server, err)
	}
	g := &gate{cfg: cfg, up: up, gen: map[string]int{}, recording: make(chan struct{}, maxRecording)}
	srv, err := g.mirror(ctx)
	if err != nil {
		up.Close()
		return nil, nil, err
	}
	return g, srv, nil
}

// mirror builds the downstream server: the upstream's tools (judged),
// resources, resource templates and prompts (forwarded, resources masked).
func (g *gate) mirror(ctx context.Context) (*mcp.Server, error) {
	init := g.up.InitializeResult()
	impl := &mcp.Implementation{Name: g.cfg.Server, Version: "countersign"}
	opts := &mcp.ServerOptions{Logger: g.cfg.Logger}
	var caps *mcp.ServerCapabilities
	if init != nil {
		caps = init.Capabilities
		opts.Instructions = init.Instructions
		if init.ServerInfo != nil {
			impl = &mcp.Implementation{Name: init.ServerInfo.Name, Title: init.ServerInfo.Title, Version: init.ServerInfo.Version}
		}
	}
	if caps == nil {
		caps = &mcp.ServerCapabilities{}
	}
	srv := mcp.NewServer(impl, opts)
	if caps.Tools != nil {
		for t, err := range g.up.Tools(ctx, nil) {
			if err != nil {
				return nil, fmt.Errorf("mcpgate: list upstream tools: %w", err)
			}
			if g.cfg.HideDenied && g.denied(ctx, t) {
				continue
			}
			srv.AddTool(t, g.callHandler(t))
		}
	}
	if caps.Resources != nil {
		if err := g.mirrorResources(ctx, srv); err != nil {
			return nil, err
		}
	}
	if caps.Prompts != nil {
		for p, err := range g.up.Prompts(ctx, nil) {
			if err != nil {
				return nil, fmt.Errorf("mcpgate: list upstream prompts: %w", err)
			}
			srv.AddPrompt(p, func(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
				return g.up.GetPrompt(ctx, req.Params)
			})
		}
	}
	return srv, nil
}

// mirrorResources forwards resources and resource templates; what a read
// returns is masked like a tool result.
func (g *gate) mirrorResources(ctx context.Context, srv *mcp.Server) error {
	read := func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		res, err := g.up.ReadResource(ctx, req.Params)
		if err != nil {
			return nil, err
		}
		for _, rc := range res.Contents {
			if rc == nil {
				continue
			}
			// Binary blobs pass unchanged; text is masked.
			if err := g.maskText(ctx, &rc.Text, dlp.Counts{}); err != nil {
				return nil, fmt.Errorf("resource %s withheld: masking failed: %w", req.Params.URI, err)
			}
		}
		return res, nil
	}
	for r, err := range g.up.Resources(ctx, nil) {
		if err != nil {
			return fmt.Errorf("mcpgate: list upstream resources: %w", err)
		}
		srv.AddResource(r, read)
	}
	for t, err := range g.up.ResourceTemplates(ctx, nil) {
		if err != nil { // optional: a server may not implement it
			g.cfg.Logger.Warn("list upstream resource templates", "server", g.cfg.Server, "error", err)
			break
		}
		srv.AddResourceTemplate(t, read)
	}
	return nil
}

// UpstreamGrace is how long an upstream server started as a command gets to
// exit after its input closes before it is sent SIGTERM: some servers
// (server-everything) ignore the end of their input.
const UpstreamGrace = time.Second
