package dlp

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type doc struct {
	file   string
	line   int
	labels map[Type]bool
	text   string
}

func readCorpus(t *testing.T, path string) []doc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	var docs []doc
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		labels, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: no tab between labels and text", path, n)
		}
		d := doc{file: filepath.Base(path), line: n, labels: map[Type]bool{}, text: strings.ReplaceAll(text, `\n`, "\n")}
		if labels != "-" {
			for l := range strings.SplitSeq(labels, ",") {
				d.labels[Type(l)] = true
			}
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	return docs
}

// TestCorpus scans every labelled document and prints precision and recall
// per type. A type is counted once per document. It fails below recall 0.98
// or precision 0.95 for any type, and if a built-in type has no positive
// example in the corpus, or a built-in detector has no true positive.
func TestCorpus(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	paths, err := filepath.Glob("../testdata/dlp/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in ../testdata/dlp: %v", err)
	}
	var docs []doc
	for _, p := range paths {
		docs = append(docs, readCorpus(t, p)...)
	}
	tp, fp, fn := map[Type]int{}, map[Type]int{}, map[Type]int{}
	fired := map[string]bool{} // detectors with a true positive
	for _, d := range docs {
		got := map[Type]bool{}
		for _, f := range s.Scan([]byte(d.text)) {
			got[f.Type] = true
			if d.labels[f.Type] {
				fired[f.Detector] = true
			}
		}
		for typ := range got {
			if d.labels[typ] {
				tp[typ]++
			} else {
				fp[typ]++
				t.Logf("%s:%d: false positive %s in %q", d.file, d.line, typ, d.text)
			}
		}
		for typ := range d.labels {
			if !got[typ] {
				fn[typ]++
				t.Logf("%s:%d: missed %s in %q", d.file, d.line, typ, d.text)
			}
		}
	}
	var types []Type
	for _, det := range DefaultDetectors() {
		if !slices.Contains(types, det.Type) {
			types = append(types, det.Type)
		}
	}
	t.Logf("%-18s %4s %4s %4s %9s %6s", "type", "tp", "fp", "fn", "precision", "recall")
	for _, typ := range types {
		p, r := ratio(tp[typ], tp[typ]+fp[typ]), ratio(tp[typ], tp[typ]+fn[typ])
		t.Logf("%-18s %4d %4d %4d %9.3f %6.3f", typ, tp[typ], fp[typ], fn[typ], p, r)
		if tp[typ]+fn[typ] == 0 {
			t.Errorf("%s: no positive example in the corpus", typ)
		}
		if r < 0.98 || p < 0.95 {
			t.Errorf("%s: precision %.3f recall %.3f, want at least 0.95 and 0.98", typ, p, r)
		}
	}
	for _, det := range DefaultDetectors() {
		if !fired[det.Name] {
			t.Errorf("detector %s: no true positive in the corpus", det.Name)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
