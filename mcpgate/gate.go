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

	gens *client.MemoryGenerations // per call, its requests used up (see client.KeyStem)

	f    follower           // what follows the upstream after the start (follow.go)
	stop context.CancelFunc // stops following

	records   sync.WaitGroup // results being recorded
	recording chan struct{}  // bounds the records in flight
}

// maxRecording bounds one session's results being recorded at once.
const maxRecording = 8

// close waits for the results being recorded, then closes the upstream.
func (g *gate) close() {
	g.stop()
	g.records.Wait()
	g.up.Close()
}

// Serve connects to the upstream server, serves its tools, resources and
// prompts on down, following the upstream's changes, and returns when the
// downstream session ends or ctx is done.
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
	g := &gate{cfg: cfg, gens: client.NewMemoryGenerations(), recording: make(chan struct{}, maxRecording), f: newFollower()}
	c := mcp.NewClient(&mcp.Implementation{Name: "countersign-mcp", Version: "1"}, g.clientOptions())
	up, err := c.Connect(ctx, upstream, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("mcpgate: connect to upstream %s: %w", cfg.Server, err)
	}
	g.up = up
	srv, err := g.mirror(ctx)
	if err != nil {
		up.Close()
		return nil, nil, err
	}
	fctx, stop := context.WithCancel(ctx)
	g.stop = stop
	go g.follow(fctx)
	return g, srv, nil
}

// mirror builds the downstream server: the upstream's tools (judged),
// resources, resource templates and prompts (forwarded, resources masked),
// followed as they change (see follow.go).
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
	if caps.Resources != nil && caps.Resources.Subscribe {
		opts.SubscribeHandler = func(ctx context.Context, req *mcp.SubscribeRequest) error { return g.up.Subscribe(ctx, req.Params) }
		opts.UnsubscribeHandler = func(ctx context.Context, req *mcp.UnsubscribeRequest) error { return g.up.Unsubscribe(ctx, req.Params) }
	}
	srv := mcp.NewServer(impl, opts)
	srv.AddReceivingMiddleware(g.setLevel)
	g.f.mu.Lock()
	g.f.srv = srv
	g.f.mu.Unlock()
	for _, s := range []struct {
		has  bool
		sync func(context.Context) error
	}{{caps.Tools != nil, g.syncTools}, {caps.Resources != nil, g.syncResources}, {caps.Prompts != nil, g.syncPrompts}} {
		if !s.has {
			continue
		}
		if err := s.sync(ctx); err != nil {
			return nil, err
		}
	}
	return srv, nil
}

// UpstreamGrace is how long an upstream server started as a command gets to
// exit after its input closes before it is sent SIGTERM: some servers
// (server-everything) ignore the end of their input.
const UpstreamGrace = time.Second
