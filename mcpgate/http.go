package mcpgate

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/dlp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultSessionTimeout is how long an HTTP client session may stay idle
// before it is closed with its upstream connection.
const DefaultSessionTimeout = 30 * time.Minute

// Upstream is one server behind the HTTP gateway, served at /mcp/{name}.
// Config.Server is the name; Config.API, Masker and Logger default to the
// HTTPConfig's. Each client session gets its own upstream connection: exactly
// one of Command, URL and NewTransport says how to make it.
type Upstream struct {
	Config
	Command []string // a stdio server, started for each session and ended with it
	URL     string   // a Streamable HTTP server
	// NewTransport returns the transport to the upstream for a new session
	// (for tests and embedding).
	NewTransport func() (mcp.Transport, error)
	Stderr       io.Writer // a command's standard error; nil: os.Stderr
}

// transport returns the transport for a new session's upstream connection.
func (u *Upstream) transport() (mcp.Transport, error) {
	switch {
	case u.NewTransport != nil:
		return u.NewTransport()
	case len(u.Command) > 0:
		c := exec.Command(u.Command[0], u.Command[1:]...)
		c.Stderr = u.Stderr
		if c.Stderr == nil {
			c.Stderr = os.Stderr
		}
		return &mcp.CommandTransport{Command: c, TerminateDuration: UpstreamGrace}, nil
	case u.URL != "":
		return &mcp.StreamableClientTransport{Endpoint: u.URL}, nil
	}
	return nil, fmt.Errorf("upstream %s has neither a command nor a URL", u.Server)
}

// HTTPConfig configures the HTTP gateway.
type HTTPConfig struct {
	Upstreams []Upstream
	API       *client.Client // the Countersign server, with the gateway's agent key
	// Tokens are the bearer tokens clients must present; at least one is
	// required.
	Tokens         []string
	Logger         *slog.Logger  // nil: discard
	Masker         *dlp.Masker   // nil: dlp.DefaultMasker()
	SessionTimeout time.Duration // idle sessions are closed after it; 0: DefaultSessionTimeout
}

// HTTPHandler serves the upstreams over Streamable HTTP at /mcp/{name},
// each client session with its own upstream connection and gate. Close ends
// every session and its upstream.
type HTTPHandler struct {
	tokens [][]byte
	mux    *http.ServeMux
	log    *slog.Logger
	ctx    context.Context // the upstream connections' lifetime
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	sessions map[*gate]*mcp.ServerSession // nil session: being set up
	wg       sync.WaitGroup
}

// pending carries a new session's gate from ServeHTTP to getServer.
type pending struct {
	g   *gate
	srv *mcp.Server
}

type pendingKey struct{}

