package sql

import (
	"slices"
	"testing"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// benchSQL is a typical agent query: a join, a WHERE and a LIMIT (210 bytes).
const benchSQL = `SELECT o.id, o.total, c.name, c.email FROM shop.orders AS o JOIN shop.customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval '7 days' AND o.status = 'paid' ORDER BY o.created_at DESC LIMIT 50`

// timed runs op once per iteration and reports the p50 and p99 of each
// call's wall time.
func timed(b *testing.B, op func()) {
	b.ReportAllocs()
	var d []time.Duration
	for b.Loop() {
		start := time.Now()
		op()
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	if len(d) > 0 {
		b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
	}
}

func BenchmarkAnalyze(b *testing.B) {
	opt := Options{SensitiveTables: []string{"users", "billing.cards", "hr.*"}}
	timed(b, func() {
		if f := Analyze(benchSQL, opt); f.ParseError || !f.ReadOnly {
			b.Fatalf("unexpected facts: %+v", f)
		}
	})
}

// BenchmarkPeerParse is pg_query_go's own Parse (protobuf tree), the path
// the analyser does not take; measured for comparison.
func BenchmarkPeerParse(b *testing.B) {
	timed(b, func() {
		if _, err := pg_query.Parse(benchSQL); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPeerParseToJSON is the parser alone, printing the JSON tree the
// analyser reads.
func BenchmarkPeerParseToJSON(b *testing.B) {
	timed(b, func() {
		if _, err := pg_query.ParseToJSON(benchSQL); err != nil {
			b.Fatal(err)
		}
	})
}
