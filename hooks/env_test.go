package hooks_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/hooks"
	"github.com/countersign/countersign/internal/apitest"
)

const testPolicy = `version: 1
default: deny
rules:
  - name: workflows
    match: action.kind == "custom" && action.payload.path.startsWith(".github/workflows/")
    effect: deny
    reason: CI workflows are changed through review, not by agents
  - name: infra
    match: action.kind == "shell" && (shell.destructive || shell.infra_change)
    effect: review
    review: {approvers: [any_human], min_approvals: 1, ttl: 10m, grant_ttl: 5m}
  - name: shell
    match: action.kind == "shell"
    effect: allow
  - name: files
    match: action.kind == "custom"
    effect: allow
  - name: mcp
    match: action.kind == "mcp.tool" || action.kind == "http"
    effect: review
    review: {approvers: [any_human], min_approvals: 1}
`

var (
	admin = apitest.Admin
	bot   = countersign.Principal{Kind: countersign.KindAgent, Name: "claude", Owner: "olive@example.com"}
	dana  = countersign.Principal{Kind: countersign.KindHuman, Name: "dana@example.com"}
)

// env is a real Countersign server (SQLite, httpapi over loopback) and an
// agent key for the hooks.
type env struct {
	t   *testing.T
	srv *apitest.Server
	svc *gateway.Service
	url string
	key string
	api *client.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := apitest.Start(t, testPolicy)
	key := srv.Key(t, bot)
	return &env{t: t, srv: srv, svc: srv.Svc, url: srv.URL, key: key, api: client.New(srv.URL, key)}
}

// fixture reads a hook payload taken from the tools' docs.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "hooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (e *env) get(id string) *countersign.Request {
	e.t.Helper()
	return e.srv.Request(e.t, id)
}

func (e *env) review(id string, v countersign.Verdict, reason string) {
	e.t.Helper()
	if _, err := e.svc.Review(context.Background(), dana, id, gateway.ReviewInput{Verdict: v, Reason: reason}); err != nil {
		e.t.Fatalf("review %s: %v", id, err)
	}
}

// claude judges a Claude Code payload through the hooks package.
func (e *env) claude(raw []byte, gens client.Generations, opt hooks.Options) hooks.Verdict {
	e.t.Helper()
	in, err := hooks.ParseClaude(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := in.Action(hooks.Context{Environment: "production", OnBehalfOf: "olive@example.com"})
	if err != nil {
		e.t.Fatal(err)
	}
	return hooks.Judge(context.Background(), e.api, gens, a, opt)
}
