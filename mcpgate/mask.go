package mcpgate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/countersign/countersign/dlp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maskResult masks res in place: text content, embedded resources' text,
// resource links and structured content. Images and audio are binary and
// pass unchanged; content of any other kind is withheld. It returns the
// counts of what it masked; on error the result must be withheld.
func (g *gate) maskResult(ctx context.Context, res *mcp.CallToolResult) (dlp.Counts, error) {
	counts := dlp.Counts{}
	text := func(s *string) error { return g.maskText(ctx, s, counts) }
	for _, c := range res.Content {
		var err error
		switch c := c.(type) {
		case *mcp.TextContent:
			err = text(&c.Text)
		case *mcp.EmbeddedResource:
			if c.Resource != nil {
				err = text(&c.Resource.Text)
			}
		case *mcp.ResourceLink:
			err = errors.Join(text(&c.URI), text(&c.Name), text(&c.Title), text(&c.Description))
		case *mcp.ImageContent, *mcp.AudioContent:
		default:
			err = fmt.Errorf("content of type %T cannot be checked", c)
		}
		if err != nil {
			return nil, err
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

// maskText masks *s in place and adds what it masked to counts (may be nil).
func (g *gate) maskText(ctx context.Context, s *string, counts dlp.Counts) error {
	if *s == "" {
		return nil
	}
	out, n, err := g.cfg.Masker.Mask(ctx, []byte(*s))
	if err != nil {
		return err
	}
	*s = string(out)
	if counts != nil {
		counts.Add(n)
	}
	return nil
}

// errorResult is a tool result that tells the model why the call failed.
func errorResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}
