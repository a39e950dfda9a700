package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/countersign/countersign"
)

const bundleOrigin = "countersign.test/bundle"

var (
	policyV1 = "sha256:" + strings.Repeat("1a", 32)
	policyV2 = "sha256:" + strings.Repeat("2b", 32)
)

// bundleKeys returns a TEST-ONLY key pair named bundleOrigin, from seed.
func bundleKeys(t testing.TB, seed string) (note.Signer, note.Verifier, string) {
	t.Helper()
	s := sha256.Sum256([]byte(seed))
	skey, vkey, err := GenerateKey(bytes.NewReader(s[:]), bundleOrigin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, verifier, vkey
}

// requestEvents returns the life of request id, submitted by agent at t0:
// outcome is "allow", "approve" (by two reviewers), "reject" or "deny".
func requestEvents(t testing.TB, id, agent, outcome string, t0 time.Time) []countersign.Event {
	t.Helper()
	a := countersign.Action{Kind: countersign.ActionSQL, Agent: agent, OnBehalfOf: "alice@example.com",
		Environment: "production", Resource: "postgres://orders-db/orders", Summary: "Export last month's orders for " + id,
		Payload: json.RawMessage(`{"sql":"COPY (SELECT id, customer_id, total, created_at FROM orders WHERE created_at >= now() - interval '1 month') TO STDOUT"}`),
		Labels:  map[string]string{"ticket": "OPS-123"}}
	canon, digest, err := a.CanonicalDigest()
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	actor := "agent:" + agent
	ev := func(typ, actor string, d time.Duration, data any) countersign.Event {
		return countersign.NewEvent(typ, id, actor, at(d), data)
	}
	review := func(who, verdict, channel, reason string, d time.Duration) countersign.Event {
		return ev(countersign.EventReviewed, "human:"+who, d, countersign.Review{Reviewer: who, Verdict: countersign.Verdict(verdict), Reason: reason, Channel: channel, At: at(d)})
	}
	effect := map[string]string{"allow": "allow", "approve": "review", "reject": "review", "deny": "deny"}[outcome]
	var reasons []string
	if outcome == "deny" {
		reasons = []string{countersign.ReasonAgentFrozen}
	}
	out := []countersign.Event{
		ev(countersign.EventSubmitted, actor, 0, map[string]any{"action": json.RawMessage(canon), "digest": digest, "agent_owner": "olga@example.com"}),
		ev(countersign.EventDecided, "policy", 0, map[string]any{"effect": effect, "rules": []string{"prod-exports"}, "reasons": reasons, "policy_digest": policyV2}),
	}
	grant := func(by string, d time.Duration) countersign.Event {
		return ev(countersign.EventGrantIssued, by, d, map[string]any{"digest": digest, "expires_at": at(d + 5*time.Minute)})
	}
	executed := []countersign.Event{
		ev(countersign.EventExecuted, actor, 3*time.Minute, map[string]any{"digest": digest}),
		ev(countersign.EventResult, actor, 3*time.Minute+time.Second, map[string]any{"status": "ok", "rows": 1204, "masked": []string{"customer_id"}}),
	}
	switch outcome {
	case "allow":
		out = append(out, grant("policy", 0))
		out = append(out, executed...)
	case "approve":
		out = append(out,
			review("dana@example.com", "approve", "slack", "finance asked, OPS-123", time.Minute),
			review("dave@example.com", "approve", "cli", "", 2*time.Minute),
			ev(countersign.EventApproved, "human:dave@example.com", 2*time.Minute, map[string]any{"approvals": []string{"dana@example.com", "dave@example.com"}}),
			grant("human:dave@example.com", 2*time.Minute))
		out = append(out, executed...)
	case "reject":
		out = append(out,
			review("erin@example.com", "reject", "slack", "too broad: whole table", time.Minute),
			ev(countersign.EventRejected, "human:erin@example.com", time.Minute, map[string]any{"rejections": 1}))
	case "deny":
	default:
		t.Fatalf("unknown outcome %q", outcome)
	}
	return out
}

// bundleEvents is a realistic log: a policy load and two requests before
// the bundle (firstSize events), then a new policy and four requests.
func bundleEvents(t testing.TB) (events []countersign.Event, firstSize int) {
	t.Helper()
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 250_000_000, time.UTC)
	events = append(events, countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", t0, map[string]any{"policy_digest": policyV1, "name": "policy.yaml"}))
	events = append(events, requestEvents(t, "req_00a", "report-bot", "approve", t0.Add(time.Minute))...)
	events = append(events, requestEvents(t, "req_00b", "report-bot", "allow", t0.Add(10*time.Minute))...)
	firstSize = len(events)
	events = append(events, countersign.NewEvent(countersign.EventPolicyLoaded, "", "admin:root", t0.Add(time.Hour), map[string]any{"policy_digest": policyV2, "name": "policy.yaml"}))
	for i, o := range []string{"approve", "reject", "deny", "allow"} {
		events = append(events, requestEvents(t, fmt.Sprintf("req_01%c", 'a'+i), "report-bot", o, t0.Add(time.Hour+time.Duration(i)*10*time.Minute))...)
	}
	events = append(events, countersign.NewEvent(countersign.EventAgentFrozen, "", "admin:root", t0.Add(3*time.Hour), map[string]any{"agent": "report-bot"}))
	return events, firstSize
}

func leavesOf(t testing.TB, events []countersign.Event) [][]byte {
	t.Helper()
	leaves := make([][]byte, len(events))
	for i, e := range events {
		l, err := Leaf(uint64(i), e)
		if err != nil {
			t.Fatal(err)
		}
		leaves[i] = l
	}
	return leaves
}

// fixture is a log and a bundle of its leaves [firstSize, len).
type fixture struct {
	leaves   [][]byte
	tree     *MemoryTree
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	bundle   *Bundle
}

// signAt signs the checkpoint of tree's first size leaves.
func signAt(t testing.TB, tree *MemoryTree, signer note.Signer, size uint64) []byte {
	t.Helper()
	root, err := Root(context.Background(), tree, size)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(signer, Checkpoint{Origin: bundleOrigin, Size: size, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func newFixture(t testing.TB, leaves [][]byte, firstSize uint64) *fixture {
	t.Helper()
	signer, verifier, vkey := bundleKeys(t, "countersign bundle tests: NOT A SECRET")
	tree := NewMemoryTree()
	for _, l := range leaves {
		if err := tree.Append(LeafHash(l)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	last := tree.Size()
	prefix, err := rangeHashes(ctx, tree, firstSize)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := ConsistencyProof(ctx, tree, firstSize, last)
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	until := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	b, err := BuildBundle(bundleOrigin, vkey, &since, &until, leaves[firstSize:], signAt(t, tree, signer, firstSize), signAt(t, tree, signer, last), prefix, cons)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{leaves: leaves, tree: tree, signer: signer, verifier: verifier, vkey: vkey, bundle: b}
}

func realisticFixture(t testing.TB) *fixture {
	t.Helper()
	events, first := bundleEvents(t)
	return newFixture(t, leavesOf(t, events), uint64(first))
}

func TestBuildBundleManifest(t *testing.T) {
	t.Parallel()
	events, first := bundleEvents(t)
	leaves := leavesOf(t, events)
	tests := []struct {
		name      string
		firstSize uint64
		want      Counts
		digests   []string
		requests  int
		earlier   int
	}{
		{"prefix", uint64(first), Counts{Events: len(events) - first, Actions: 4, Approved: 2, Rejected: 1, Denied: 1, Executed: 2}, []string{policyV2}, 4, 0},
		{"whole log", 0, Counts{Events: len(events), Actions: 6, Approved: 4, Rejected: 1, Denied: 1, Executed: 4}, []string{policyV1, policyV2}, 6, 0},
		// Starting inside req_00a: its later events count, but it is not bound.
		{"mid-request", 3, Counts{Events: len(events) - 3, Actions: 5, Approved: 4, Rejected: 1, Denied: 1, Executed: 4}, []string{policyV2}, 5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, leaves, tt.firstSize)
			m := f.bundle.Manifest
			if m.Counts != tt.want {
				t.Errorf("counts = %+v, want %+v", m.Counts, tt.want)
			}
			if !reflect.DeepEqual(m.PolicyDigests, tt.digests) {
				t.Errorf("policy digests = %q, want %q", m.PolicyDigests, tt.digests)
			}
			if m.FirstSize != tt.firstSize || m.LastSize != uint64(len(leaves)) {
				t.Errorf("sizes = %d..%d, want %d..%d", m.FirstSize, m.LastSize, tt.firstSize, len(leaves))
			}
			if got, want := len(f.bundle.Prefix), len(mustRange(t, f.tree, tt.firstSize)); got != want {
				t.Errorf("prefix has %d hashes, want %d", got, want)
			}
			s, err := VerifyBundle(f.bundle, f.verifier)
			if err != nil {
				t.Fatalf("VerifyBundle: %v", err)
			}
			if len(s.Requests) != tt.requests || s.Earlier != tt.earlier {
				t.Errorf("summary has %d requests and %d earlier, want %d and %d", len(s.Requests), s.Earlier, tt.requests, tt.earlier)
			}
			if !bytes.Contains(f.bundle.Controls, []byte(bundleOrigin)) || !bytes.Contains(f.bundle.Controls, []byte("CC6.3")) {
				t.Errorf("CONTROLS.md does not name the origin and the controls:\n%s", f.bundle.Controls)
			}
		})
	}
}

func mustRange(t testing.TB, tree *MemoryTree, size uint64) [][]byte {
	t.Helper()
	h, err := rangeHashes(context.Background(), tree, size)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBundleRoundTrip(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	withAfter := *f.bundle
	ctx := context.Background()
	withAfter.After = signAt(t, f.tree, f.signer, 5)
	p, err := ConsistencyProof(ctx, f.tree, 5, f.tree.Size())
	if err != nil {
		t.Fatal(err)
	}
	withAfter.AfterProof = p
	tests := []struct {
		name string
		path string
		b    *Bundle
	}{
		{"dir", "bundle", f.bundle},
		{"tar.gz", "bundle.tar.gz", f.bundle},
		{"tgz with after", "bundle.tgz", &withAfter},
		{"dir with after", "a/b/bundle", &withAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), tt.path)
			if err := WriteBundle(p, tt.b); err != nil {
				t.Fatal(err)
			}
			got, err := ReadBundle(p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.b) {
				t.Errorf("read back a different bundle:\ngot  %+v\nwant %+v", got.Manifest, tt.b.Manifest)
			}
			s, err := VerifyBundle(got, f.verifier)
			if err != nil {
				t.Fatalf("VerifyBundle: %v", err)
			}
			if (s.AfterSize != nil) != (tt.b.After != nil) {
				t.Errorf("summary after = %v, want it set: %v", s.AfterSize, tt.b.After != nil)
			}
			if err := WriteBundle(p, tt.b); err == nil {
				t.Error("WriteBundle overwrote an existing bundle")
			}
		})
	}
}

func TestSummaryText(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	s, err := VerifyBundle(f.bundle, f.verifier)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"origin     " + bundleOrigin + "\n",
		"totals     21 events, 4 actions: 2 approved, 1 rejected, 1 denied, 2 executed\n",
		"policy     " + policyV2 + "\n",
		`req_01a report-bot sql "Export last month's orders for req_01a": approved by dana@example.com (slack) "finance asked, OPS-123", dave@example.com (cli); executed 2025-06-01T10:03:00Z` + "\n",
		`req_01b report-bot sql "Export last month's orders for req_01b": rejected by erin@example.com (slack) "too broad: whole table"; not executed` + "\n",
		`req_01c report-bot sql "Export last month's orders for req_01c": denied by policy (rules: prod-exports) (agent_frozen); not executed` + "\n",
		`req_01d report-bot sql "Export last month's orders for req_01d": allowed by policy (rules: prod-exports); executed`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q; got:\n%s", want, got)
		}
	}
	if a := s.Requests[0].Approvals; len(a) != 2 || a[0].Reviewer != "dana@example.com" || a[0].Channel != "slack" || a[1].Reviewer != "dave@example.com" {
		t.Errorf("approvals of req_01a = %+v, want dana (slack) then dave", a)
	}
}

func TestSafe(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"dana@example.com", "dana@example.com"},
		{"", `""`},
		{"evil\nreq_x approved", `"evil\nreq_x approved"`},
		{"\x1b[2Jclear", `"\x1b[2Jclear"`},
		{"abc\u202edef", `"abc\u202edef"`},
	}
	for _, tt := range tests {
		if got := safe(tt.in); got != tt.want {
			t.Errorf("safe(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWriteBundleRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteBundle(dir, f.bundle); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("WriteBundle into a non-empty dir: err = %v, want not empty", err)
	}
}
