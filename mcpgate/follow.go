//lint:file-ignore SA1019 MCP logging is deprecated (SEP-2577) but still in the protocol and used by servers; a transparent gateway passes it on until it is removed.

package mcpgate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// What the gateway passes on from the upstream server after the start: list
// changes (the mirrored tools, resources and prompts follow the upstream's),
// resource updates, log messages (masked, at the level the client set) and
// the progress of forwarded calls (masked, under the client's own token).

// follower keeps the mirror in step with the upstream server.
type follower struct {
	mu      sync.Mutex
	srv     *mcp.Server // nil until mirror built it
	tools   map[string]bool
	res     map[string]bool // resource URIs
	tmpls   map[string]bool // resource URI templates
	prompts map[string]bool
	level   mcp.LoggingLevel // the client's logging level for the session

	// The lists the upstream said changed, synced off its read loop: one
	// flag per list, so that no change is dropped and repeats collapse.
	dirty [numLists]bool
	wake  chan struct{} // cap 1: a sync is due

	progMu   sync.Mutex
	progN    uint64
	progress map[string]progressSink // upstream token -> the client's
}

// progressSink is where a forwarded call's progress goes.
type progressSink struct {
	ss    *mcp.ServerSession
	token any
}

func newFollower() follower {
	return follower{tools: map[string]bool{}, res: map[string]bool{}, tmpls: map[string]bool{}, prompts: map[string]bool{},
		wake: make(chan struct{}, 1), progress: map[string]progressSink{}}
}

// The lists the gateway mirrors.
const (
	toolsList = iota
	promptsList
	resourcesList
	numLists
)

// clientOptions are the gateway's options as the upstream's client: its
// notifications are passed on.
func (g *gate) clientOptions() *mcp.ClientOptions {
	return &mcp.ClientOptions{
		ToolListChangedHandler:     func(context.Context, *mcp.ToolListChangedRequest) { g.resync(toolsList) },
		PromptListChangedHandler:   func(context.Context, *mcp.PromptListChangedRequest) { g.resync(promptsList) },
		ResourceListChangedHandler: func(context.Context, *mcp.ResourceListChangedRequest) { g.resync(resourcesList) },
		ResourceUpdatedHandler: func(ctx context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
			if srv := g.server(); srv != nil {
				if err := srv.ResourceUpdated(ctx, req.Params); err != nil {
					g.cfg.Logger.Debug("resource updated", "error", err)
				}
			}
		},
		LoggingMessageHandler:       g.forwardLog,
		ProgressNotificationHandler: g.forwardProgress,
	}
}

func (g *gate) server() *mcp.Server {
	g.f.mu.Lock()
	defer g.f.mu.Unlock()
	return g.f.srv
}

// resync marks a list changed for follow to sync: notification handlers
// run on the upstream connection's read loop, which a sync (a request
// upstream) must not block.
func (g *gate) resync(list int) {
	g.f.mu.Lock()
	if g.f.srv == nil {
		g.f.mu.Unlock()
		return // the mirror, still being built, lists afresh
	}
	g.f.dirty[list] = true
	g.f.mu.Unlock()
	select {
	case g.f.wake <- struct{}{}:
	default: // a sync is due already; it will see the flag
	}
}

// follow syncs the lists marked changed until ctx is done.
func (g *gate) follow(ctx context.Context) {
	syncs := [numLists]func(context.Context) error{toolsList: g.syncTools, promptsList: g.syncPrompts, resourcesList: g.syncResources}
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.f.wake:
		}
		g.f.mu.Lock()
		dirty := g.f.dirty
		g.f.dirty = [numLists]bool{}
		g.f.mu.Unlock()
		for list, changed := range dirty {
			if !changed {
				continue
			}
			if err := syncs[list](ctx); err != nil && ctx.Err() == nil {
				g.cfg.Logger.Warn("follow upstream list change", "server", g.cfg.Server, "error", err)
			}
		}
	}
}

// syncTools mirrors the upstream's tools: new and changed ones are added
// (judged like every tool), gone ones removed.
func (g *gate) syncTools(ctx context.Context) error {
	srv, seen := g.server(), map[string]bool{}
	for t, err := range g.up.Tools(ctx, nil) {
		if err != nil {
			return fmt.Errorf("mcpgate: list upstream tools: %w", err)
		}
		if g.cfg.HideDenied && g.denied(ctx, t) {
			continue
		}
		seen[t.Name] = true
		srv.AddTool(t, g.callHandler(t))
	}
	g.removeGone(g.f.tools, seen, srv.RemoveTools)
	return nil
}

// syncPrompts mirrors the upstream's prompts.
func (g *gate) syncPrompts(ctx context.Context) error {
	srv, seen := g.server(), map[string]bool{}
	for p, err := range g.up.Prompts(ctx, nil) {
		if err != nil {
			return fmt.Errorf("mcpgate: list upstream prompts: %w", err)
		}
		seen[p.Name] = true
		srv.AddPrompt(p, func(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return g.up.GetPrompt(ctx, req.Params)
		})
	}
	g.removeGone(g.f.prompts, seen, srv.RemovePrompts)
	return nil
}

