package dlpcorpus

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/countersign/countersign/dlp"
)

func newScanner(t *testing.T) *dlp.Scanner {
	t.Helper()
	s, err := dlp.NewScanner(dlp.DefaultDetectors())
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	return s
}

func describe(in []byte, fs []dlp.Finding) string {
	var b bytes.Buffer
	for i, f := range fs {
		if i == 5 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(fs)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s (%s) at %d: %q", f.Type, f.Detector, f.Start, in[f.Start:f.End])
	}
	return b.String()
}

func TestMixedDeterministic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 100, 4097, 1 << 20} {
		for _, dense := range []int{0, 2, 20} {
			a, b := Mixed(n, dense), Mixed(n, dense)
			if len(a) != n {
				t.Errorf("Mixed(%d, %d): %d bytes", n, dense, len(a))
			}
			if !bytes.Equal(a, b) {
				t.Errorf("Mixed(%d, %d) differs between calls", n, dense)
			}
		}
	}
}

// TestCleanLinesHaveNoFindings checks each clean template alone and 1 MiB of
// clean text: the "clean" benchmark must measure a scan with zero findings.
func TestCleanLinesHaveNoFindings(t *testing.T) {
	t.Parallel()
	s := newScanner(t)
	for _, line := range clean {
		if fs := s.Scan([]byte(line)); len(fs) != 0 {
			t.Errorf("clean line %q has findings:%s", line, describe([]byte(line), fs))
		}
	}
	in := Mixed(1<<20, 0)
	if fs := s.Scan(in); len(fs) != 0 {
		t.Errorf("Mixed(1 MiB, 0): %d findings, want 0:%s", len(fs), describe(in, fs))
	}
}

// TestHotLinesAreFound checks that every hot template is found with the types
// it was written for, and that dense text holds every type.
func TestHotLinesAreFound(t *testing.T) {
	t.Parallel()
	s := newScanner(t)
	want := [][]dlp.Type{
		{dlp.Email, dlp.PaymentCard},
		{dlp.GitHubToken},
		{dlp.DatabasePassword},
		{dlp.USSSN, dlp.IBAN},
		{dlp.AWSAccessKey},
		{dlp.SlackToken},
		{dlp.StripeKey},
		{dlp.JWT},
		{dlp.PrivateKey},
	}
	if len(want) != len(hot) {
		t.Fatalf("%d hot templates, %d expectations", len(hot), len(want))
	}
	all := map[dlp.Type]bool{}
	for i, line := range hot {
		got := map[dlp.Type]bool{}
		for _, f := range s.Scan([]byte(line)) {
			got[f.Type] = true
		}
		for _, typ := range want[i] {
			if !got[typ] {
				t.Errorf("hot line %q: no %s finding (got %v)", line, typ, got)
			}
			all[typ] = true
		}
	}

	in := Mixed(1<<20, 2)
	fs := s.Scan(in)
	lines := bytes.Count(in, []byte("\n"))
	// Every other generated line is hot; a private key block is several
	// lines, so count against a conservative share of the lines.
	if len(fs) < lines/4 {
		t.Errorf("Mixed(1 MiB, 2): %d findings in %d lines, want at least %d", len(fs), lines, lines/4)
	}
	seen := map[dlp.Type]bool{}
	for _, f := range fs {
		seen[f.Type] = true
	}
	for typ := range all {
		if !seen[typ] {
			t.Errorf("Mixed(1 MiB, 2): no %s finding", typ)
		}
	}
}
