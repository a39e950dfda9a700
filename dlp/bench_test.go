package dlp

import (
	"math/rand/v2"
	"testing"
)

// mixedText returns n bytes of generated log-like text. Every dense-th line
// carries a finding (email, card, token, DB URL); the rest are clean lines
// with near-miss material (UUIDs, hex ids, timestamps, "token" in prose).
func mixedText(n, dense int) []byte {
	r := rand.New(rand.NewPCG(7, 11))
	clean := []string{
		"2026-11-25T16:45:55.123Z INFO request id=123e4567-e89b-12d3-a456-426614174000 status=200 dur=12ms\n",
		"commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged by the release bot into main\n",
		"GET /api/v1/orders?page=3&limit=50 HTTP/1.1 host=shop.internal ua=curl/8.5.0\n",
		"the session token field is refreshed every 15 minutes; see the runbook for details\n",
		`{"order":1234567812345678,"qty":3,"sku":"AB-1234-XY","ts":1732550400}` + "\n",
	}
	hot := []string{
		"user jane.doe@acme-corp.io paid with 4111 1111 1111 1111\n",
		"token=" + fixGitHub + "\n",
		"DATABASE_URL=postgres://app:Zk8q2LmR7v@db.internal:5432/app\n",
		`{"ssn":"536-22-1234","iban":"DE89370400440532013000"}` + "\n",
	}
	out := make([]byte, 0, n+256)
	for i := 0; len(out) < n; i++ {
		if dense > 0 && i%dense == 0 {
			out = append(out, hot[r.IntN(len(hot))]...)
		} else {
			out = append(out, clean[r.IntN(len(clean))]...)
		}
	}
	return out[:n]
}

func benchScan(b *testing.B, dense int) {
	s := newDefault(b)
	in := mixedText(4<<20, dense)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Scan(in)
	}
}

// BenchmarkScan measures Scan on 4 MiB of generated mixed text: "clean" has
// no findings but plenty of near misses, "mixed" a finding every 20 lines,
// "dense" one on every other line.
func BenchmarkScan(b *testing.B) {
	b.Run("clean", func(b *testing.B) { benchScan(b, 0) })
	b.Run("mixed", func(b *testing.B) { benchScan(b, 20) })
	b.Run("dense", func(b *testing.B) { benchScan(b, 2) })
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
