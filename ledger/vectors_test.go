package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/countersign/countersign"
)

var update = flag.Bool("update", false, "rewrite testdata/ledger from the generator")

const (
	vectorDir    = "../testdata/ledger"
	vectorOrigin = "countersign.test/vectors"
	vectorReq    = "req_vector1"
)

// testKeys returns the TEST-ONLY key pair of the vectors: derived from a
// fixed seed, so anyone can regenerate it, so it must never sign real evidence.
func testKeys(t testing.TB) (note.Signer, note.Verifier, string, string) {
	t.Helper()
	seed := sha256.Sum256([]byte("countersign evidence test vectors: NOT A SECRET"))
	skey, vkey, err := GenerateKey(bytes.NewReader(seed[:]), vectorOrigin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v, skey, vkey
}

// vectorEvents is a request's life (allowed after one review) after a policy load.
func vectorEvents(t testing.TB) []countersign.Event {
	t.Helper()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)
	a := countersign.Action{Kind: countersign.ActionSQL, Agent: "report-bot", OnBehalfOf: "alice@example.com",
		Environment: "production", Resource: "postgres://orders-db/orders", Summary: "Export last month's orders <finance>",
		Payload: json.RawMessage(`{"sql":"COPY orders TO STDOUT"}`), Labels: map[string]string{"ticket": "OPS-123"}}
	canon, digest, err := a.CanonicalDigest()
	if err != nil {
		t.Fatal(err)
	}
	pd := "sha256:" + strings.Repeat("ab", 32)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	return []countersign.Event{
		countersign.NewEvent(countersign.EventPolicyLoaded, "", "system", at(-time.Hour), map[string]any{"policy_digest": pd, "name": "policy.yaml"}),
		countersign.NewEvent(countersign.EventSubmitted, vectorReq, "agent:report-bot", at(0), map[string]any{"action": json.RawMessage(canon), "digest": digest, "agent_owner": "olga@example.com"}),
		countersign.NewEvent(countersign.EventDecided, vectorReq, "policy", at(0), map[string]any{"effect": "review", "rules": []string{"prod-exports"}, "reasons": nil, "policy_digest": pd}),
		countersign.NewEvent(countersign.EventReviewed, vectorReq, "human:dana@example.com", at(90*time.Second), countersign.Review{Reviewer: "dana@example.com", Verdict: countersign.VerdictApprove, Reason: "finance asked, OPS-123", Channel: "slack", ChannelUser: "U024BE7LH", At: at(90 * time.Second)}),
		countersign.NewEvent(countersign.EventApproved, vectorReq, "human:dana@example.com", at(90*time.Second), map[string]any{"approvals": []string{"dana@example.com"}}),
		countersign.NewEvent(countersign.EventGrantIssued, vectorReq, "human:dana@example.com", at(90*time.Second), map[string]any{"digest": digest, "expires_at": at(90*time.Second + 5*time.Minute)}),
		countersign.NewEvent(countersign.EventExecuted, vectorReq, "agent:report-bot", at(2*time.Minute), map[string]any{"digest": digest}),
	}
}

// vectorLeaves returns the vectors' leaves and a tree over them.
func vectorLeaves(t testing.TB) ([][]byte, *MemoryTree) {
	t.Helper()
	tree := NewMemoryTree()
	var leaves [][]byte
	for i, e := range vectorEvents(t) {
		l, err := Leaf(uint64(i), e)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, l)
		if err := tree.Append(LeafHash(l)); err != nil {
			t.Fatal(err)
		}
	}
	return leaves, tree
}

func b64Lines(hashes [][]byte) string {
	var b strings.Builder
	for _, h := range hashes {
		b.WriteString(b64.EncodeToString(h) + "\n")
	}
	return b.String()
}

// requestReceipt builds the receipt of every leaf of id under signed.
func requestReceipt(t testing.TB, tree *MemoryTree, leaves [][]byte, id string, signed []byte) []byte {
	t.Helper()
	var out []byte
	for i, l := range leaves {
		_, e, err := ParseLeaf(l)
		if err != nil {
			t.Fatal(err)
		}
		if e.ActionID != id {
			continue
		}
		hashes, err := InclusionProof(context.Background(), tree, uint64(i), tree.Size())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, FormatProof(Proof{Extra: l, Index: uint64(i), Hashes: hashes, Checkpoint: signed})...)
	}
	return out
}

