package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "countersign.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFile(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DB": "postgres://u:p#a: ss@db/cs", "LISTEN": "127.0.0.1:9000"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c := DefaultConfig()
	err := LoadConfigFile(&c, writeConfig(t, "listen: ${LISTEN}\nstore: ${DB}\npolicy: ./p.yaml # a comment\nslack:\n  bot_token: x\n"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" || c.Store != env["DB"] || c.Policy != "./p.yaml" || c.Data != "./countersign-data" {
		t.Fatalf("config = %+v", c)
	}

	for name, tc := range map[string]struct{ text, want string }{
		"unset variable": {"store: ${NOPE}\n", "not set: NOPE"},
		"unknown key":    {"listne: x\n", "listne"},
		"bad yaml":       {"listen: [\n", "config"},
	} {
		c := DefaultConfig()
		err := LoadConfigFile(&c, writeConfig(t, tc.text), getenv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}

	c = DefaultConfig()
	ApplyEnv(&c, func(k string) (string, bool) {
		v, ok := map[string]string{"COUNTERSIGN_LISTEN": "0.0.0.0:1", "COUNTERSIGN_POLICY": "/etc/p.yaml"}[k]
		return v, ok
	})
	if c.Listen != "0.0.0.0:1" || c.Policy != "/etc/p.yaml" {
		t.Fatalf("ApplyEnv: %+v", c)
	}
}
