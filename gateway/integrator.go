package gateway

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/ledger"
)

// integratePage bounds how many events one integration step takes.
const integratePage = 100

// Integrator turns the event log into the evidence tree
// (docs/evidence-format.md): it gives events, in commit order, contiguous
// leaf indexes, stores the node hashes, and signs a checkpoint of each new
// size. Replicas sharing a store may each run one; the store lets one of
// them extend the tree from a given size, so checkpoints never fork.
type Integrator struct {
	store    countersign.Store
	signer   note.Signer
	verifier note.Verifier
	log      *slog.Logger

	mu  sync.Mutex
	app *ledger.Appender // the tree as last integrated; nil: load from the store

	size     atomic.Uint64 // the tree's size after the last pass
	errors   atomic.Uint64 // passes that failed
	lastGood atomic.Int64  // unix nanoseconds of the last pass that succeeded
}

// Stats reports the tree's size, how many passes failed, and when the last
// one succeeded (zero before any): for metrics and alarms, since a log that
// stops growing means actions without evidence.
func (in *Integrator) Stats() (size, failures uint64, lastGood time.Time) {
	var t time.Time
	if n := in.lastGood.Load(); n != 0 {
		t = time.Unix(0, n)
	}
	return in.size.Load(), in.errors.Load(), t
}

// NewIntegrator returns an integrator that signs checkpoints with signer,
// whose name is the log's origin; verifier is the signer's public half,
// with which it checks the stored tree before extending it.
func NewIntegrator(store countersign.Store, signer note.Signer, verifier note.Verifier, log *slog.Logger) *Integrator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Integrator{store: store, signer: signer, verifier: verifier, log: log}
}

// load rebuilds the tree's edge from the store after checking the stored
// tree against the newest checkpoint, which must be signed with this
// integrator's own key: it never extends a tree it did not sign (a log
// rolled back, forked or re-keyed behind its back).
func (in *Integrator) load(ctx context.Context, head countersign.LedgerHead) error {
	if head.Checkpoint == nil {
		if head.Size > 0 {
			return fmt.Errorf("the log has %d leaves and no checkpoint; refusing to extend it", head.Size)
		}
		app, err := ledger.NewAppender(0, nil)
		in.app = app
		return err
	}
	cp, err := ledger.Open(head.Checkpoint, in.verifier)
	if err != nil {
		return fmt.Errorf("the newest checkpoint does not open with this server's evidence key (%v); refusing to extend the log", err)
	}
	if cp.Size != head.CheckpointSize || cp.Size > head.Size {
		return fmt.Errorf("the newest checkpoint is for %d leaves but the log has %d; refusing to extend it", cp.Size, head.Size)
	}
	root, err := ledger.Root(ctx, NodeStore(in.store), cp.Size)
	if err != nil {
		return err
	}
	if !bytes.Equal(root, cp.Root) {
		return fmt.Errorf("the stored tree of %d leaves does not match its signed checkpoint; refusing to extend it", cp.Size)
	}
	app, err := ledger.LoadAppender(ctx, NodeStore(in.store), head.Size)
	if err != nil {
		return err
	}
	if head.Size > cp.Size {
		proof, err := ledger.ConsistencyProof(ctx, NodeStore(in.store), cp.Size, head.Size)
		if err != nil {
			return err
		}
		if err := ledger.VerifyConsistency(cp.Size, head.Size, proof, cp.Root, app.Root()); err != nil {
			return fmt.Errorf("the stored tree is not consistent with its signed checkpoint: %w", err)
		}
	}
	in.app = app
	return nil
}

// nodeStore reads tree nodes from a countersign.Store for the ledger package.
type nodeStore struct{ s countersign.Store }

func (n nodeStore) Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	out := make([]countersign.LedgerNodeID, len(ids))
	for i, id := range ids {
		out[i] = countersign.LedgerNodeID{Level: id.Level, Index: id.Index}
	}
	return n.s.LedgerNodes(ctx, out)
}

// NodeStore returns the store's tree nodes as a ledger.NodeStore, for proofs.
func NodeStore(s countersign.Store) ledger.NodeStore { return nodeStore{s} }

