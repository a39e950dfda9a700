package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
)

// mth is RFC 6962's Merkle Tree Hash written out from §2.1, independent of
// the merkle package.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return LeafHash(leaves[0])
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		h := sha256.New()
		h.Write([]byte{1})
		h.Write(mth(leaves[:k]))
		h.Write(mth(leaves[k:]))
		return h.Sum(nil)
	}
}

// TestTreeProofs checks roots against RFC 6962 and every inclusion and
// consistency proof of trees up to 33 leaves.
func TestTreeProofs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var leaves [][]byte
	tree := NewMemoryTree()
	for i := range 33 {
		leaves = append(leaves, fmt.Appendf(nil, "leaf %d", i))
		if err := tree.Append(LeafHash(leaves[i])); err != nil {
			t.Fatal(err)
		}
	}
	roots := make([][]byte, len(leaves)+1)
	for n := range roots {
		r, err := Root(ctx, tree, uint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if want := mth(leaves[:n]); !bytes.Equal(r, want) {
			t.Fatalf("root at %d: got %x, want %x", n, r, want)
		}
		roots[n] = r
	}
	for size := uint64(1); size <= 33; size++ {
		for i := range size {
			p, err := InclusionProof(ctx, tree, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(i, size, LeafHash(leaves[i]), p, roots[size]); err != nil {
				t.Errorf("inclusion %d in %d: %v", i, size, err)
			}
		}
		for old := uint64(0); old <= size; old++ {
			p, err := ConsistencyProof(ctx, tree, old, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(old, size, p, roots[old], roots[size]); err != nil {
				t.Errorf("consistency %d to %d: %v", old, size, err)
			}
		}
	}
	if _, err := InclusionProof(ctx, tree, 5, 40); err == nil {
		t.Error("InclusionProof served a size beyond the tree")
	}
	// Resuming from a stored compact range continues the same tree.
	a, err := LoadAppender(ctx, tree, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leaves[20:] {
		if err := a.Append(LeafHash(l), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := a.Root(), roots[33]; !bytes.Equal(got, want) {
		t.Errorf("resumed root: got %x, want %x", got, want)
	}
	if r, err := RootFromRange(31, a.Range()); err == nil { // 31 needs 5 hashes, 33 has 2
		t.Errorf("RootFromRange accepted a range of the wrong size: %x", r)
	}
}

func buildTree(b *testing.B, n int) *MemoryTree {
	b.Helper()
	tree := NewMemoryTree()
	var buf [8]byte
	for i := range n {
		buf[0], buf[1], buf[2], buf[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		if err := tree.Append(LeafHash(buf[:])); err != nil {
			b.Fatal(err)
		}
	}
	return tree
}

// BenchmarkInclusionProof1M: one inclusion proof for a random leaf of a
// 1,000,000-leaf tree (the target: under 1 ms).
func BenchmarkInclusionProof1M(b *testing.B) {
	const n = 1_000_000
	tree := buildTree(b, n) // before b.Loop: not timed
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := InclusionProof(ctx, tree, rng.Uint64N(n), n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend: hashing a leaf and storing the nodes it completes.
func BenchmarkAppend(b *testing.B) {
	leaves, _ := vectorLeaves(b)
	tree := NewMemoryTree()
	i := 0
	for b.Loop() {
		if err := tree.Append(LeafHash(leaves[i%len(leaves)])); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLeaf: canonicalizing an event into its leaf (a submitted action).
func BenchmarkLeaf(b *testing.B) {
	e := vectorEvents(b)[1]
	for b.Loop() {
		if _, err := Leaf(1, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLeaf: what a bundle verifier does per event, before hashing.
func BenchmarkParseLeaf(b *testing.B) {
	leaves, _ := vectorLeaves(b)
	for b.Loop() {
		if _, _, err := ParseLeaf(leaves[1]); err != nil {
			b.Fatal(err)
		}
	}
}
