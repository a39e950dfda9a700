package gateway

import (
	"context"
	"fmt"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/ledger"
)

// MaxEntries bounds one Entries call.
const MaxEntries = 10000

// canReadEvidence: only admins read the whole log (it holds every key
// creation and freeze); humans and agents get receipts of the requests they
// may see.
func canReadEvidence(by countersign.Principal) error {
	return requireAdmin(by, "read the evidence log; ask for a request's receipt instead")
}

// Checkpoint returns the newest signed checkpoint, or with a size the
// stored checkpoint nearest to it (at or below it when below); anyone
// authenticated may read checkpoints. Errors: ENotFound.
func (s *Service) Checkpoint(ctx context.Context, by countersign.Principal, size *uint64, below bool) ([]byte, error) {
	if size != nil {
		_, note, err := s.store.LedgerCheckpoint(ctx, *size, below)
		return note, err
	}
	head, err := s.store.LedgerHead(ctx)
	if err != nil {
		return nil, err
	}
	if head.Checkpoint == nil {
		return nil, countersign.Errorf(countersign.ENotFound, "no checkpoint yet")
	}
	return head.Checkpoint, nil
}

// Entries returns the leaves with index in [start, end), exact bytes,
// rebuilt from the stored events: an event edited in the store yields a
// leaf that no longer verifies. Errors: EInvalid.
func (s *Service) Entries(ctx context.Context, by countersign.Principal, start, end uint64) ([][]byte, error) {
	if err := canReadEvidence(by); err != nil {
		return nil, err
	}
	if end < start || end-start > MaxEntries {
		return nil, countersign.Errorf(countersign.EInvalid, "entries: want start <= end and at most %d entries", MaxEntries)
	}
	entries, err := s.store.LedgerEntries(ctx, start, end)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(entries))
	for _, e := range entries {
		leaf, err := ledger.Leaf(e.Index, e.Event)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", e.Index, err)
		}
		out = append(out, leaf)
	}
	return out, nil
}

// IndexAt returns the first leaf index of an event at or after the time.
func (s *Service) IndexAt(ctx context.Context, by countersign.Principal, at string) (uint64, error) {
	if err := canReadEvidence(by); err != nil {
		return 0, err
	}
	t, err := parseTime(at)
	if err != nil {
		return 0, err
	}
	return s.store.LedgerIndexAt(ctx, t)
}

// treeSize checks that size is within the integrated log.
func (s *Service) treeSize(ctx context.Context, size uint64) error {
	head, err := s.store.LedgerHead(ctx)
	if err != nil {
		return err
	}
	if size > head.Size {
		return countersign.Errorf(countersign.EInvalid, "size %d is beyond the log's %d leaves", size, head.Size)
	}
	return nil
}

// InclusionProof proves leaf index in the tree of size. Errors: EInvalid.
func (s *Service) InclusionProof(ctx context.Context, by countersign.Principal, index, size uint64) ([][]byte, error) {
	if err := canReadEvidence(by); err != nil {
		return nil, err
	}
	if index >= size {
		return nil, countersign.Errorf(countersign.EInvalid, "index %d is not below size %d", index, size)
	}
	if err := s.treeSize(ctx, size); err != nil {
		return nil, err
	}
	return ledger.InclusionProof(ctx, NodeStore(s.store), index, size)
}

// ConsistencyProof proves the tree of size old a prefix of that of size
// new. Errors: EInvalid.
func (s *Service) ConsistencyProof(ctx context.Context, by countersign.Principal, old, new uint64) ([][]byte, error) {
	if err := canReadEvidence(by); err != nil {
		return nil, err
	}
	if old > new {
		return nil, countersign.Errorf(countersign.EInvalid, "old size %d is above new size %d", old, new)
	}
	if err := s.treeSize(ctx, new); err != nil {
		return nil, err
	}
	return ledger.ConsistencyProof(ctx, NodeStore(s.store), old, new)
}

// Prefix returns the compact range of the tree of size: the hashes of the
// perfect subtrees covering its leaves (a bundle's proofs/prefix).
func (s *Service) Prefix(ctx context.Context, by countersign.Principal, size uint64) ([][]byte, error) {
	if err := canReadEvidence(by); err != nil {
		return nil, err
	}
	if err := s.treeSize(ctx, size); err != nil {
		return nil, err
	}
	a, err := ledger.LoadAppender(ctx, NodeStore(s.store), size)
	if err != nil {
		return nil, err
	}
	return a.Range(), nil
}

// Receipt returns a request's receipt: a C2SP tlog-proof for each of its
// integrated events under the newest checkpoint (docs/evidence-format.md
// §4). Agents get receipts of their own requests only. Errors: ENotFound
// (no such request, or none of its events integrated yet).
func (s *Service) Receipt(ctx context.Context, by countersign.Principal, id string) ([]byte, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, err
	}
	head, err := s.store.LedgerHead(ctx)
	if err != nil {
		return nil, err
	}
	if head.Checkpoint == nil {
		return nil, countersign.Errorf(countersign.ENotFound, "no checkpoint yet")
	}
	size := head.CheckpointSize
	entries, err := s.store.LedgerEntriesOf(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range entries {
		if e.Index >= size {
			break // integrated after the newest checkpoint was stored
		}
		leaf, err := ledger.Leaf(e.Index, e.Event)
		if err != nil {
			return nil, fmt.Errorf("receipt: entry %d: %w", e.Index, err)
		}
		hashes, err := ledger.InclusionProof(ctx, NodeStore(s.store), e.Index, size)
		if err != nil {
			return nil, err
		}
		out = append(out, ledger.FormatProof(ledger.Proof{Extra: leaf, Index: e.Index, Hashes: hashes, Checkpoint: head.Checkpoint})...)
	}
	if len(out) == 0 {
		return nil, countersign.Errorf(countersign.ENotFound, "request %s has no integrated events yet; retry in a second", id)
	}
	return out, nil
}

// parseTime reads an RFC 3339 time. Errors: EInvalid.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, countersign.Errorf(countersign.EInvalid, "time %q is not RFC 3339 (2006-01-02T15:04:05Z)", s)
	}
	return t, nil
}
