//lint:file-ignore SA1019 MCP logging is deprecated (SEP-2577) but still in the protocol and used by servers; a transparent gateway passes it on until it is removed.

package mcpgate

import (
	"context"
	"errors"
	"fmt"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// errGrantUsed is returned by run when a concurrent identical call (same
// idempotency key, from another session or gateway with the same agent key)
// used the grant first: the caller submits the call anew.
var errGrantUsed = errors.New("grant already used")

// call is one tools/call being judged.
type call struct {
	g    *gate
	req  *mcp.CallToolRequest
	tool string
	args map[string]any
	base string // the idempotency key's stem
	gen  int    // and generation
}

// decided acts on the answer to the submission.
func (c *call) decided(ctx context.Context, res *countersign.SubmitResult) (*mcp.CallToolResult, error) {
	switch {
	case res.Executed:
		c.g.gens.Bump(c.base, c.gen) // the request is used up
		return c.forward(ctx, res.ID)
	case res.State == countersign.StateApproved:
		return c.run(ctx, res.ID, res.Digest)
	case res.State == countersign.StatePending:
		return c.hold(ctx, res.ID)
	case res.State == countersign.StateDenied:
		c.g.gens.Bump(c.base, c.gen)
		return errorResult("Countersign policy denied this call to %s (request %s): %s. The call was not made; do not retry it unchanged.",
			c.tool, res.ID, countersign.WhyNot(res.Reason, nil, res.Reasons)), nil
	default:
		c.g.gens.Bump(c.base, c.gen)
		return errorResult("The call to %s was not made: request %s is %s (%s).", c.tool, res.ID, res.State,
			countersign.WhyNot(res.Reason, nil, res.Reasons)), nil
	}
}

// hold waits for humans to decide request id, up to the configured hold,
// sending progress notifications when the client asked for them.
func (c *call) hold(ctx context.Context, id string) (*mcp.CallToolResult, error) {
	deadline := time.Now().Add(c.g.cfg.Hold)
	token := c.req.Params.GetProgressToken()
	var v *countersign.RequestView
	for n := 1; ; n++ {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		if token != nil {
			c.notify(ctx, token, n, id, v)
		}
		var err error
		v, err = c.g.cfg.API.Wait(ctx, id, min(left, 2*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return notMade(c.tool, fmt.Errorf("waiting for request %s: %w", id, err)), nil
		}
		if v.State != countersign.StatePending {
			return c.resolved(ctx, v)
		}
	}
	got, want := 0, 0
	if v != nil {
		got, want = v.Approvals.Got, v.Approvals.Want
	}
	return errorResult("The call to %s is waiting for human approval as Countersign request %s (%d of %d approvals so far) "+
		"and was not made yet. Tell the user; once the request is approved, make exactly the same call again and it will run.",
		c.tool, id, got, want), nil
}

// notify sends the n-th progress notification of a held call.
func (c *call) notify(ctx context.Context, token any, n int, id string, v *countersign.RequestView) {
	msg := "waiting for human approval of Countersign request " + id
	if v != nil {
		msg += fmt.Sprintf(" (%d of %d approvals)", v.Approvals.Got, v.Approvals.Want)
	}
	if err := c.req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: token, Progress: float64(n), Message: msg}); err != nil {
		c.g.cfg.Logger.Debug("progress notification", "error", err)
	}
}

// resolved acts on a request that left pending while held.
func (c *call) resolved(ctx context.Context, v *countersign.RequestView) (*mcp.CallToolResult, error) {
	if v.State == countersign.StateApproved {
		return c.run(ctx, v.ID, v.Digest)
	}
	c.g.gens.Bump(c.base, c.gen)
	return errorResult("The call to %s was not made: Countersign request %s was %s (%s).", c.tool, v.ID, v.State,
		countersign.WhyNot(v.Reason, v.Reviews, v.Reasons)), nil
}

// run uses the grant of request id, then forwards the call.
func (c *call) run(ctx context.Context, id, digest string) (*mcp.CallToolResult, error) {
	c.g.gens.Bump(c.base, c.gen) // whatever happens now, the request is used up
	if _, err := c.g.cfg.API.Execute(ctx, id, digest); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if countersign.ErrorCode(err) == countersign.EGrantUsed {
			return nil, errGrantUsed
		}
		return errorResult("Countersign request %s is approved but its grant could not be used (%s); the call to %s was not made.",
			id, countersign.Describe(err), c.tool), nil
	}
	return c.forward(ctx, id)
}

// forward makes the call upstream once request id's grant is used (and
// the call's generation bumped), masks the result and records the outcome.
func (c *call) forward(ctx context.Context, id string) (*mcp.CallToolResult, error) {
	params := &mcp.CallToolParams{Name: c.tool, Arguments: c.args}
	if tok := c.req.Params.GetProgressToken(); tok != nil && c.req.Session != nil {
		up, done := c.g.progressToken(c.req.Session, tok)
		defer done()
		params.SetProgressToken(up)
	}
	if l := c.g.logLevel(c.req); l != "" {
		if params.Meta == nil {
			params.Meta = mcp.Meta{}
		}
		params.Meta[mcp.MetaKeyLogLevel] = l
	}
	res, err := c.g.up.CallTool(ctx, params)
	if err != nil {
		// The upstream's error may quote the data it read: mask it too.
		msg := err.Error()
		if merr := c.g.maskText(ctx, &msg, nil); merr != nil {
			msg = "(withheld: it could not be checked for sensitive data)"
		}
		c.record(id, map[string]any{"status": "error", "error": msg})
		return errorResult("The call to %s was approved (request %s) but the upstream server failed: %s", c.tool, id, msg), nil
	}
	counts, err := c.g.maskResult(ctx, res)
	if err != nil {
		c.record(id, map[string]any{"status": "error", "withheld": true, "error": "masking failed: " + err.Error()})
		return errorResult("The call to %s ran (request %s) but its result was withheld: it could not be checked for sensitive data (%v).",
			c.tool, id, err), nil
	}
	status := "ok"
	if res.IsError {
		status = "error"
	}
	c.record(id, map[string]any{"status": status, "masked": counts})
	return res, nil
}

// record stores the outcome of request id off the call's path: the grant's
// use is already on record (executed before forwarding), and the client
// need not wait for its result's commit. A failure is logged, since the call
// has already run; the gate's close waits for records in flight.
func (c *call) record(id string, result map[string]any) {
	g := c.g
	g.records.Add(1)
	go func() {
		defer g.records.Done()
		g.recording <- struct{}{}
		defer func() { <-g.recording }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := g.cfg.API.RecordResult(ctx, id, result); err != nil {
			g.cfg.Logger.Warn("record result", "request", id, "error", err)
		}
	}()
}
