package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMCPHTTPConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcp.yaml")
	const file = `tokens: ["${TOK}"]
upstreams:
  - name: pg
    command: [npx, server-postgres, "${PG}"]
    environment: production
    on_behalf_of: olive@example.com
    sql_args: {query: sql}
    hold: 2m
  - name: remote
    url: https://mcp.example.com/mcp
    shell_args: {run: command}
    hide_denied: true
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TOK": "s3cret", "PG": "postgres://x"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f, err := loadMCPHTTPConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.httpConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tokens) != 1 || cfg.Tokens[0] != "s3cret" || len(cfg.Upstreams) != 2 {
		t.Fatalf("config %+v", cfg)
	}
	pg, remote := cfg.Upstreams[0], cfg.Upstreams[1]
	if pg.Server != "pg" || pg.Command[2] != "postgres://x" || pg.Tools["query"].SQLArg != "sql" || pg.Hold != 2*time.Minute ||
		pg.Environment != "production" || pg.OnBehalfOf != "olive@example.com" || pg.HideDenied {
		t.Fatalf("pg %+v", pg)
	}
	if remote.URL != "https://mcp.example.com/mcp" || remote.Tools["run"].ShellArg != "command" || !remote.HideDenied {
		t.Fatalf("remote %+v", remote)
	}
	if cfg, _ := f.httpConfig(true); !cfg.Upstreams[0].HideDenied {
		t.Fatal("--hide-denied did not apply to every upstream")
	}

	delete(env, "TOK")
	if _, err := loadMCPHTTPConfig(path, getenv); err == nil || !strings.Contains(err.Error(), "TOK") {
		t.Fatalf("unset variable: %v", err)
	}
	if err := os.WriteFile(path, []byte("tokens: [x]\nupstream: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadMCPHTTPConfig(path, getenv); err == nil {
		t.Fatal("unknown key accepted")
	}
}
