package dlp

import (
	"sync"
	"testing"

	"github.com/countersign/countersign/dlp/dlpcorpus"
)

// mixedText returns n bytes of generated log-like text (dlpcorpus.Mixed):
// every dense-th line carries a finding, the rest are clean lines with
// near-miss material; dense 0 gives no findings.
func mixedText(n, dense int) []byte { return dlpcorpus.Mixed(n, dense) }

// benchSize is the size of the corpus BenchmarkScan scans, as in the issue.
// bench/dlppeer runs gitleaks on the same bytes.
const benchSize = 64 << 20

// Each corpus is generated once per process, on first use, and shared by
// every run of its sub-benchmark (-count, b.N rounds).
var (
	cleanCorpus = sync.OnceValue(func() []byte { return dlpcorpus.Mixed(benchSize, 0) })
	mixedCorpus = sync.OnceValue(func() []byte { return dlpcorpus.Mixed(benchSize, 20) })
	denseCorpus = sync.OnceValue(func() []byte { return dlpcorpus.Mixed(benchSize, 2) })
)

func benchScan(b *testing.B, corpus func() []byte) {
	s := newDefault(b)
	in := corpus()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Scan(in)
	}
}

// BenchmarkScan measures Scan, single goroutine, on 64 MiB of generated mixed
// text: "clean" has no findings but plenty of near misses, "mixed" a finding
// every 20 lines, "dense" one on every other line.
func BenchmarkScan(b *testing.B) {
	b.Run("clean", func(b *testing.B) { benchScan(b, cleanCorpus) })
	b.Run("mixed", func(b *testing.B) { benchScan(b, mixedCorpus) })
	b.Run("dense", func(b *testing.B) { benchScan(b, denseCorpus) })
}

func BenchmarkMask(b *testing.B) {
	s := newDefault(b)
	in := mixedText(4<<20, 2)
	fs := s.Scan(in)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Mask(in, fs, DefaultPolicy()); err != nil {
			b.Fatal(err)
		}
	}
}
