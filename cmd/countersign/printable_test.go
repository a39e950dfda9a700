package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
)

// Text an agent wrote cannot drive the reviewer's terminal.
func TestPrintRequestStripsControls(t *testing.T) {
	evil := "ok\x1b[2J\x1b]0;pwned\x07\u202egnp.exe\r\x9b31m"
	v := &countersign.RequestView{ID: "act_1", Agent: "bot", State: "pending",
		Action: countersign.Action{Kind: "mcp.tool", Summary: evil, Payload: json.RawMessage(`{"server":"s","tool":"t"}`)},
		Facts:  json.RawMessage(`{"mcp":{"tool":"t\u001b[31m","server":"s","destructive":true,"claimed":{"title":"x\u001b]8;;http://evil\u0007"}}}`),
	}
	var out bytes.Buffer
	printRequest(&out, v)
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\r", "\x9b"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("output carries %q:\n%q", bad, out.String())
		}
	}
	if !strings.Contains(out.String(), "what it does:") || !strings.Contains(out.String(), "destructive") {
		t.Errorf("facts missing from:\n%s", out.String())
	}
}
