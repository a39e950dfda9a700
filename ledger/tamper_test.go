package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func treeOf(t *testing.T, leaves [][]byte) *MemoryTree {
	t.Helper()
	tree := NewMemoryTree()
	for _, l := range leaves {
		if err := tree.Append(LeafHash(l)); err != nil {
			t.Fatal(err)
		}
	}
	return tree
}

// TestTamperLeaves: an edited, deleted, reordered or inserted leaf changes the
// root, and the original inclusion proofs no longer verify against it.
func TestTamperLeaves(t *testing.T) {
	t.Parallel()
	leaves, tree := vectorLeaves(t)
	root := tree.Root()
	edit := func(l []byte) []byte {
		return bytes.Replace(l, []byte("dana@example.com"), []byte("dave@example.com"), 1)
	}
	tests := []struct {
		name   string
		mutate func([][]byte) [][]byte
	}{
		{"edited", func(ls [][]byte) [][]byte { ls[3] = edit(ls[3]); return ls }},
		{"deleted", func(ls [][]byte) [][]byte { return slices.Delete(ls, 4, 5) }},
		{"reordered", func(ls [][]byte) [][]byte { ls[4], ls[5] = ls[5], ls[4]; return ls }},
		{"inserted", func(ls [][]byte) [][]byte { return slices.Insert(ls, 2, ls[2]) }},
		{"appended", func(ls [][]byte) [][]byte { return append(ls, ls[6]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bad := tt.mutate(slices.Clone(leaves))
			got := treeOf(t, bad)
			if bytes.Equal(got.Root(), root) {
				t.Fatalf("root unchanged after %s leaf", tt.name)
			}
			failed := false
			for i := range min(len(bad), len(leaves)) {
				p, err := InclusionProof(context.Background(), got, uint64(i), got.Size())
				if err != nil {
					t.Fatal(err)
				}
				if VerifyInclusion(uint64(i), uint64(len(leaves)), LeafHash(bad[i]), p, root) != nil {
					failed = true
				}
			}
			if !failed {
				t.Errorf("every tampered leaf still proves inclusion under the signed root")
			}
		})
	}
	// The leaf itself can only be edited into a non-canonical form or a
	// different event: both are refused or change its hash.
	if _, _, err := ParseLeaf(bytes.Replace(leaves[3], []byte(`{"at"`), []byte(`{ "at"`), 1)); err == nil {
		t.Error("ParseLeaf accepted a leaf with extra whitespace")
	}
}

// TestCheckpointKeys: a checkpoint signed by another key, or edited after
// signing, is refused.
func TestCheckpointKeys(t *testing.T) {
	t.Parallel()
	signer, verifier, _, _ := testKeys(t)
	seed := sha256.Sum256([]byte("another key"))
	oskey, ovkey, err := GenerateKey(bytes.NewReader(seed[:]), vectorOrigin)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := note.NewSigner(oskey)
	otherV, _ := note.NewVerifier(ovkey)
	c := Checkpoint{Origin: vectorOrigin, Size: 7, Root: bytes.Repeat([]byte{7}, 32)}
	good, err := Sign(signer, c)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := Sign(other, c)
	if err != nil {
		t.Fatal(err)
	}
	_, elsewhereV, _, _ := keysNamed(t, "countersign.test/elsewhere")
	tests := []struct {
		name   string
		signed []byte
		v      note.Verifier
		ok     bool
	}{
		{"good", good, verifier, true},
		{"other key, same name", forged, verifier, false},
		{"checked with the other key", good, otherV, false},
		{"key of another origin", good, elsewhereV, false},
		{"edited size", bytes.Replace(good, []byte("\n7\n"), []byte("\n8\n"), 1), verifier, false},
		{"signature stripped", good[:bytes.Index(good, []byte("\n\n"))+2], verifier, false},
	}
	for _, tt := range tests {
		got, err := Open(tt.signed, tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("%s: got err %v, want ok=%v", tt.name, err, tt.ok)
		}
		if tt.ok && (got.Size != c.Size || !bytes.Equal(got.Root, c.Root) || got.Origin != c.Origin) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, c)
		}
	}
	if _, err := Sign(signer, Checkpoint{Origin: "countersign.test/other", Size: 1, Root: c.Root}); err == nil {
		t.Error("Sign signed a checkpoint for an origin other than its key's name")
	}
}

func keysNamed(t *testing.T, origin string) (note.Signer, note.Verifier, string, string) {
	t.Helper()
	seed := sha256.Sum256([]byte(origin))
	skey, vkey, err := GenerateKey(bytes.NewReader(seed[:]), origin)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v, skey, vkey
}

