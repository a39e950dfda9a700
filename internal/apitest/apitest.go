// Package apitest starts a real Countersign server for tests: SQLite in a
// temporary directory, the gateway with a given policy, and the HTTP API on
// a loopback port.
package apitest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/httpapi"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/sqlite"
)

// Admin is the principal tests create keys and read requests as.
var Admin = countersign.Principal{Kind: countersign.KindAdmin, Name: "admin"}

// Server is a running Countersign server.
type Server struct {
	Svc   *gateway.Service
	Store countersign.Store
	URL   string
}

// Start starts a server judging by the policy YAML; it stops when the test
// ends.
func Start(t testing.TB, policyYAML string) *Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cs.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("test.yaml", []byte(policyYAML))
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	svc := gateway.New(gateway.Config{Store: st, Policy: p})
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Service: svc}))
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &Server{Svc: svc, Store: st, URL: srv.URL}
}

// Key creates a key for p and returns its secret.
func (s *Server) Key(t testing.TB, p countersign.Principal) string {
	t.Helper()
	key, _, err := s.Svc.CreateKey(context.Background(), Admin, p)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Client returns a client with a new key for p.
func (s *Server) Client(t testing.TB, p countersign.Principal) *client.Client {
	t.Helper()
	return client.New(s.URL, s.Key(t, p))
}

// Request returns request id as an admin sees it.
func (s *Server) Request(t testing.TB, id string) *countersign.Request {
	t.Helper()
	r, err := s.Svc.Get(context.Background(), Admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