// generateVectors returns every file of testdata/ledger.
func generateVectors(t testing.TB) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	signer, _, skey, vkey := testKeys(t)
	leaves, tree := vectorLeaves(t)
	files := map[string][]byte{}
	files["events.jsonl"] = append(bytes.Join(leaves, []byte("\n")), '\n')
	var hashes, roots strings.Builder
	for i, l := range leaves {
		fmt.Fprintf(&hashes, "%d %x\n", i, LeafHash(l))
	}
	for n := 0; n <= len(leaves); n++ {
		r, err := Root(ctx, tree, uint64(n))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&roots, "%d %x\n", n, r)
	}
	files["leaf-hashes.txt"] = []byte(hashes.String())
	files["roots.txt"] = []byte(roots.String())
	files["test-key.txt"] = []byte("# TEST ONLY. This key is public; it signs the test vectors and nothing else.\n" +
		"signer " + skey + "\nverifier " + vkey + "\n")
	signed, err := Sign(signer, Checkpoint{Origin: vectorOrigin, Size: tree.Size(), Root: tree.Root()})
	if err != nil {
		t.Fatal(err)
	}
	files["checkpoint"] = signed
	var incl []string
	for _, p := range [][2]uint64{{0, 1}, {0, 7}, {3, 7}, {6, 7}, {4, 5}, {2, 6}} {
		h, err := InclusionProof(ctx, tree, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		incl = append(incl, fmt.Sprintf("%d %d\n%s", p[0], p[1], b64Lines(h)))
	}
	files["inclusion.txt"] = []byte(strings.Join(incl, "\n"))
	var cons []string
	for _, p := range [][2]uint64{{1, 7}, {3, 7}, {4, 7}, {6, 7}, {2, 5}} {
		h, err := ConsistencyProof(ctx, tree, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		cons = append(cons, fmt.Sprintf("%d %d\n%s", p[0], p[1], b64Lines(h)))
	}
	files["consistency.txt"] = []byte(strings.Join(cons, "\n"))
	files["receipt.tlog-proof"] = requestReceipt(t, tree, leaves, vectorReq, signed)
	return files
}

// TestVectors regenerates testdata/ledger and compares it byte for byte;
// with -update it rewrites the files instead.
func TestVectors(t *testing.T) {
	files := generateVectors(t)
	for name, want := range files {
		path := filepath.Join(vectorDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./ledger -run TestVectors -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output:\ngot:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// TestVectorsVerify checks the committed files as a second implementation
// would: from the files alone.
func TestVectorsVerify(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(vectorDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, v, _, _ := testKeys(t)
	lines := strings.Split(strings.TrimSuffix(string(read("events.jsonl")), "\n"), "\n")
	hashLines := strings.Split(strings.TrimSpace(string(read("leaf-hashes.txt"))), "\n")
	rootLines := strings.Split(strings.TrimSpace(string(read("roots.txt"))), "\n")
	a, _ := NewAppender(0, nil)
	if got, want := fmt.Sprintf("0 %x", a.Root()), rootLines[0]; got != want {
		t.Errorf("empty root: got %s, want %s", got, want)
	}
	for i, l := range lines {
		idx, e, err := ParseLeaf([]byte(l))
		if err != nil || idx != uint64(i) {
			t.Fatalf("leaf %d: index %d, err %v", i, idx, err)
		}
		again, err := Leaf(idx, e)
		if err != nil || string(again) != l {
			t.Errorf("leaf %d does not round-trip: %s, %v", i, again, err)
		}
		if got, want := fmt.Sprintf("%d %x", i, LeafHash([]byte(l))), hashLines[i]; got != want {
			t.Errorf("leaf hash: got %s, want %s", got, want)
		}
		if err := a.Append(LeafHash([]byte(l)), nil); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%d %x", i+1, a.Root()), rootLines[i+1]; got != want {
			t.Errorf("root: got %s, want %s", got, want)
		}
	}
	c, err := Open(read("checkpoint"), v)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 7 || !bytes.Equal(c.Root, a.Root()) {
		t.Errorf("checkpoint: got size %d root %x, want 7 %x", c.Size, c.Root, a.Root())
	}
	_, entries, err := VerifyRequestReceipt(read("receipt.tlog-proof"), vectorReq, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(entries), 6; got != want {
		t.Errorf("receipt entries: got %d, want %d", got, want)
	}
	for _, block := range strings.Split(string(read("inclusion.txt")), "\n\n") {
		var idx, size uint64
		rest := parseBlock(t, block, &idx, &size)
		root, _ := hex.DecodeString(strings.Fields(rootLines[size])[1])
		if err := VerifyInclusion(idx, size, LeafHash([]byte(lines[idx])), rest, root); err != nil {
			t.Errorf("inclusion %d in %d: %v", idx, size, err)
		}
	}
	for _, block := range strings.Split(string(read("consistency.txt")), "\n\n") {
		var old, size uint64
		rest := parseBlock(t, block, &old, &size)
		r1, _ := hex.DecodeString(strings.Fields(rootLines[old])[1])
		r2, _ := hex.DecodeString(strings.Fields(rootLines[size])[1])
		if err := VerifyConsistency(old, size, rest, r1, r2); err != nil {
			t.Errorf("consistency %d to %d: %v", old, size, err)
		}
	}
}

func parseBlock(t *testing.T, block string, a, b *uint64) [][]byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if _, err := fmt.Sscanf(lines[0], "%d %d", a, b); err != nil {
		t.Fatalf("block header %q: %v", lines[0], err)
	}
	var out [][]byte
	for _, l := range lines[1:] {
		h, err := b64.DecodeString(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}
