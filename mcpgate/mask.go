package mcpgate

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/countersign/countersign/dlp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maskResult masks res in place: text content, embedded resources' text and
// structured content. It returns the counts of what it masked; on error the
// result must be withheld.
func (g *gate) maskResult(ctx context.Context, res *mcp.CallToolResult) (dlp.Counts, error) {
	counts := dlp.Counts{}
	for _, c := range res.Content {
		switch c := c.(type) {
		case *mcp.TextContent:
			out, n, err := g.cfg.Masker.Mask(ctx, []byte(c.Text))
			if err != nil {
				return nil, err
			}
			c.Text = string(out)
			counts.Add(n)
		case *mcp.EmbeddedResource:
			if _, err := g.maskResource(ctx, c.Resource, counts); err != nil {
				return nil, err
			}
		}
	}
	if res.StructuredContent != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return nil, fmt.Errorf("encode structured content: %w", err)
		}
		out, n, err := g.cfg.Masker.MaskJSON(ctx, raw)
		if err != nil {
			return nil, err
		}
		res.StructuredContent = json.RawMessage(out)
		counts.Add(n)
	}
	return counts, nil
}

// maskResource masks the text of rc in place and adds to counts. Binary
// blobs pass unchanged.
func (g *gate) maskResource(ctx context.Context, rc *mcp.ResourceContents, counts dlp.Counts) (dlp.Counts, error) {
	if rc == nil || rc.Text == "" {
		return counts, nil
	}
	out, n, err := g.cfg.Masker.Mask(ctx, []byte(rc.Text))
	if err != nil {
		return nil, err
	}
	rc.Text = string(out)
	counts.Add(n)
	return counts, nil
}

// errorResult is a tool result that tells the model why the call failed.
func errorResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}
