package ledger

import (
	"context"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
)

// MemoryTree is a tree held in memory, for tests, benchmarks and verifying a
// bundle: each level's node hashes are kept back to back. It is safe for
// concurrent use.
type MemoryTree struct {
	mu     sync.RWMutex
	levels [][]byte
	app    *Appender
}

var _ NodeStore = (*MemoryTree)(nil)

// NewMemoryTree returns an empty tree.
func NewMemoryTree() *MemoryTree {
	a, _ := NewAppender(0, nil) // cannot fail for the empty range
	return &MemoryTree{app: a}
}

// Append adds leaf hashes in order.
func (t *MemoryTree) Append(leafHashes ...[]byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range leafHashes {
		var bad error
		err := t.app.Append(h, func(id compact.NodeID, hash []byte) {
			for uint(len(t.levels)) <= id.Level {
				t.levels = append(t.levels, nil)
			}
			l := t.levels[id.Level]
			if uint64(len(l)) != id.Index*HashSize {
				bad = fmt.Errorf("memory tree: node %d/%d out of order", id.Level, id.Index)
				return
			}
			t.levels[id.Level] = append(l, hash...)
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
	}
	return nil
}

// Size returns the number of leaves.
func (t *MemoryTree) Size() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.app.Size()
}

// Root returns the root hash of the whole tree.
func (t *MemoryTree) Root() []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.app.Root()
}

// Nodes returns copies of the hashes of ids; it fails for a node not yet
// complete.
func (t *MemoryTree) Nodes(_ context.Context, ids []compact.NodeID) ([][]byte, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([][]byte, len(ids))
	buf := make([]byte, len(ids)*HashSize)
	for i, id := range ids {
		if id.Level >= uint(len(t.levels)) || id.Index >= uint64(len(t.levels[id.Level]))/HashSize {
			return nil, fmt.Errorf("memory tree: no node %d/%d", id.Level, id.Index)
		}
		o := id.Index * HashSize
		out[i] = buf[i*HashSize : (i+1)*HashSize : (i+1)*HashSize]
		copy(out[i], t.levels[id.Level][o:o+HashSize])
	}
	return out, nil
}
