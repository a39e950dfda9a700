package mcpgate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/internal/apitest"
	"github.com/countersign/countersign/mcpgate"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const testToken = "client-token-1"

// httpEnv is a Countersign server and the HTTP gateway in front of an
// in-process upstream (a fresh one per session) named db.
type httpEnv struct {
	t     *testing.T
	gw    *mcpgate.HTTPHandler
	srv   *httptest.Server
	calls map[string]*atomic.Int32
	live  atomic.Int32 // upstream sessions alive
}

// newAPI starts a Countersign server and returns an agent key's client.
func newAPI(t *testing.T) *client.Client {
	t.Helper()
	return apitest.Start(t, testPolicy).Client(t, agent)
}

func newHTTPEnv(t *testing.T, api *client.Client, hideDenied bool) *httpEnv {
	t.Helper()
	e := &httpEnv{t: t, calls: map[string]*atomic.Int32{}}
	var mu sync.Mutex
	up := upstream(e.calls) // registers the counters; one server serves every session
	gw, err := mcpgate.NewHTTPHandler(mcpgate.HTTPConfig{
		API:    api,
		Tokens: []string{"other-token", testToken},
		Upstreams: []mcpgate.Upstream{{
			Config: mcpgate.Config{Server: "db", Environment: "production", OnBehalfOf: "olive@example.com",
				Hold: 200 * time.Millisecond, HideDenied: hideDenied},
			NewTransport: func() (mcp.Transport, error) {
				mu.Lock()
				defer mu.Unlock()
				s, c := mcp.NewInMemoryTransports()
				ss, err := up.Connect(context.Background(), s, nil)
				if err != nil {
					return nil, err
				}
				e.live.Add(1)
				go func() { _ = ss.Wait(); e.live.Add(-1) }()
				return c, nil
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	e.srv = httptest.NewServer(gw)
	t.Cleanup(func() { gw.Close(); e.srv.Close() })
	return e
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connect opens a client session to /mcp/db with token.
func (e *httpEnv) connect(token string) (*mcp.ClientSession, error) {
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, nil)
	return c.Connect(context.Background(), &mcp.StreamableClientTransport{
		Endpoint: e.srv.URL + "/mcp/db", HTTPClient: &http.Client{Transport: bearer{token}}, MaxRetries: -1}, nil)
}

func callTool(t *testing.T, s *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// eventually fails unless cond holds within 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func toolNames(t *testing.T, s *mcp.ClientSession) []string {
	t.Helper()
	res, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func TestHTTPGatewayJudgesAndMasks(t *testing.T) {
	e := newHTTPEnv(t, newAPI(t), false)
	s, err := e.connect(testToken)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := toolNames(t, s); !slices.Equal(got, []string{"drop", "echo", "lookup", "query"}) {
		t.Fatalf("tools %v", got)
	}
	res := callTool(t, s, "echo", map[string]any{"text": "hi"})
	if res.IsError || !strings.Contains(text(res), "echo hi") {
		t.Fatalf("echo: %+v %q", res, text(res))
	}
	clean(t, text(res))
	res = callTool(t, s, "drop", map[string]any{"text": "customers"})
	if !res.IsError || !strings.Contains(text(res), "dropping tables is not allowed") || e.calls["drop"].Load() != 0 {
		t.Fatalf("drop: %+v %q, %d upstream calls", res, text(res), e.calls["drop"].Load())
	}
	// Ending the session ends its upstream connection.
	s.Close()
	eventually(t, "upstream closed with the session", func() bool { return e.live.Load() == 0 && e.gw.Sessions() == 0 })
}

func TestHTTPGatewayRequiresTheBearerToken(t *testing.T) {
	e := newHTTPEnv(t, newAPI(t), false)
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + testToken + "x", "Basic " + testToken, testToken} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/mcp/db", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("Authorization %q: status %d, want 401 with WWW-Authenticate", auth, resp.StatusCode)
		}
	}
	if s, err := e.connect("wrong"); err == nil {
		s.Close()
		t.Fatal("connected with a wrong token")
	}
	if e.live.Load() != 0 {
		t.Fatalf("%d upstream sessions started for unauthorised clients", e.live.Load())
	}
	// An unknown upstream is 404 (once authorised).
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/mcp/nope", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown upstream: %d", resp.StatusCode)
	}
}

func TestHTTPGatewaySessionsAreIndependent(t *testing.T) {
	e := newHTTPEnv(t, newAPI(t), false)
	var sessions [2]*mcp.ClientSession
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range sessions {
		wg.Go(func() {
			s, err := e.connect(testToken)
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = s
			for range 3 {
				res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}})
				if err != nil {
					errs <- err
					return
				}
				if res.IsError {
					errs <- errors.New(text(res))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("session: %v", err)
	}
	if e.live.Load() != 2 || e.gw.Sessions() != 2 {
		t.Fatalf("%d upstream connections, %d sessions; want 2 each", e.live.Load(), e.gw.Sessions())
	}
	if sessions[0].ID() == sessions[1].ID() {
		t.Fatal("the two clients share a session")
	}
	if n := e.calls["echo"].Load(); n != 6 {
		t.Fatalf("%d upstream echo calls, want 6", n)
	}
	// Closing one leaves the other working.
	sessions[0].Close()
	eventually(t, "first upstream closed", func() bool { return e.live.Load() == 1 })
	if res := callTool(t, sessions[1], "echo", map[string]any{"text": "still"}); res.IsError {
		t.Fatalf("second session after the first closed: %q", text(res))
	}
	// Shutting the gateway down ends the rest.
	e.gw.Close()
	eventually(t, "upstreams closed on shutdown", func() bool { return e.live.Load() == 0 })
	if _, err := e.connect(testToken); err == nil {
		t.Fatal("new session after Close")
	}
	sessions[1].Close()
}

func TestHideDeniedListsOnlyToolsPolicyMayAllow(t *testing.T) {
	e := newHTTPEnv(t, newAPI(t), true)
	s, err := e.connect(testToken)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := toolNames(t, s); !slices.Equal(got, []string{"echo", "lookup", "query"}) {
		t.Fatalf("tools %v, want drop hidden (denied) and query listed (review)", got)
	}
}

func TestHideDeniedFailsOpenWhenTheServerIsDown(t *testing.T) {
	down := httptest.NewServer(nil)
	url := down.URL
	down.Close()
	e := newHTTPEnv(t, client.New(url, "k"), true)
	s, err := e.connect(testToken)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := toolNames(t, s); len(got) != 4 {
		t.Fatalf("tools %v, want all 4 listed", got)
	}
	// Calls are still judged: with the server down they are not made.
	if res := callTool(t, s, "echo", map[string]any{"text": "hi"}); !res.IsError || e.calls["echo"].Load() != 0 {
		t.Fatalf("echo with the server down: %q", text(res))
	}
}

func TestNewHTTPHandlerFailsClosed(t *testing.T) {
	api := client.New("http://127.0.0.1:1", "k")
	up := []mcpgate.Upstream{{Config: mcpgate.Config{Server: "db"}, Command: []string{"true"}}}
	for name, cfg := range map[string]mcpgate.HTTPConfig{
		"no tokens":    {API: api, Upstreams: up},
		"blank token":  {API: api, Upstreams: up, Tokens: []string{" "}},
		"no upstreams": {API: api, Tokens: []string{"t"}},
		"both":         {API: api, Tokens: []string{"t"}, Upstreams: []mcpgate.Upstream{{Config: mcpgate.Config{Server: "db"}, Command: []string{"x"}, URL: "http://x"}}},
		"neither":      {API: api, Tokens: []string{"t"}, Upstreams: []mcpgate.Upstream{{Config: mcpgate.Config{Server: "db"}}}},
		"bad name":     {API: api, Tokens: []string{"t"}, Upstreams: []mcpgate.Upstream{{Config: mcpgate.Config{Server: "a/b"}, URL: "http://x"}}},
		"twice":        {API: api, Tokens: []string{"t"}, Upstreams: append(slices.Clone(up), up...)},
	} {
		if _, err := mcpgate.NewHTTPHandler(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
