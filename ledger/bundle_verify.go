package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/sumdb/note"

	"github.com/countersign/countersign"
)

// parsedLeaf is one line of events.jsonl after the parallel pass: the leaf
// parsed, hashed, and the data of the event types the summary reads decoded.
type parsedLeaf struct {
	index   uint64
	ev      countersign.Event
	hash    []byte
	err     error // the leaf breaks §2
	data    leafData
	dataErr error  // data of a known type does not have its documented shape
	digest  string // action.submitted: the checked digest of its action
	action  actionInfo
}

// leafData holds the members of known event types' data that the summary
// and the binding rules read (docs/evidence-format.md §1).
type leafData struct {
	Action       json.RawMessage `json:"action"`
	Digest       string          `json:"digest"`
	AgentOwner   string          `json:"agent_owner"`
	Effect       string          `json:"effect"`
	Rules        []string        `json:"rules"`
	Reasons      []string        `json:"reasons"`
	PolicyDigest string          `json:"policy_digest"`
	Reviewer     string          `json:"reviewer"`
	Verdict      string          `json:"verdict"`
	Reason       string          `json:"reason"`
	Channel      string          `json:"channel"`
	ChannelUser  string          `json:"channel_user"`
	Approvals    []string        `json:"approvals"`
	From         string          `json:"from"`
}

// actionInfo is what the summary shows of a submitted action.
type actionInfo struct {
	Kind        string `json:"kind"`
	Agent       string `json:"agent"`
	OnBehalfOf  string `json:"on_behalf_of"`
	Environment string `json:"environment"`
	Resource    string `json:"resource"`
	Summary     string `json:"summary"`
}

// decodedTypes are the event types whose data the verifier reads; others
// are opaque (§1).
var decodedTypes = map[string]bool{
	countersign.EventSubmitted: true, countersign.EventDecided: true, countersign.EventReviewed: true,
	countersign.EventApproved: true, countersign.EventGrantIssued: true, countersign.EventExecuted: true,
	countersign.EventExpired: true, countersign.EventPolicyLoaded: true,
}

func parseOne(leaf []byte) parsedLeaf {
	var p parsedLeaf
	p.index, p.ev, p.err = ParseLeaf(leaf)
	if p.err != nil {
		return p
	}
	p.hash = LeafHash(leaf)
	if !decodedTypes[p.ev.Type] {
		return p
	}
	if err := json.Unmarshal(p.ev.Data, &p.data); err != nil {
		p.dataErr = fmt.Errorf("%s data: %w", p.ev.Type, err)
		return p
	}
	if p.ev.Type == countersign.EventSubmitted {
		if p.digest, p.dataErr = canonicalSubmittedDigest(p.ev.Data, p.data); p.dataErr != nil {
			return p
		}
		if err := json.Unmarshal(p.data.Action, &p.action); err != nil {
			p.dataErr = fmt.Errorf("submitted action: %w", err)
		}
	}
	return p
}

// canonicalSubmittedDigest is SubmittedDigest for the data of a leaf that
// ParseLeaf accepted: such a leaf is its own RFC 8785 form, and so is every
// object within it, so when the action has no id or idempotency_key member
// its digest is that of its bytes as they stand. Otherwise it falls back to
// SubmittedDigest.
func canonicalSubmittedDigest(data json.RawMessage, d leafData) (string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(d.Action, &members); err != nil || members == nil {
		return SubmittedDigest(data)
	}
	if _, ok := members["id"]; ok {
		return SubmittedDigest(data)
	}
	if _, ok := members["idempotency_key"]; ok {
		return SubmittedDigest(data)
	}
	sum := sha256.Sum256(d.Action)
	if want := "sha256:" + hex.EncodeToString(sum[:]); d.Digest != want {
		return "", fmt.Errorf("submitted action: digest %q is not the action's digest %q", d.Digest, want)
	}
	return d.Digest, nil
}

// parseLeaves parses leaves on every CPU; the result is in leaf order.
func parseLeaves(leaves [][]byte) []parsedLeaf {
	out := make([]parsedLeaf, len(leaves))
	const batch = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.NumCPU(), (len(leaves)+batch-1)/batch)
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(batch)) - batch
				if start >= len(leaves) {
					return
				}
				for i := start; i < min(start+batch, len(leaves)); i++ {
					out[i] = parseOne(leaves[i])
				}
			}
		})
	}
	wg.Wait()
	return out
}

