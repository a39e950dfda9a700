package ledger

import (
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size of every hash in the log (SHA-256).
const HashSize = 32

var (
	hasher  = rfc6962.DefaultHasher
	factory = &compact.RangeFactory{Hash: hasher.HashChildren}
)

// NodeStore gives the hashes of stored tree nodes. A node is stored once the
// subtree under it is complete (compact.NodeID level 0 are the leaf hashes),
// and never changes after, so a store serves proofs for every size up to the
// one it has integrated.
type NodeStore interface {
	// Nodes returns the hashes of ids, in order. It fails when any is absent.
	Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error)
}

// EmptyRoot is the root hash of the empty tree: SHA-256 of nothing.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// Appender appends leaf hashes to a tree, given its compact range (the hashes
// of the perfect subtrees covering [0, size)), and reports every node that
// becomes complete so that the caller can store it.
type Appender struct {
	r *compact.Range
}

// NewAppender resumes a tree of size leaves from its compact range, the
// hashes of the nodes compact.RangeNodes(0, size) in that order.
func NewAppender(size uint64, rangeHashes [][]byte) (*Appender, error) {
	hashes := make([][]byte, len(rangeHashes))
	copy(hashes, rangeHashes)
	r, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("new appender: %w", err)
	}
	return &Appender{r: r}, nil
}

// LoadAppender resumes a tree of size leaves from the nodes in s.
func LoadAppender(ctx context.Context, s NodeStore, size uint64) (*Appender, error) {
	hashes, err := rangeHashes(ctx, s, size)
	if err != nil {
		return nil, fmt.Errorf("load appender: %w", err)
	}
	return NewAppender(size, hashes)
}

// Append adds one leaf hash and calls visit for each node it completes: the
// leaf itself (level 0), then its newly complete ancestors, lowest first.
func (a *Appender) Append(leafHash []byte, visit func(id compact.NodeID, hash []byte)) error {
	if len(leafHash) != HashSize {
		return fmt.Errorf("append: leaf hash is %d bytes, want %d", len(leafHash), HashSize)
	}
	return a.r.Append(leafHash, visit)
}

// Size returns the number of leaves.
func (a *Appender) Size() uint64 { return a.r.End() }

// Root returns the root hash of the tree.
func (a *Appender) Root() []byte {
	if a.r.End() == 0 {
		return EmptyRoot()
	}
	root, _ := a.r.GetRootHash(nil) // cannot fail: the range begins at 0
	return root
}

// Range returns a copy of the compact range: the hashes of the nodes
// compact.RangeNodes(0, Size()), left to right.
func (a *Appender) Range() [][]byte {
	return append([][]byte(nil), a.r.Hashes()...)
}

func rangeHashes(ctx context.Context, s NodeStore, size uint64) ([][]byte, error) {
	ids := compact.RangeNodes(0, size, nil)
	if len(ids) == 0 {
		return nil, nil
	}
	hashes, err := s.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(ids) {
		return nil, fmt.Errorf("store returned %d hashes for %d nodes", len(hashes), len(ids))
	}
	return hashes, nil
}

// RootFromRange returns the root of a tree of size leaves from its compact
// range (see Appender.Range), refusing a range of the wrong length.
func RootFromRange(size uint64, hashes [][]byte) ([]byte, error) {
	if want := compact.RangeSize(0, size); len(hashes) != want {
		return nil, fmt.Errorf("range of size %d has %d hashes, want %d", size, len(hashes), want)
	}
	a, err := NewAppender(size, hashes)
	if err != nil {
		return nil, err
	}
	return a.Root(), nil
}

// Root returns the root hash of the first size leaves of the tree in s.
func Root(ctx context.Context, s NodeStore, size uint64) ([]byte, error) {
	hashes, err := rangeHashes(ctx, s, size)
	if err != nil {
		return nil, fmt.Errorf("root at %d: %w", size, err)
	}
	return RootFromRange(size, hashes)
}

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in the
// tree of the first size leaves in s.
func InclusionProof(ctx context.Context, s NodeStore, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return fetch(ctx, s, nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof from the tree of
// size oldSize to that of size newSize in s.
func ConsistencyProof(ctx context.Context, s NodeStore, oldSize, newSize uint64) ([][]byte, error) {
	nodes, err := proof.Consistency(oldSize, newSize)
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return fetch(ctx, s, nodes)
}

func fetch(ctx context.Context, s NodeStore, nodes proof.Nodes) ([][]byte, error) {
	if len(nodes.IDs) == 0 {
		return [][]byte{}, nil
	}
	hashes, err := s.Nodes(ctx, nodes.IDs)
	if err != nil {
		return nil, fmt.Errorf("read proof nodes: %w", err)
	}
	out, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("rehash proof: %w", err)
	}
	return out, nil
}

// VerifyInclusion checks that leafHash is the leaf at index in the tree of
// size leaves whose root is root.
func VerifyInclusion(index, size uint64, leafHash []byte, hashes [][]byte, root []byte) error {
	if err := proof.VerifyInclusion(hasher, index, size, leafHash, hashes, root); err != nil {
		return fmt.Errorf("verify inclusion of leaf %d in tree of size %d: %w", index, size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size newSize with root newRoot
// extends the tree of size oldSize with root oldRoot.
func VerifyConsistency(oldSize, newSize uint64, hashes [][]byte, oldRoot, newRoot []byte) error {
	if err := proof.VerifyConsistency(hasher, oldSize, newSize, hashes, oldRoot, newRoot); err != nil {
		return fmt.Errorf("verify consistency from size %d to %d: %w", oldSize, newSize, err)
	}
	return nil
}