// NewHTTPHandler checks cfg and returns the gateway's handler.
func NewHTTPHandler(cfg HTTPConfig) (*HTTPHandler, error) {
	if cfg.API == nil {
		return nil, errors.New("mcpgate: HTTPConfig.API is required")
	}
	if len(cfg.Upstreams) == 0 {
		return nil, errors.New("mcpgate: no upstreams")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	h := &HTTPHandler{mux: http.NewServeMux(), log: cfg.Logger, sessions: map[*gate]*mcp.ServerSession{}}
	for _, t := range cfg.Tokens {
		if t = strings.TrimSpace(t); t != "" {
			h.tokens = append(h.tokens, []byte(t))
		}
	}
	if len(h.tokens) == 0 { // fail closed: never serve tools without auth
		return nil, errors.New("mcpgate: at least one client bearer token is required")
	}
	seen := map[string]bool{}
	for _, u := range cfg.Upstreams {
		if u.Server == "" || strings.ContainsAny(u.Server, "/ ") {
			return nil, fmt.Errorf("mcpgate: upstream name %q: want a non-empty name without / or spaces", u.Server)
		}
		if seen[u.Server] {
			return nil, fmt.Errorf("mcpgate: upstream %s is listed twice", u.Server)
		}
		seen[u.Server] = true
		n := 0
		for _, set := range []bool{len(u.Command) > 0, u.URL != "", u.NewTransport != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return nil, fmt.Errorf("mcpgate: upstream %s: give exactly one of command and url", u.Server)
		}
		if u.API == nil {
			u.API = cfg.API
		}
		if u.Masker == nil {
			u.Masker = cfg.Masker
		}
		if u.Logger == nil {
			u.Logger = cfg.Logger
		}
		h.mux.Handle("/mcp/"+u.Server, h.upstreamHandler(u, cfg.SessionTimeout))
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h, nil
}

// ServeHTTP checks the client's bearer token and routes to the upstream.
func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="countersign-mcp"`)
		http.Error(w, "a valid bearer token is required", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares the request's bearer token with every configured one
// in constant time.
func (h *HTTPHandler) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := []byte(strings.TrimSpace(tok))
	match := 0
	for _, t := range h.tokens {
		match |= subtle.ConstantTimeCompare(got, t)
	}
	return match == 1
}

// upstreamHandler serves one upstream. A POST without a session ID may start
// a session, so the upstream connection is made before the SDK's handler
// sees it (so a failure can be answered with 502); the SDK's handler connects
// the mirrored server through getServer, and once the request is done the
// session is watched and its upstream closed when it ends.
func (h *HTTPHandler) upstreamHandler(u Upstream, timeout time.Duration) http.Handler {
	sh := mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server {
		if p, ok := r.Context().Value(pendingKey{}).(*pending); ok {
			return p.srv
		}
		return nil // requests of existing sessions: the SDK's default protocol versions
	}, &mcp.StreamableHTTPOptions{Logger: h.log, SessionTimeout: timeout})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Mcp-Session-Id") != "" {
			sh.ServeHTTP(w, r)
			return
		}
		p, err := h.open(u)
		if err != nil {
			h.log.Warn("mcp http: upstream connection failed", "server", u.Server, "error", err)
			http.Error(w, fmt.Sprintf("upstream %s is unavailable: %v", u.Server, err), http.StatusBadGateway)
			return
		}
		sh.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), pendingKey{}, p)))
		h.adopt(p)
	})
}

// open connects a new session's upstream and builds its mirrored server.
func (h *HTTPHandler) open(u Upstream) (*pending, error) {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return nil, errors.New("the gateway is shutting down")
	}
	t, err := u.transport()
	if err != nil {
		return nil, err
	}
	g, srv, err := open(h.ctx, u.Config, t)
	if err != nil {
		return nil, err
	}
	return &pending{g: g, srv: srv}, nil
}

// adopt watches the session the SDK connected to p.srv, closing the upstream
// when it ends; without one (the request did not initialize a session) the
// upstream is closed at once.
func (h *HTTPHandler) adopt(p *pending) {
	var ss *mcp.ServerSession
	for s := range p.srv.Sessions() {
		ss = s
		break
	}
	h.mu.Lock()
	if ss == nil || h.closed {
		h.mu.Unlock()
		if ss != nil {
			ss.Close()
		}
		p.g.close()
		return
	}
	h.sessions[p.g] = ss
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		_ = ss.Wait()
		p.g.close()
		h.mu.Lock()
		delete(h.sessions, p.g)
		h.mu.Unlock()
	}()
}

// Sessions returns the number of live client sessions.
func (h *HTTPHandler) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// Close ends every client session and its upstream connection (stopping
// the upstream processes) and refuses new sessions.
func (h *HTTPHandler) Close() error {
	h.mu.Lock()
	h.closed = true
	var all []*mcp.ServerSession
	for _, ss := range h.sessions {
		all = append(all, ss)
	}
	h.mu.Unlock()
	for _, ss := range all {
		ss.Close()
	}
	h.wg.Wait()
	h.cancel()
	return nil
}
