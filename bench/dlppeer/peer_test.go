package dlppeer

import (
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/countersign/countersign/dlp/dlpcorpus"
)

// size is the corpus size of the issue: 64 MiB.
const size = 64 << 20

// Each corpus is generated once per process and shared by both scanners and
// every run (-count) of the benchmark.
var corpora = map[string]func() []byte{
	"clean": sync.OnceValue(func() []byte { return dlpcorpus.Mixed(size, 0) }),
	"mixed": sync.OnceValue(func() []byte { return dlpcorpus.Mixed(size, 20) }),
	"dense": sync.OnceValue(func() []byte { return dlpcorpus.Mixed(size, 2) }),
}

// decodeDepth is gitleaks' decoding depth: DLPPEER_GITLEAKS_DECODE_DEPTH, or
// the library's default 0 (the gitleaks command's default is 5).
func decodeDepth(tb testing.TB) int {
	v := os.Getenv("DLPPEER_GITLEAKS_DECODE_DEPTH")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		tb.Fatalf("DLPPEER_GITLEAKS_DECODE_DEPTH=%q: want a number >= 0", v)
	}
	return n
}

func newScanners(tb testing.TB) (*Countersign, *Gitleaks) {
	tb.Helper()
	cs, err := NewCountersign()
	if err != nil {
		tb.Fatalf("NewCountersign: %v", err)
	}
	gl, err := NewGitleaks(decodeDepth(tb))
	if err != nil {
		tb.Fatalf("NewGitleaks: %v", err)
	}
	return cs, gl
}

// BenchmarkPeer scans the same 64 MiB (dlpcorpus.Mixed) with Countersign and
// with gitleaks, one goroutine each: "clean" has no findings (for
// Countersign) but plenty of near misses, "mixed" a finding every 20 lines,
// "dense" one on every other line. The findings metric is what each scanner
// reported for one pass over the corpus.
func BenchmarkPeer(b *testing.B) {
	cs, gl := newScanners(b)
	for _, name := range []string{"clean", "mixed", "dense"} {
		b.Run(name+"/countersign", func(b *testing.B) {
			in := corpora[name]()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = cs.Scan(in)
			}
			b.ReportMetric(float64(n), "findings")
		})
		b.Run(name+"/gitleaks", func(b *testing.B) {
			in := corpora[name]()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				var err error
				if n, err = gl.Scan(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}

// TestBothFindDense is a sanity check of the benchmark: on dense text both
// scanners find something, and on clean text Countersign finds nothing
// (what gitleaks finds there is logged).
func TestBothFindDense(t *testing.T) {
	cs, gl := newScanners(t)
	dense := dlpcorpus.Mixed(1<<20, 2)
	if n := cs.Scan(dense); n == 0 {
		t.Error("Countersign: no findings in dense text")
	} else {
		t.Logf("Countersign: %d findings in 1 MiB of dense text", n)
	}
	n, err := gl.Scan(dense)
	if err != nil {
		t.Fatalf("gitleaks: %v", err)
	}
	if n == 0 {
		t.Error("gitleaks: no findings in dense text")
	} else {
		t.Logf("gitleaks: %d findings in 1 MiB of dense text", n)
	}

	clean := dlpcorpus.Mixed(1<<20, 0)
	if n := cs.Scan(clean); n != 0 {
		t.Errorf("Countersign: %d findings in clean text, want 0", n)
	}
	n, err = gl.Scan(clean)
	if err != nil {
		t.Fatalf("gitleaks: %v", err)
	}
	t.Logf("gitleaks: %d findings in 1 MiB of clean text", n)
}
