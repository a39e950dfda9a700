package policy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/countersign/countersign"
)

func TestGuardsFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		match string
		want  []guard
	}{
		{`action.kind == "sql" && sql.read_only`, []guard{{"kind", "sql"}}},
		{`"production" == action.environment && action.kind == "shell" && true`, []guard{{"environment", "production"}, {"kind", "shell"}}},
		{`action.kind == "sql" || action.kind == "shell"`, nil},
		{`!(action.kind == "sql")`, nil},
		{`action.payload.sql == "x"`, nil},
		{`action.labels.ticket == "x"`, nil},
		{`has(action.kind) && action.kind != "sql"`, nil},
	}
	for _, tt := range tests {
		p, err := Parse("g.yaml", []byte("version: 1\nrules:\n  - name: r\n    match: '"+tt.match+"'\n    effect: deny\n"))
		if err != nil {
			t.Fatalf("%s: %v", tt.match, err)
		}
		if got := p.deny[0].guards; !slices.Equal(got, tt.want) {
			t.Errorf("guards(%s) = %v, want %v", tt.match, got, tt.want)
		}
	}
}

// A guard must never change a decision: with the guard met, an erroring
// conjunct still fails closed; with it unmet, CEL's && is false anyway.
func TestGuardKeepsFailClosed(t *testing.T) {
	t.Parallel()
	p, err := Parse("g.yaml", []byte(`version: 1
default: allow
rules:
  - name: sql-facts
    match: 'action.kind == "sql" && sql.copy_program'
    effect: deny
`))
	if err != nil {
		t.Fatal(err)
	}
	sql := Input{Action: countersign.Action{Kind: "sql", Payload: json.RawMessage(`{"sql":"select 1"}`)}}
	if d := p.Evaluate(sql); d.Effect != countersign.EffectDeny {
		t.Fatalf("sql without facts: %s, want deny (evaluation error fails closed)", d.Effect)
	}
	shell := Input{Action: countersign.Action{Kind: "shell", Payload: json.RawMessage(`{"command":"ls"}`)}}
	if d := p.Evaluate(shell); d.Effect != countersign.EffectAllow {
		t.Fatalf("shell: %s, want allow (false && error is false in CEL)", d.Effect)
	}
	// The same without guards, by running the program directly.
	out, _, err := p.deny[0].prg.Eval(newActivation(&shell))
	if err != nil || out.Value() != false {
		t.Fatalf("CEL itself gives %v, %v for the shell action; the guard must agree", out, err)
	}
}
