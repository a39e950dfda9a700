package ledger

import (
	"fmt"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// bigBundle builds a bundle of about n leaves (~300-600 bytes each) after a
// prefix of 1,000: requests of every outcome, in turn.
func bigBundle(b testing.TB, n int) *fixture {
	b.Helper()
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	events := []countersign.Event{countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", t0, map[string]any{"policy_digest": policyV2, "name": "policy.yaml"})}
	outcomes := []string{"approve", "allow", "reject", "deny", "allow", "approve"}
	for i := 0; len(events) < n+1000; i++ {
		events = append(events, requestEvents(b, fmt.Sprintf("req_%08d", i), "report-bot", outcomes[i%len(outcomes)], t0.Add(time.Duration(i)*time.Second))...)
	}
	return newFixture(b, leavesOf(b, events[:n+1000]), 1000)
}

func BenchmarkVerifyBundle100k(b *testing.B) {
	f := bigBundle(b, 100_000)
	size := 0
	for _, l := range f.bundle.Leaves {
		size += len(l)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := VerifyBundle(f.bundle, f.verifier); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/float64(len(f.bundle.Leaves)), "bytes/leaf")
}

// TestVerifyBundleLarge verifies a bundle of many requests, some of which
// begin in the prefix, so that the parallel parse meets batch edges.
func TestVerifyBundleLarge(t *testing.T) {
	t.Parallel()
	n := 20_000
	if testing.Short() {
		n = 3_000
	}
	f := bigBundle(t, n)
	s, err := VerifyBundle(f.bundle, f.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Counts.Events; got != n {
		t.Errorf("events = %d, want %d", got, n)
	}
	for i, p := range parseLeaves(f.bundle.Leaves[:600]) {
		if p.ev.Type != countersign.EventSubmitted {
			continue
		}
		want, err := SubmittedDigest(p.ev.Data)
		if p.digest != want || err != nil || p.dataErr != nil {
			t.Errorf("leaf %d: fast digest %q (%v), SubmittedDigest %q (%v)", i, p.digest, p.dataErr, want, err)
		}
	}
	if s.Earlier != 1 {
		t.Errorf("earlier = %d, want 1 (the request cut by the prefix)", s.Earlier)
	}
}