// syncResources mirrors the upstream's resources and resource templates;
// what a read returns is masked like a tool result.
func (g *gate) syncResources(ctx context.Context) error {
	srv, seen, seenT := g.server(), map[string]bool{}, map[string]bool{}
	for r, err := range g.up.Resources(ctx, nil) {
		if err != nil {
			return fmt.Errorf("mcpgate: list upstream resources: %w", err)
		}
		seen[r.URI] = true
		srv.AddResource(r, g.readResource)
	}
	for t, err := range g.up.ResourceTemplates(ctx, nil) {
		if err != nil { // optional: a server may not implement it
			g.cfg.Logger.Warn("list upstream resource templates", "server", g.cfg.Server, "error", err)
			break
		}
		seenT[t.URITemplate] = true
		srv.AddResourceTemplate(t, g.readResource)
	}
	g.removeGone(g.f.res, seen, srv.RemoveResources)
	g.removeGone(g.f.tmpls, seenT, srv.RemoveResourceTemplates)
	return nil
}

// removeGone removes from the mirror what was listed before and not now,
// and makes now the listed set.
func (g *gate) removeGone(had, now map[string]bool, remove func(...string)) {
	g.f.mu.Lock()
	defer g.f.mu.Unlock()
	var gone []string
	for k := range had {
		if !now[k] {
			gone = append(gone, k)
			delete(had, k)
		}
	}
	for k := range now {
		had[k] = true
	}
	if len(gone) > 0 {
		remove(gone...)
	}
}

// readResource forwards a resource read; its text is masked, and a result
// that cannot be checked is withheld. Binary blobs pass unchanged.
func (g *gate) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	res, err := g.up.ReadResource(ctx, req.Params)
	if err != nil {
		return nil, err
	}
	for _, rc := range res.Contents {
		if rc == nil {
			continue
		}
		if err := g.maskText(ctx, &rc.Text, nil); err != nil {
			return nil, fmt.Errorf("resource %s withheld: masking failed: %w", req.Params.URI, err)
		}
	}
	return res, nil
}

// forwardLog passes an upstream log message, masked, to the client, which
// the SDK sends only at or above the level the client set. A message that
// cannot be checked is dropped.
func (g *gate) forwardLog(ctx context.Context, req *mcp.LoggingMessageRequest) {
	srv := g.server()
	if srv == nil || req.Params == nil {
		return
	}
	raw, err := json.Marshal(req.Params.Data)
	if err == nil {
		raw, _, err = g.cfg.Masker.MaskJSON(ctx, raw)
	}
	logger := req.Params.Logger
	if err == nil {
		err = g.maskText(ctx, &logger, nil)
	}
	if err != nil {
		g.cfg.Logger.Warn("upstream log message dropped: it could not be checked", "server", g.cfg.Server, "error", err)
		return
	}
	p := &mcp.LoggingMessageParams{Data: json.RawMessage(raw), Level: req.Params.Level, Logger: logger}
	for ss := range srv.Sessions() {
		if err := ss.Log(ctx, p); err != nil {
			g.cfg.Logger.Debug("forward log message", "error", err)
		}
	}
}

// setLevel passes the client's logging level on to the upstream, so that
// it sends what the client asked for.
func (g *gate) setLevel(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if p, ok := req.GetParams().(*mcp.SetLoggingLevelParams); ok && method == "logging/setLevel" {
			g.f.mu.Lock()
			g.f.level = p.Level
			g.f.mu.Unlock()
			if init := g.up.InitializeResult(); init != nil && init.Capabilities != nil && init.Capabilities.Logging != nil {
				if err := g.up.SetLoggingLevel(ctx, p); err != nil {
					g.cfg.Logger.Warn("set upstream logging level", "server", g.cfg.Server, "error", err)
				}
			}
		}
		return next(ctx, method, req)
	}
}

// logLevel returns the logging level for the upstream's handling of a
// forwarded call: the one the client's request carries (protocol
// 2026-07-28 sends it with each request), else the one it set for the
// session; "" for none.
func (g *gate) logLevel(req *mcp.CallToolRequest) mcp.LoggingLevel {
	if req.Params != nil {
		if l, ok := req.Params.Meta[mcp.MetaKeyLogLevel].(string); ok && l != "" {
			return mcp.LoggingLevel(l)
		}
	}
	g.f.mu.Lock()
	defer g.f.mu.Unlock()
	return g.f.level
}

// progressToken gives a forwarded call an upstream progress token whose
// notifications go to the client's token on ss; done forgets it soon after.
func (g *gate) progressToken(ss *mcp.ServerSession, token any) (up string, done func()) {
	g.f.progMu.Lock()
	defer g.f.progMu.Unlock()
	g.f.progN++
	up = fmt.Sprintf("countersign-%d", g.f.progN)
	g.f.progress[up] = progressSink{ss: ss, token: token}
	return up, func() {
		// The SDK may hand the upstream's last notifications to the
		// handler after the call's response: keep the token a moment.
		time.AfterFunc(progressGrace, func() {
			g.f.progMu.Lock()
			delete(g.f.progress, up)
			g.f.progMu.Unlock()
		})
	}
}

// progressGrace is how long a forwarded call's progress token outlives the
// call.
const progressGrace = 2 * time.Second

// forwardProgress passes the progress of a forwarded call to its client,
// its message masked (dropped when it cannot be checked).
func (g *gate) forwardProgress(ctx context.Context, req *mcp.ProgressNotificationClientRequest) {
	if req.Params == nil {
		return
	}
	tok, _ := req.Params.ProgressToken.(string)
	g.f.progMu.Lock()
	sink, ok := g.f.progress[tok]
	g.f.progMu.Unlock()
	if !ok {
		return
	}
	msg := req.Params.Message
	if err := g.maskText(ctx, &msg, nil); err != nil {
		msg = ""
	}
	if err := sink.ss.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: sink.token,
		Progress: req.Params.Progress, Total: req.Params.Total, Message: msg}); err != nil {
		g.cfg.Logger.Debug("forward progress", "error", err)
	}
}
