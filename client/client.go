// Package client is the Go client of the Countersign API, used by the CLI and
// by agents.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
)

// DefaultURL is where a local gateway listens.
const DefaultURL = "http://127.0.0.1:8480"

// Client calls one Countersign server with one key. It is safe for concurrent use.
type Client struct {
	base string
	key  string
	http *http.Client
}

// New returns a client for the server at baseURL ("" for DefaultURL) using key.
func New(baseURL, key string) *Client {
	if baseURL == "" {
		baseURL = DefaultURL
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), key: key, http: &http.Client{}}
}

// WithHTTPClient returns a copy of c that sends through hc.
func (c *Client) WithHTTPClient(hc *http.Client) *Client {
	cp := *c
	cp.http = hc
	return &cp
}

// Submit submits an action. The answer says what policy decided (State) and
// what to execute (ID, Digest).
func (c *Client) Submit(ctx context.Context, in countersign.SubmitInput) (*countersign.SubmitResult, error) {
	var v countersign.SubmitResult
	return &v, c.do(ctx, http.MethodPost, "/v1/actions", in, &v)
}

// Get returns a request.
func (c *Client) Get(ctx context.Context, id string) (*countersign.RequestView, error) {
	var v countersign.RequestView
	return &v, c.do(ctx, http.MethodGet, "/v1/actions/"+url.PathEscape(id), nil, &v)
}

// Wait long-polls once: it returns when the request leaves pending or after d.
func (c *Client) Wait(ctx context.Context, id string, d time.Duration) (*countersign.RequestView, error) {
	var v countersign.RequestView
	p := "/v1/actions/" + url.PathEscape(id) + "?wait=" + url.QueryEscape(d.String())
	return &v, c.do(ctx, http.MethodGet, p, nil, &v)
}

// WaitChange long-polls once: it returns when the request leaves pending,
// when it has other than reviews reviews, or after d.
func (c *Client) WaitChange(ctx context.Context, id string, d time.Duration, reviews int) (*countersign.RequestView, error) {
	var v countersign.RequestView
	p := "/v1/actions/" + url.PathEscape(id) + "?wait=" + url.QueryEscape(d.String()) + "&reviews=" + strconv.Itoa(reviews)
	return &v, c.do(ctx, http.MethodGet, p, nil, &v)
}

// WaitResolved long-polls until the request leaves pending or total passes,
// calling progress with every state seen (may be nil). It returns the last view.
func (c *Client) WaitResolved(ctx context.Context, id string, total time.Duration, progress func(*countersign.RequestView)) (*countersign.RequestView, error) {
	deadline := time.Now().Add(total)
	seen := 0 // reviews seen so far (an answer with more returns at once)
	for {
		left := time.Until(deadline)
		step := min(left, 25*time.Second)
		if progress != nil {
			step = min(left, 3*time.Second) // refresh "(1/2), 9m left" often
		}
		if step < 0 {
			step = 0
		}
		var (
			v   *countersign.RequestView
			err error
		)
		if progress != nil {
			v, err = c.WaitChange(ctx, id, step, seen) // wake on each review, to show it
		} else {
			v, err = c.Wait(ctx, id, step)
		}
		if err != nil {
			return nil, err
		}
		seen = len(v.Reviews)
		if progress != nil {
			progress(v)
		}
		if v.State != countersign.StatePending || time.Until(deadline) <= 0 {
			return v, nil
		}
	}
}

// ListParams filter List.
type ListParams struct {
	State  countersign.State
	Agent  string
	Limit  int
	Cursor string
}

// List returns a page of requests, newest first.
func (c *Client) List(ctx context.Context, p ListParams) (*countersign.RequestList, error) {
	q := url.Values{}
	if p.State != "" {
		q.Set("state", string(p.State))
	}
	if p.Agent != "" {
		q.Set("agent", p.Agent)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	path := "/v1/actions"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var l countersign.RequestList
	return &l, c.do(ctx, http.MethodGet, path, nil, &l)
}

// Review records the caller's verdict.
func (c *Client) Review(ctx context.Context, id string, in countersign.ReviewInput) (*countersign.RequestView, error) {
	var v countersign.RequestView
	return &v, c.do(ctx, http.MethodPost, "/v1/actions/"+url.PathEscape(id)+"/reviews", in, &v)
}

// Execute consumes the grant of an approved request for digest.
func (c *Client) Execute(ctx context.Context, id, digest string) (*countersign.RequestView, error) {
	var v countersign.RequestView
	return &v, c.do(ctx, http.MethodPost, "/v1/actions/"+url.PathEscape(id)+"/execute", countersign.ExecuteInput{Digest: digest}, &v)
}

// RecordResult stores the outcome of an executed request.
func (c *Client) RecordResult(ctx context.Context, id string, result any) (*countersign.RequestView, error) {
	var v countersign.RequestView
	return &v, c.do(ctx, http.MethodPost, "/v1/actions/"+url.PathEscape(id)+"/result", result, &v)
}

// Cancel withdraws a pending request.
func (c *Client) Cancel(ctx context.Context, id, reason string) (*countersign.RequestView, error) {
	var v countersign.RequestView
	return &v, c.do(ctx, http.MethodPost, "/v1/actions/"+url.PathEscape(id)+"/cancel", countersign.CancelInput{Reason: reason}, &v)
}

// TestPolicy evaluates an action against the server's policy without recording it.
func (c *Client) TestPolicy(ctx context.Context, in countersign.PolicyTestInput) (*countersign.Decision, error) {
	var d countersign.Decision
	return &d, c.do(ctx, http.MethodPost, "/v1/policy/test", in, &d)
}

// OfflineAllow returns the action kinds the policy lets hooks allow while
// the server cannot be reached.
func (c *Client) OfflineAllow(ctx context.Context) (*countersign.OfflineView, error) {
	var v countersign.OfflineView
	return &v, c.do(ctx, http.MethodGet, "/v1/policy/offline", nil, &v)
}

// CreateKey creates a key; the secret in the answer is shown only once.
func (c *Client) CreateKey(ctx context.Context, in countersign.KeyInput) (*countersign.CreatedKey, error) {
	var k countersign.CreatedKey
	return &k, c.do(ctx, http.MethodPost, "/v1/keys", in, &k)
}

// Keys lists every key.
func (c *Client) Keys(ctx context.Context) ([]countersign.Key, error) {
	var l countersign.KeyList
	return l.Keys, c.do(ctx, http.MethodGet, "/v1/keys", nil, &l)
}

// RevokeKey revokes a key.
func (c *Client) RevokeKey(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/keys/"+url.PathEscape(id), nil, nil)
}

// SetFrozen freezes or unfreezes an agent.
func (c *Client) SetFrozen(ctx context.Context, agent string, frozen bool) error {
	verb := "/unfreeze"
	if frozen {
		verb = "/freeze"
	}
	return c.do(ctx, http.MethodPost, "/v1/agents/"+url.PathEscape(agent)+verb, nil, nil)
}

// do sends one call and decodes a JSON answer into out. API errors come
// back as *countersign.Error.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	data, status, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	if out == nil || status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// send sends one call and returns the body of a successful answer.
func (c *Client) send(ctx context.Context, method, path string, in any) ([]byte, int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, 0, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, 0, fmt.Errorf("build request: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		var eb countersign.ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error.Code != "" {
			e := eb.Error
			return nil, resp.StatusCode, &e
		}
		return nil, resp.StatusCode, fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	return data, resp.StatusCode, nil
}
