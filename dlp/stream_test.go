package dlp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDocs reads every labelled document of testdata/dlp.
func corpusDocs(t testing.TB) []doc {
	paths, err := filepath.Glob("../testdata/dlp/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in ../testdata/dlp: %v", err)
	}
	var docs []doc
	for _, p := range paths {
		docs = append(docs, readCorpus(t.(*testing.T), p)...)
	}
	return docs
}

// filler is clean text with no findings, used to pad documents.
func filler(n int) []byte {
	line := "2026-11-25T16:45:55Z INFO GET /api/v1/orders?page=3 status=200 dur=12ms\n"
	return []byte(strings.Repeat(line, n/len(line)+1)[:n])
}

func maskWhole(t *testing.T, m *Masker, in []byte) ([]byte, Counts) {
	t.Helper()
	out, counts, err := m.Mask(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out, counts
}

// TestStreamBoundaries finds one true positive of every built-in detector in
// the corpus and streams it with the stream's cut (and, separately, the
// split between two writes) at every byte offset of the match. The output
// must equal masking the whole input at once, and the detector's type must
// be counted.
func TestStreamBoundaries(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	type sample struct {
		text string
		f    Finding
	}
	samples := map[string]sample{}
	for _, d := range corpusDocs(t) {
		for _, f := range m.scanner.Scan([]byte(d.text)) {
			if _, ok := samples[f.Detector]; !ok && d.labels[f.Type] {
				samples[f.Detector] = sample{d.text, f}
			}
		}
	}
	for _, det := range DefaultDetectors() {
		if _, ok := samples[det.Name]; !ok {
			t.Errorf("detector %s: no true positive in the corpus to stream", det.Name)
		}
	}
	const overlap = 4 << 10
	for name, s := range samples {
		in := append([]byte(s.text+"\n"), filler(overlap+100)...)
		want, _ := maskWhole(t, m, in)
		for k := s.f.Start; k <= s.f.End; k++ {
			// The stream's first cut falls at k.
			var out bytes.Buffer
			w := m.NewWriter(context.Background(), &out)
			w.s.chunk, w.s.overlap = max(k, 1), overlap
			first := max(k, 1) + overlap // the first round is ready here, cut at k
			if _, err := w.Write(in[:first]); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(in[first:]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("%s: cut at %d of match [%d,%d):\n got %q\nwant %q", name, k, s.f.Start, s.f.End, out.Bytes()[:min(out.Len(), 300)], want[:min(len(want), 300)])
			}
			if w.Counts()[s.f.Type] == 0 {
				t.Fatalf("%s: cut at %d: %s not counted: %v", name, k, s.f.Type, w.Counts())
			}
			// Two writes split at k, default stream sizes.
			out.Reset()
			w = m.NewWriter(context.Background(), &out)
			if _, err := w.Write(in[:k]); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(in[k:]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("%s: writes split at %d: output differs from masking at once", name, k)
			}
		}
	}
}

// randomReader returns reads of random sizes.
type randomReader struct {
	r   *rand.Rand
	src []byte
}

func (rr *randomReader) Read(p []byte) (int, error) {
	if len(rr.src) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(rr.src), 1+rr.r.IntN(9000))
	copy(p, rr.src[:n])
	rr.src = rr.src[n:]
	return n, nil
}

// bigMixed returns about n bytes of every corpus document in turn,
// separated by clean filler.
func bigMixed(t *testing.T, n int) []byte {
	docs := corpusDocs(t)
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = append(b, docs[i%len(docs)].text...)
		b = append(b, '\n')
		b = append(b, filler(int(uint(i*7919)%3000))...)
	}
	return b
}

// TestStreamLarge streams 3 MiB of mixed documents through a Writer with
// random write sizes and through a Reader with random read sizes, with the
// default sizes: both must equal masking at once, with equal counts.
func TestStreamLarge(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	in := bigMixed(t, 3<<20)
	want, wantCounts := maskWhole(t, m, in)
	r := rand.New(rand.NewPCG(1, 2))

	var out bytes.Buffer
	w := m.NewWriter(context.Background(), &out)
	maxBuf := 0
	for rest := in; len(rest) > 0; {
		n := min(len(rest), 1+r.IntN(20000))
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
		maxBuf = max(maxBuf, len(w.s.buf))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("writer output differs from masking at once")
	}
	if !equalCounts(w.Counts(), wantCounts) {
		t.Fatalf("writer counts %v, want %v", w.Counts(), wantCounts)
	}
	// Memory stays bounded: pending input never exceeds a round plus a write.
	if bound := streamChunk + streamOverlap + streamLookBehind + 20000; maxBuf > bound {
		t.Fatalf("writer buffered %d bytes, bound %d", maxBuf, bound)
	}

	rd := m.NewReader(context.Background(), &randomReader{r: r, src: in})
	got, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("reader output differs from masking at once")
	}
	if !equalCounts(rd.Counts(), wantCounts) {
		t.Fatalf("reader counts %v, want %v", rd.Counts(), wantCounts)
	}
}

func equalCounts(a, b Counts) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStreamWithholds checks a stream whose scan fails writes the notice in
// place of the content, never the content itself, and keeps failing.
func TestStreamWithholds(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	secret := "token=ghp_Lm4Kx8Qw2Er6Ty0Ui3Op7As1Df5Gh9Jk2ZxC\n"
	in := []byte(strings.Repeat(secret, 10000))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	var out bytes.Buffer
	w := m.NewWriter(ctx, &out)
	_, err := w.Write(in)
	if err == nil {
		err = w.Close()
	}
	if !errors.Is(err, ErrWithheld) || !errors.Is(err, context.Canceled) {
		t.Fatalf("writer error %v, want withheld and cancelled", err)
	}
	if bytes.Contains(out.Bytes(), []byte("ghp_")) || !bytes.Contains(out.Bytes(), []byte(WithheldNotice)) {
		t.Fatalf("writer output %q", out.Bytes()[:min(out.Len(), 200)])
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("write after failure succeeded")
	}

	got, err := io.ReadAll(m.NewReader(ctx, bytes.NewReader(in)))
	if !errors.Is(err, ErrWithheld) {
		t.Fatalf("reader error %v, want withheld", err)
	}
	if bytes.Contains(got, []byte("ghp_")) || !bytes.Contains(got, []byte(WithheldNotice)) {
		t.Fatalf("reader output %q", got[:min(len(got), 200)])
	}

	// A failing source is withheld too.
	got, err = io.ReadAll(m.NewReader(context.Background(), io.MultiReader(bytes.NewReader(in[:100]), errReader{})))
	if !errors.Is(err, ErrWithheld) || bytes.Contains(got, []byte("ghp_")) {
		t.Fatalf("failing source: %q, %v", got, err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestStreamLongFinding checks a finding longer than a round (a private key
// block cut off mid-stream) is still masked whole.
func TestStreamLongFinding(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	key := "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0\n", 300) + "-----END RSA PRIVATE KEY-----\n"
	in := append(append(filler(5000), key...), filler(50000)...)
	want, _ := maskWhole(t, m, in)
	var out bytes.Buffer
	w := m.NewWriter(context.Background(), &out)
	w.s.chunk, w.s.overlap = 1024, 16<<10+1024
	for i := 0; i < len(in); i += 333 {
		if _, err := w.Write(in[i:min(len(in), i+333)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) || bytes.Contains(out.Bytes(), []byte("QUJDREVG")) {
		t.Fatal("private key not masked whole across rounds")
	}
}
