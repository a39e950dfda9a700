package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"

	countersign "github.com/countersign/countersign"
)

// Checkpoint returns the newest signed checkpoint; with size > 0, the stored
// one nearest to size, at or below it (below) or at or above it.
func (c *Client) Checkpoint(ctx context.Context, size uint64, below bool) ([]byte, error) {
	path := "/v1/evidence/checkpoint"
	if size > 0 {
		near := "below"
		if !below {
			near = "above"
		}
		path += fmt.Sprintf("?size=%d&near=%s", size, near)
	}
	b, _, err := c.send(ctx, http.MethodGet, path, nil)
	return b, err
}

// Entries returns the exact leaf bytes with index in [start, end).
func (c *Client) Entries(ctx context.Context, start, end uint64) ([][]byte, error) {
	b, _, err := c.send(ctx, http.MethodGet, fmt.Sprintf("/v1/evidence/entries?start=%d&end=%d", start, end), nil)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) > 0 {
			out = append(out, bytes.TrimSuffix(line, []byte("\n")))
		}
	}
	return out, nil
}

// IndexAt returns the index of the first entry at or after an RFC 3339 time.
func (c *Client) IndexAt(ctx context.Context, t string) (uint64, error) {
	var v countersign.IndexView
	return v.Index, c.do(ctx, http.MethodGet, "/v1/evidence/index?time="+url.QueryEscape(t), nil, &v)
}

// InclusionProof returns the proof of leaf index in the tree of size.
func (c *Client) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	var v countersign.ProofView
	return v.Hashes, c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/evidence/proof/inclusion?index=%d&size=%d", index, size), nil, &v)
}

// ConsistencyProof returns the proof that the tree of size old is a prefix
// of the tree of size new.
func (c *Client) ConsistencyProof(ctx context.Context, old, new uint64) ([][]byte, error) {
	var v countersign.ProofView
	return v.Hashes, c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/evidence/proof/consistency?old=%d&new=%d", old, new), nil, &v)
}

// Prefix returns the compact range of the tree of size.
func (c *Client) Prefix(ctx context.Context, size uint64) ([][]byte, error) {
	var v countersign.ProofView
	return v.Hashes, c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/evidence/prefix?size=%d", size), nil, &v)
}

// Receipt returns a request's receipt (C2SP tlog-proofs, one per event).
func (c *Client) Receipt(ctx context.Context, id string) ([]byte, error) {
	b, _, err := c.send(ctx, http.MethodGet, "/v1/actions/"+url.PathEscape(id)+"/receipt", nil)
	return b, err
}
