package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"
)

// TestMain runs the tests (and, for testscript, the countersign command
// itself), stops the throw-away PostgreSQL cluster, and checks for leaks.
func TestMain(m *testing.M) {
	opts := []goleak.Option{
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
		goleak.IgnoreAnyFunction("github.com/fsnotify/fsnotify.(*inotify).readEvents"),
	}
	testscript.Main(runner(func() int {
		code := pgtest.Main(m).Run()
		if code == 0 {
			if err := goleak.Find(opts...); err != nil {
				fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
				return 1
			}
		}
		return code
	}), map[string]func(){"countersign": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }})
}

type runner func() int

func (r runner) Run() int { return r() }

// TestScripts runs the CLI scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: filepath.Join("testdata", "script")})
}

// counts returns how many requests and events the store holds.
func counts(t *testing.T, e *env) (int, int) {
	t.Helper()
	reqs, _, err := e.m.Store.ListRequests(context.Background(), countersign.ListRequestsParams{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.m.Store.Events(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return len(reqs), len(evs)
}

func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t, "")
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
	reqs0, evs0 := counts(t, e)
	big := `{"kind":"custom","payload":{"x":"` + strings.Repeat("a", 1<<20) + `"}}`
	cases := []struct {
		name, body, code, msg string
		status                int
	}{
		{"malformed JSON", `{"kind":"sql",`, countersign.EInvalid, "bad JSON", 400},
		{"not an object", `[1,2]`, countersign.EInvalid, "bad JSON", 400},
		{"unknown field", `{"kind":"sql","payload":{"sql":"select 1"},"agent":"root"}`, countersign.EInvalid, "unknown field", 400},
		{"two values", `{"kind":"sql","payload":{"sql":"select 1"}} {}`, countersign.EInvalid, "more than one value", 400},
		{"oversized body", big, countersign.EInvalid, "larger than", 400},
		{"empty body", ``, countersign.EInvalid, "empty", 400},
		{"unknown kind", `{"kind":"telepathy","payload":{}}`, countersign.EInvalid, "unknown kind", 400},
		{"missing kind", `{"payload":{"sql":"select 1"}}`, countersign.EInvalid, "kind is required", 400},
		{"bad sql payload", `{"kind":"sql","payload":{"query":"select 1"}}`, countersign.EInvalid, "payload.sql", 400},
		{"inexact number", `{"kind":"custom","payload":{"n":9007199254740993}}`, countersign.EInvalid, "exactly", 400},
	}
	for _, c := range cases {
		st, eb := e.call(agent, "POST", "/v1/actions", c.body, nil)
		if st != c.status || eb.Error.Code != c.code || !strings.Contains(eb.Error.Message, c.msg) {
			t.Errorf("%s: got %d %s %q, want %d %s containing %q", c.name, st, eb.Error.Code, eb.Error.Message, c.status, c.code, c.msg)
		}
	}
	// Bad input elsewhere: a review with an unknown verdict, a bad wait.
	st, eb := e.call(e.admin, "GET", "/v1/actions/act_x?wait=soon", nil, nil)
	e.want(400, countersign.EInvalid, st, eb, "bad wait")
	st, eb = e.call("", "POST", "/v1/actions", `{"kind":"sql","payload":{"sql":"select 1"}}`, nil)
	e.want(401, countersign.EUnauthenticated, st, eb, "no key")
	st, eb = e.call("cs_forged", "POST", "/v1/actions", `{"kind":"sql","payload":{"sql":"select 1"}}`, nil)
	e.want(401, countersign.EUnauthenticated, st, eb, "forged key")
	st, eb = e.call(e.admin, "POST", "/v1/actions", `{"kind":"sql","payload":{"sql":"select 1"}}`, nil)
	e.want(403, countersign.EForbidden, st, eb, "admin submits")
	st, eb = e.call(agent, "POST", "/v1/keys", `{"kind":"admin","name":"me"}`, nil)
	e.want(403, countersign.EForbidden, st, eb, "agent creates a key")

	if reqs, evs := counts(t, e); reqs != reqs0 || evs != evs0 {
		t.Fatalf("bad input wrote: requests %d→%d, events %d→%d", reqs0, reqs, evs0, evs)
	}
}

func TestBadPolicyIsRefused(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\ndefault: deny\nrules:\n  - name: broken\n    match: action.kind ==\n    effect: deny\n"), 0o600)

	cfg := DefaultConfig()
	cfg.Listen, cfg.Data, cfg.Policy = "127.0.0.1:0", filepath.Join(dir, "data"), bad
	m := NewMain()
	m.Config = cfg
	err := m.Run(context.Background())
	if err == nil {
		m.Close()
		t.Fatal("Run with a bad policy: got nil error")
	}
	if !strings.Contains(err.Error(), "bad.yaml:5") || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("Run error %q should name the file, line 5 and rule broken", err)
	}

	// A running server refuses a bad new policy and keeps the old one.
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("version: 1\ndefault: deny\n"), 0o600)
	cfg.Policy = good
	m = NewMain()
	m.Config = cfg
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	before := m.Service.Policy().Digest()
	os.WriteFile(good, []byte("version: 1\ndefault: maybe\n"), 0o600)
	if err := m.ReloadPolicy(context.Background()); err == nil {
		t.Fatal("reload of a bad policy: got nil error")
	}
	if got := m.Service.Policy().Digest(); got != before {
		t.Fatalf("policy in force changed to %s after a bad reload", got)
	}
	os.WriteFile(good, []byte("version: 1\ndefault: review\n"), 0o600)
	if err := m.ReloadPolicy(context.Background()); err != nil {
		t.Fatalf("reload of a good policy: %v", err)
	}
	if got := m.Service.Policy().Digest(); got == before {
		t.Fatal("good reload did not change the policy in force")
	}
}

func TestConcurrentExecuteOnce(t *testing.T) {
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, dsn())
			agent := e.key(countersign.KeyInput{Kind: "agent", Name: "bot", Owner: "olive@example.com"})
			v := e.submit(agent, sqlAction("staging", "select 1"))
			var wg sync.WaitGroup
			statuses := make(chan int, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, _ := e.call(agent, "POST", "/v1/actions/"+v.ID+"/execute", countersign.ExecuteInput{Digest: v.Digest}, nil)
					statuses <- st
				}()
			}
			wg.Wait()
			close(statuses)
			got := map[int]int{}
			for s := range statuses {
				got[s]++
			}
			if got[200] != 1 || got[409] != 7 {
				t.Fatalf("statuses %v, want one 200 and seven 409", got)
			}
		})
	}
}
