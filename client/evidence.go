package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"

	countersign "github.com/countersign/countersign"
)

// Checkpoint returns the newest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	b, _, err := c.send(ctx, http.MethodGet, "/v1/evidence/checkpoint", nil)
	return b, err
}

// CheckpointNear returns the stored checkpoint nearest to size: at or below
// it (below), or at or above it.
func (c *Client) CheckpointNear(ctx context.Context, size uint64, below bool) ([]byte, error) {
	near := "below"
	if !below {
		near = "above"
	}
	b, _, err := c.send(ctx, http.MethodGet, fmt.Sprintf("/v1/evidence/checkpoint?size=%d&near=%s", size, near), nil)
	return b, err
}

// VerifierKey returns the log's origin and note verifier key as the server
// states them. Trust a key from elsewhere to verify; this one is for the
// bundle's manifest.
func (c *Client) VerifierKey(ctx context.Context) (string, error) {
	var v countersign.EvidenceKeyView
	return v.VerifierKey, c.do(ctx, http.MethodGet, "/v1/evidence/key", nil, &v)
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