// Integrate adds every event not yet in the tree and signs a checkpoint of
// the new size. It returns the tree's size. A concurrent integrator that got
// there first is not an error: the next call starts from its tree.
func (in *Integrator) Integrate(ctx context.Context) (uint64, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	head, err := in.store.LedgerHead(ctx)
	if err != nil {
		return 0, fmt.Errorf("integrate: %w", err)
	}
	if head.Size == 0 && head.Checkpoint == nil {
		// The empty tree's checkpoint comes first, so that a bundle can
		// start at the log's beginning (checkpoints/first of size 0).
		empty, err := ledger.Sign(in.signer, ledger.Checkpoint{Origin: in.signer.Name(), Size: 0, Root: ledger.EmptyRoot()})
		if err != nil {
			return 0, fmt.Errorf("integrate: sign checkpoint: %w", err)
		}
		if err := in.store.AppendLedger(ctx, countersign.AppendLedgerParams{From: 0, Checkpoint: empty}); err != nil &&
			countersign.ErrorCode(err) != countersign.EConflict {
			return 0, fmt.Errorf("integrate: %w", err)
		}
		if head, err = in.store.LedgerHead(ctx); err != nil {
			return 0, fmt.Errorf("integrate: %w", err)
		}
	}
	for {
		if in.app == nil || in.app.Size() != head.Size {
			in.app = nil
			if err := in.load(ctx, head); err != nil {
				return head.Size, fmt.Errorf("integrate: %w", err)
			}
		}
		events, err := in.store.Events(ctx, head.LastSeq, integratePage)
		if err != nil {
			return head.Size, fmt.Errorf("integrate: %w", err)
		}
		if len(events) == 0 && head.Checkpoint != nil && head.CheckpointSize == head.Size {
			return head.Size, nil
		}
		p := countersign.AppendLedgerParams{From: head.Size}
		for i, e := range events {
			idx := head.Size + uint64(i)
			leaf, err := ledger.Leaf(idx, e)
			if err != nil {
				in.app = nil
				return head.Size, fmt.Errorf("integrate event %d: %w", e.Seq, err)
			}
			h := ledger.LeafHash(leaf)
			p.Leaves = append(p.Leaves, countersign.LedgerLeaf{Index: idx, Seq: e.Seq, Hash: h})
			err = in.app.Append(h, func(id compact.NodeID, hash []byte) {
				p.Nodes = append(p.Nodes, countersign.LedgerNode{ID: countersign.LedgerNodeID{Level: id.Level, Index: id.Index}, Hash: hash})
			})
			if err != nil {
				in.app = nil
				return head.Size, fmt.Errorf("integrate event %d: %w", e.Seq, err)
			}
		}
		// Pages are small so that no write holds the store long; only the
		// last page of a pass signs a checkpoint, so there are at most a
		// couple a second however fast events arrive.
		last := len(events) < integratePage
		if last {
			p.Checkpoint, err = ledger.Sign(in.signer, ledger.Checkpoint{Origin: in.signer.Name(), Size: in.app.Size(), Root: in.app.Root()})
			if err != nil {
				in.app = nil
				return head.Size, fmt.Errorf("integrate: sign checkpoint: %w", err)
			}
		}
		if err := in.store.AppendLedger(ctx, p); err != nil {
			in.app = nil // ahead of the store now; reload next time
			if countersign.ErrorCode(err) == countersign.EConflict {
				return head.Size, nil // another replica integrated first
			}
			return head.Size, fmt.Errorf("integrate: %w", err)
		}
		head.Size = in.app.Size()
		if p.Checkpoint != nil {
			head.Checkpoint, head.CheckpointSize = p.Checkpoint, head.Size
		}
		if len(events) > 0 {
			head.LastSeq = events[len(events)-1].Seq
		}
		if last {
			return head.Size, nil
		}
	}
}

// Run integrates every interval until ctx ends, so that checkpoints stay
// within one interval of the log.
func (in *Integrator) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		size, err := in.Integrate(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			in.errors.Add(1)
			in.log.Error("integrate evidence", "err", err)
		case err == nil:
			in.size.Store(size)
			in.lastGood.Store(time.Now().UnixNano())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
