package shell

import (
	"slices"
	"strings"
	"testing"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// benchCommand is a typical command an agent sends.
const benchCommand = `kubectl get pods -n prod -l app=web -o wide | grep -v Running | awk '{print $1}'`

// benchScript is a short deployment script: substitutions, a loop,
// wrappers, nested strings and a here-document.
const benchScript = `set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
for ns in dev staging; do
  kubectl -n "$ns" rollout restart deploy/web
done
sudo -u deploy bash -lc 'cd /srv/app && git pull && make build'
ssh prod-db 'pg_dump app | gzip > /backups/app.sql.gz'
cat <<'END' > notes.txt
deployed
END
`

// BenchmarkAnalyze times Analyze on a typical command and reports the median
// and 99th percentile of single calls as p50-ns and p99-ns.
func BenchmarkAnalyze(b *testing.B) {
	benchmarkAnalyze(b, benchCommand)
}

// BenchmarkAnalyzeScript does the same for a short script.
func BenchmarkAnalyzeScript(b *testing.B) {
	benchmarkAnalyze(b, benchScript)
}

func benchmarkAnalyze(b *testing.B, cmd string) {
	if f := Analyze(cmd); f.ParseError {
		b.Fatalf("benchmark command does not parse: %s", f.Error)
	}
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		Analyze(cmd)
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkParseOnly is the peer: the bash parser alone on the same command,
// the floor under Analyze.
func BenchmarkParseOnly(b *testing.B) {
	p := parsers.Get().(*syntax.Parser)
	defer parsers.Put(p)
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := p.Parse(strings.NewReader(benchCommand), ""); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}
