package policy

import (
	"encoding/json"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// benchInput is a production SQL export: it passes every deny rule, matches
// several review rules, and reads action fields, labels, payload and facts.
func benchInput() Input {
	return Input{
		Action: countersign.Action{
			Kind:        countersign.ActionSQL,
			Agent:       "agent-3",
			OnBehalfOf:  "alice@example.com",
			Environment: "production",
			Resource:    "postgres://orders-db/orders",
			Summary:     "Export last month's orders for finance",
			Payload:     json.RawMessage(`{"sql":"COPY (SELECT * FROM orders WHERE month = 5) TO STDOUT","limit":50000}`),
			Labels:      map[string]string{"ticket": "OPS-123", "priority": "p2", "region": "eu"},
		},
		AgentOwner: "olga@example.com",
		Facts: map[string]map[string]any{
			"sql": {
				"statement": "COPY", "read_only": true, "is_export": true, "is_ddl": false,
				"is_delete": false, "has_where": true, "copy_program": false, "grants_superuser": false,
				"tables": []any{"orders"}, "estimated_rows": int64(120000),
			},
		},
	}
}

// benchAllowInput is a small staging read, which the allow rules let through.
func benchAllowInput() Input {
	in := benchInput()
	in.Action.Environment = "staging"
	in.Action.Labels = nil
	in.Action.Payload = json.RawMessage(`{"sql":"SELECT id FROM orders LIMIT 50","limit":50}`)
	in.Facts["sql"]["statement"] = "SELECT"
	in.Facts["sql"]["is_export"] = false
	in.Facts["sql"]["estimated_rows"] = int64(50)
	return in
}

func loadBench(b *testing.B) *Policy {
	b.Helper()
	p, err := Load("testdata/bench50.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if n := len(p.Rules()); n != 50 {
		b.Fatalf("bench50.yaml has %d rules, want 50", n)
	}
	return p
}

// benchEvaluate measures one Evaluate of the 50-rule policy on in, which
// must give want, and reports the median and 99th percentile of single calls
// as p50-ns, p99-ns.
func benchEvaluate(b *testing.B, in Input, want countersign.Effect) {
	p := loadBench(b)
	if d := p.Evaluate(in); d.Effect != want {
		b.Fatalf("effect = %s (%v), want %s", d.Effect, d.Reasons, want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.Evaluate(in)
	}
	b.StopTimer()
	reportPercentiles(b, func() { p.Evaluate(in) })
}

// decoded gives in the payload as Action.Check decodes it, which is how the
// gateway calls Evaluate: the payload is decoded once, at validation.
func decoded(b *testing.B, in Input) Input {
	p, err := in.Action.Check()
	if err != nil {
		b.Fatal(err)
	}
	in.Payload = p
	return in
}

// BenchmarkEvaluate50Rules evaluates a production export, which stops after
// the review rules; the payload is decoded inside Evaluate.
func BenchmarkEvaluate50Rules(b *testing.B) {
	benchEvaluate(b, benchInput(), countersign.EffectReview)
}

// BenchmarkEvaluate50RulesAllow evaluates an action that reaches the allow
// rules, so every deny and review rule is evaluated and fails first.
func BenchmarkEvaluate50RulesAllow(b *testing.B) {
	benchEvaluate(b, benchAllowInput(), countersign.EffectAllow)
}

// BenchmarkEvaluate50RulesDecoded is BenchmarkEvaluate50Rules as the gateway
// calls it, with the payload decoded at validation.
func BenchmarkEvaluate50RulesDecoded(b *testing.B) {
	benchEvaluate(b, decoded(b, benchInput()), countersign.EffectReview)
}

// BenchmarkEvaluate50RulesAllowDecoded is BenchmarkEvaluate50RulesAllow with
// the payload decoded at validation.
func BenchmarkEvaluate50RulesAllowDecoded(b *testing.B) {
	benchEvaluate(b, decoded(b, benchAllowInput()), countersign.EffectAllow)
}

// reportPercentiles times n single calls of f and reports the median and
// 99th percentile of their wall time (p50-ns, p99-ns) and, on Linux, of the
// CPU time of the thread running them (p50-cpu-ns, p99-cpu-ns), which other
// processes on a shared machine do not inflate.
func reportPercentiles(b *testing.B, f func()) {
	const n = 20000
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]int64, n)
	cpu := make([]int64, n)
	_, haveCPU := threadCPU()
	for i := range n {
		c0, _ := threadCPU()
		t := time.Now()
		f()
		wall[i] = time.Since(t).Nanoseconds()
		c1, _ := threadCPU()
		cpu[i] = c1 - c0
	}
	report := func(xs []int64, unit string) {
		slices.Sort(xs)
		b.ReportMetric(float64(xs[n/2]), "p50-"+unit)
		b.ReportMetric(float64(xs[n*99/100]), "p99-"+unit)
	}
	report(wall, "ns")
	if haveCPU {
		report(cpu, "cpu-ns")
	}
}