// TestFork: two logs sharing a prefix then diverging cannot prove one
// checkpoint consistent with the other, whichever log makes the proof; and a
// log rolled back and regrown differently fails the same way.
func TestFork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var a, b [][]byte
	for i := range 12 {
		a = append(a, fmt.Appendf(nil, "leaf %d", i))
		if i < 5 {
			b = append(b, a[i])
		} else {
			b = append(b, fmt.Appendf(nil, "forked leaf %d", i))
		}
	}
	ta, tb := treeOf(t, a), treeOf(t, b)
	for _, sizes := range [][2]uint64{{7, 12}, {6, 9}, {8, 8}, {5, 12}} {
		old, nw := sizes[0], sizes[1]
		ra, _ := Root(ctx, ta, old)
		rb, _ := Root(ctx, tb, nw)
		for _, tree := range []*MemoryTree{ta, tb} {
			p, err := ConsistencyProof(ctx, tree, old, nw)
			if err != nil {
				t.Fatal(err)
			}
			err = VerifyConsistency(old, nw, p, ra, rb)
			// Only log b's own proof links a shared prefix to its root.
			if ok := old <= 5 && tree == tb; (err == nil) != ok {
				t.Errorf("consistency %d (log a) to %d (log b): got err %v, want ok=%v", old, nw, err, ok)
			}
		}
	}
}

// TestReceiptBinding: a receipt proves only its own leaf and request.
func TestReceiptBinding(t *testing.T) {
	t.Parallel()
	signer, verifier, _, _ := testKeys(t)
	leaves, tree := vectorLeaves(t)
	signed, err := Sign(signer, Checkpoint{Origin: vectorOrigin, Size: tree.Size(), Root: tree.Root()})
	if err != nil {
		t.Fatal(err)
	}
	receipt := requestReceipt(t, tree, leaves, vectorReq, signed)
	parts, err := SplitReceipts(receipt)
	if err != nil || len(parts) != 6 {
		t.Fatalf("split: %d parts, err %v", len(parts), err)
	}
	admin := requestReceipt(t, tree, leaves, "", signed) // the policy.loaded leaf
	swapped, _ := ParseProof(parts[2])
	swapped.Extra = leaves[4] // parts[2] proves leaf 3
	tests := []struct {
		name    string
		receipt []byte
		id      string
	}{
		{"another request's id", receipt, "req_other"},
		{"an event of another request spliced in", append(slices.Clone(receipt), admin...), vectorReq},
		{"events reordered", slices.Concat(parts[1], parts[0], parts[2]), vectorReq},
		{"leaf swapped for another", slices.Concat(parts[0], parts[1], FormatProof(swapped)), vectorReq},
		{"submitted event missing", slices.Concat(parts[1:]...), vectorReq},
		{"truncated", receipt[:len(receipt)-10], vectorReq},
	}
	for _, tt := range tests {
		if _, _, err := VerifyRequestReceipt(tt.receipt, tt.id, verifier); err == nil {
			t.Errorf("%s: verified", tt.name)
		}
	}
	if _, _, err := VerifyRequestReceipt(receipt, vectorReq, verifier); err != nil {
		t.Errorf("the untouched receipt: %v", err)
	}
	if _, err := VerifyReceipt(parts[0], leaves[0], verifier); err == nil {
		t.Error("VerifyReceipt accepted another leaf than the one it carries")
	}
	p, _ := ParseProof(parts[0])
	p.Extra = nil
	if _, err := VerifyReceipt(FormatProof(p), leaves[2], verifier); err == nil {
		t.Error("VerifyReceipt accepted the receipt of leaf 1 for leaf 2")
	}
	if _, err := VerifyReceipt(FormatProof(p), leaves[1], verifier); err != nil {
		t.Errorf("receipt without extra, leaf given: %v", err)
	}
	// A digest in the submitted event that is not its action's.
	bad := bytes.Replace(leaves[1], []byte(`"digest":"sha256:7`), []byte(`"digest":"sha256:8`), 1)
	if _, err := SubmittedDigest(mustEvent(t, bad).Data); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("SubmittedDigest: got %v, want a digest mismatch", err)
	}
}

// Unverified reads what Open reads, and nothing it cannot parse, but checks
// no signature: a forged note reads the same.
func TestUnverified(t *testing.T) {
	t.Parallel()
	signer, _, _, _ := testKeys(t)
	c := Checkpoint{Origin: vectorOrigin, Size: 9, Root: bytes.Repeat([]byte{9}, 32)}
	signed, err := Sign(signer, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unverified(signed)
	if err != nil || got.Size != 9 || got.Origin != vectorOrigin || !bytes.Equal(got.Root, c.Root) {
		t.Fatalf("Unverified = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "no blank line", "not\na\ncheckpoint\n\n— sig\n"} {
		if _, err := Unverified([]byte(bad)); err == nil {
			t.Errorf("Unverified(%q) = nil error", bad)
		}
	}
}
