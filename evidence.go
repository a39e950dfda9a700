package countersign

import (
	"context"
	"time"
)

// The evidence log's storage. The events are the log's entries; an
// integrator gives each, in commit order, a leaf index, and stores the tree's
// node hashes and a signed checkpoint (docs/evidence-format.md). The ledger
// package computes hashes and proofs; stores only keep them.

// LedgerNodeID names a node of the evidence tree: level 0 holds the leaf
// hashes, and node (l, i) covers leaves [i·2^l, (i+1)·2^l).
type LedgerNodeID struct {
	Level uint
	Index uint64
}

// LedgerNode is a node and its hash.
type LedgerNode struct {
	ID   LedgerNodeID
	Hash []byte
}

// LedgerLeaf says which event holds leaf Index, and the leaf's hash.
type LedgerLeaf struct {
	Index uint64
	Seq   int64
	Hash  []byte
}

// LedgerEntry is an integrated event with its leaf index and hash.
type LedgerEntry struct {
	Index uint64
	Hash  []byte
	Event Event
}

// LedgerHead is where the integrated log ends: Size leaves, the last holding
// the event with seq LastSeq, and the newest signed checkpoint (nil if none),
// which may be for fewer leaves than Size.
type LedgerHead struct {
	Size           uint64
	LastSeq        int64
	Checkpoint     []byte
	CheckpointSize uint64 // the size Checkpoint is for
}

// AppendLedgerParams are the arguments of LedgerStore.AppendLedger.
type AppendLedgerParams struct {
	From       uint64       // the log's size before these leaves
	Leaves     []LedgerLeaf // indexes From, From+1, ...
	Nodes      []LedgerNode // every node the leaves complete
	Checkpoint []byte       // signed, for size From+len(Leaves); nil for none
}

// LedgerStore keeps the evidence tree beside the events, in the same store.
type LedgerStore interface {
	// LedgerHead returns the end of the integrated log.
	LedgerHead(ctx context.Context) (LedgerHead, error)

	// AppendLedger stores leaves, their nodes and a checkpoint in one
	// transaction, only if the log still has p.From leaves: two integrators
	// (replicas) racing, one wins and the other gets EConflict. Errors:
	// EConflict, EInvalid (leaves not numbered from p.From).
	AppendLedger(ctx context.Context, p AppendLedgerParams) error

	// LedgerNodes returns the hashes of the nodes, in order; a level-0 node
	// is its leaf's hash (stores keep it once, with the leaf, and ignore
	// level-0 entries of AppendLedgerParams.Nodes). Errors: ENotFound when
	// one is not stored.
	LedgerNodes(ctx context.Context, ids []LedgerNodeID) ([][]byte, error)

	// LedgerEntries returns the integrated entries with index in [start, end),
	// in index order.
	LedgerEntries(ctx context.Context, start, end uint64) ([]LedgerEntry, error)

	// LedgerEntriesOf returns the integrated entries of one request, in
	// index order.
	LedgerEntriesOf(ctx context.Context, actionID string) ([]LedgerEntry, error)

	// LedgerCheckpoint returns the stored checkpoint nearest to size: the
	// largest at or below it (atOrBelow) or the smallest at or above it, with
	// its size. Errors: ENotFound.
	LedgerCheckpoint(ctx context.Context, size uint64, atOrBelow bool) (uint64, []byte, error)

	// LedgerIndexAt returns the index of the first integrated entry whose
	// event time is at or after t, or the log's size if none is.
	LedgerIndexAt(ctx context.Context, t time.Time) (uint64, error)
}
