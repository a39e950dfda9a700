package shell

import (
	"os"
	"strings"
	"testing"
)

func TestRedTeamShell(t *testing.T) {
	b, err := os.ReadFile("/tmp/rt/sh.txt")
	if err != nil {
		t.Skip()
	}
	for _, q := range strings.Split(string(b), "\n----\n") {
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		f := Analyze(q)
		m := f.Map()
		var on []string
		for _, k := range []string{"destructive", "infra_change", "privilege", "network_egress", "reads_secrets", "dynamic", "parse_error"} {
			if m[k].(bool) {
				on = append(on, k)
			}
		}
		verdict := "ALLOW"
		if len(on) > 0 {
			verdict = strings.Join(on, ",")
		}
		t.Logf("\n>>> %s\n    [%s] programs=%v", strings.ReplaceAll(q, "\n", "⏎"), verdict, f.Programs)
	}
}
