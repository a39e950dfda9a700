package dlp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestContextWords(t *testing.T) {
	t.Parallel()
	det := Detector{
		Name: "order-like", Type: "NINE", Digits: 9, Anchored: true, Pattern: `\b[0-9]{9}\b`, Confidence: 0.5,
		Context: &Context{Words: []string{"SSN", "social security"}, Raise: 0.4, Negative: []string{"order"}, Lower: 0.3},
	}
	s, err := NewScanner([]Detector{det})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		conf float64 // 0: not found
	}{
		{"ssn: 536221234", 0.9},
		{"Social Security 536221234", 0.9},
		{"value 536221234", 0.5},
		{"order 536221234", 0.2},
		{"ORDER no. 536221234 (ssn on file)", 0.9}, // a raising word wins
		{"lessn 536221234", 0.5},                   // not a whole word
		{"reorder 536221234", 0.5},
	} {
		fs := s.Scan([]byte(tc.in))
		switch {
		case tc.conf == 0 && len(fs) > 0:
			t.Errorf("%q: found %v", tc.in, fs)
		case tc.conf > 0 && len(fs) != 1:
			t.Errorf("%q: %d findings, want 1", tc.in, len(fs))
		case tc.conf > 0 && (fs[0].Confidence < tc.conf-1e-9 || fs[0].Confidence > tc.conf+1e-9):
			t.Errorf("%q: confidence %v, want %v", tc.in, fs[0].Confidence, tc.conf)
		}
	}
}

func TestContextRequired(t *testing.T) {
	t.Parallel()
	det := Detector{
		Name: "date", Type: "DATE", Digits: 8, Anchored: true, Pattern: `\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b`, Confidence: 0.6,
		Context: &Context{Words: []string{"born", "date of birth"}, Raise: 0.3, Required: true, Window: 20},
	}
	s, err := NewScanner([]Detector{det})
	if err != nil {
		t.Fatal(err)
	}
	if fs := s.Scan([]byte("deployed 1984-02-29 at noon")); len(fs) != 0 {
		t.Errorf("date without context found: %v", fs)
	}
	if fs := s.Scan([]byte("Date of Birth: 1984-02-29")); len(fs) != 1 {
		t.Errorf("date of birth not found")
	}
	if fs := s.Scan([]byte("born in a small town far away 1984-02-29")); len(fs) != 0 {
		t.Errorf("context word outside the window counted: %v", fs)
	}
}

// TestScanContextCancelled checks a cancelled scan returns an error and no
// findings, so callers withhold the text.
func TestScanContextCancelled(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	in := []byte(strings.Repeat("user jane.doe@acme-corp.io paid\n", 1<<15))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fs, err := s.ScanContext(ctx, in)
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("cancelled scan: %d findings, err %v", len(fs), err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := s.ScanContext(ctx, in); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timed-out scan: err %v", err)
	}
	if fs, err := s.ScanContext(context.Background(), in); err != nil || len(fs) != 1<<15 {
		t.Fatalf("scan: %d findings, err %v", len(fs), err)
	}
}

// TestScanContextPanic checks a detector that panics fails the scan.
func TestScanContextPanic(t *testing.T) {
	t.Parallel()
	s, err := NewScanner([]Detector{{Name: "boom", Type: "X", Keywords: []string{"boom"}, Pattern: `boom`,
		Validate: func(_, _ []byte) (float64, bool) { panic("validator bug") }}})
	if err != nil {
		t.Fatal(err)
	}
	if fs, err := s.ScanContext(context.Background(), []byte("a boom here")); err == nil || fs != nil {
		t.Fatalf("panicking detector: %v, err %v", fs, err)
	}
}