// VerifyBundle checks b with verifier, trusting nothing else, in the order
// of docs/evidence-format.md §5: the manifest names the key; both
// checkpoints open with it at the manifest's sizes; the prefix folds to the
// first root; every event is a leaf with the next index and together they
// extend the prefix to the last root; the consistency proofs hold (and that
// from After, when present); the manifest's counts and policy digests are
// those of the events, and every request obeys the binding rules. It stops at
// the first failure with an error naming the file (and line) at fault, and
// otherwise returns a summary of the events.
func VerifyBundle(b *Bundle, verifier note.Verifier) (*Summary, error) {
	m := b.Manifest
	// 1. The manifest.
	if m.Format != BundleFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", pathManifest, m.Format, BundleFormat)
	}
	mv, err := note.NewVerifier(m.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("%s: verifier_key: %w", pathManifest, err)
	}
	if mv.Name() != verifier.Name() || mv.KeyHash() != verifier.KeyHash() {
		return nil, fmt.Errorf("%s: verifier_key %s is not the verify key (%s+%08x)", pathManifest, m.VerifierKey, verifier.Name(), verifier.KeyHash())
	}
	if m.Origin != verifier.Name() {
		return nil, fmt.Errorf("%s: origin %q is not the verify key's name %q", pathManifest, m.Origin, verifier.Name())
	}
	// 2. The checkpoints.
	first, err := openAt(pathFirst, b.First, verifier, m.FirstSize)
	if err != nil {
		return nil, err
	}
	last, err := openAt(pathLast, b.Last, verifier, m.LastSize)
	if err != nil {
		return nil, err
	}
	if _, err := note.Open(b.Last, note.VerifierList(mv)); err != nil {
		return nil, fmt.Errorf("%s: verifier_key does not verify %s: %w", pathManifest, pathLast, err)
	}
	if first.Size > last.Size {
		return nil, fmt.Errorf("%s: first_size %d is greater than last_size %d", pathManifest, first.Size, last.Size)
	}
	// 3. The prefix.
	app, err := prefixAppender(b.Prefix, first)
	if err != nil {
		return nil, err
	}
	// 4. The events.
	parsed := parseLeaves(b.Leaves)
	for i, p := range parsed {
		want := first.Size + uint64(i)
		switch {
		case p.err != nil:
			return nil, fmt.Errorf("%s:%d: %w", pathEvents, i+1, p.err)
		case p.index != want:
			return nil, fmt.Errorf("%s:%d: leaf index %d, want %d", pathEvents, i+1, p.index, want)
		case want >= last.Size:
			return nil, fmt.Errorf("%s:%d: leaf index %d is beyond %s's size %d", pathEvents, i+1, p.index, pathLast, last.Size)
		}
		if err := app.Append(p.hash, nil); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", pathEvents, i+1, err)
		}
	}
	if got, want := uint64(len(parsed)), last.Size-first.Size; got != want {
		return nil, fmt.Errorf("%s: %d events, want %d (last_size - first_size): events are missing at the end", pathEvents, got, want)
	}
	if got := app.Root(); !bytes.Equal(got, last.Root) {
		return nil, fmt.Errorf("%s: the events do not give %s's root: an event was edited, deleted, inserted or reordered (root %s, want %s)",
			pathEvents, pathLast, b64.EncodeToString(got), b64.EncodeToString(last.Root))
	}
	// 5. Consistency proofs.
	if err := VerifyConsistency(first.Size, last.Size, b.Consistency, first.Root, last.Root); err != nil {
		return nil, fmt.Errorf("%s: %w", pathConsistency, err)
	}
	var after *Checkpoint
	switch {
	case b.After != nil && b.AfterProof != nil:
		c, err := Open(b.After, verifier)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pathAfter, err)
		}
		if c.Size > last.Size {
			return nil, fmt.Errorf("%s: size %d is beyond %s's size %d: the log was rolled back", pathAfter, c.Size, pathLast, last.Size)
		}
		if err := VerifyConsistency(c.Size, last.Size, b.AfterProof, c.Root, last.Root); err != nil {
			return nil, fmt.Errorf("%s: %s is not consistent with %s, the log was forked or rolled back: %w", pathAfterProof, pathAfter, pathLast, err)
		}
		after = &c
	case b.After != nil || b.AfterProof != nil:
		return nil, errNoAfterProof
	}
	// 6. Counts, policy digests and binding rules.
	t := tallyLeaves(parsed)
	if t.err != nil {
		return nil, t.err
	}
	if t.counts != m.Counts {
		return nil, fmt.Errorf("%s: counts %+v, the events give %+v", pathManifest, m.Counts, t.counts)
	}
	if !slices.Equal(t.digests, m.PolicyDigests) {
		return nil, fmt.Errorf("%s: policy_digests %q, the events give %q", pathManifest, m.PolicyDigests, t.digests)
	}
	s := t.summary
	s.Origin, s.FirstSize, s.LastSize, s.Since, s.Until = m.Origin, first.Size, last.Size, m.Since, m.Until
	if after != nil {
		s.AfterSize = &after.Size
	}
	return s, nil
}

// openAt opens a signed checkpoint and checks its size.
func openAt(name string, signed []byte, verifier note.Verifier, size uint64) (Checkpoint, error) {
	c, err := Open(signed, verifier)
	if err != nil {
		return c, fmt.Errorf("%s: %w", name, err)
	}
	if c.Size != size {
		return c, fmt.Errorf("%s: size %d, the manifest says %d", name, c.Size, size)
	}
	return c, nil
}

// prefixAppender checks that the prefix range folds to the first root and
// returns an appender resumed from it.
func prefixAppender(prefix [][]byte, first Checkpoint) (*Appender, error) {
	root, err := RootFromRange(first.Size, prefix)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pathPrefix, err)
	}
	if !bytes.Equal(root, first.Root) {
		return nil, fmt.Errorf("%s: the hashes fold to root %s, %s has %s", pathPrefix, b64.EncodeToString(root), pathFirst, b64.EncodeToString(first.Root))
	}
	return NewAppender(first.Size, prefix)
}
