package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/note"

	"github.com/countersign/countersign"
)

// Entry is one verified leaf: its index, exact bytes and event.
type Entry struct {
	Index uint64
	Leaf  []byte
	Event countersign.Event
}

// SplitReceipts splits a request receipt, the concatenation of one tlog-proof
// per event, into its proofs. Each proof runs from its header line through
// the proof hashes, an empty line, the checkpoint's text, an empty line and
// the signature lines ("— ...").
func SplitReceipts(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if !bytes.HasPrefix(b, []byte(ProofHeader+"\n")) {
			return nil, fmt.Errorf("split receipts: receipt %d does not start with %q", len(out)+1, ProofHeader)
		}
		// The proof part and the note text each end with an empty line.
		end := 0
		for range 2 {
			i := bytes.Index(b[end:], []byte("\n\n"))
			if i < 0 {
				return nil, fmt.Errorf("split receipts: receipt %d is truncated", len(out)+1)
			}
			end += i + 2
		}
		for bytes.HasPrefix(b[end:], []byte("— ")) {
			i := bytes.IndexByte(b[end:], '\n')
			if i < 0 {
				return nil, fmt.Errorf("split receipts: receipt %d has an unterminated signature line", len(out)+1)
			}
			end += i + 1
		}
		out = append(out, b[:end])
		b = b[end:]
	}
	if len(out) == 0 {
		return nil, errors.New("split receipts: empty receipt")
	}
	return out, nil
}

// VerifyRequestReceipt verifies a request receipt for request id against
// verifier: every proof verifies (VerifyReceipt, leaves from extra) under one
// checkpoint; every leaf belongs to id; indexes strictly increase; the first
// leaf is action.submitted and its digest is that of its action; and every
// grant.issued and action.executed names that digest. It returns the
// checkpoint and the entries in index order.
func VerifyRequestReceipt(receipt []byte, id string, verifier note.Verifier) (Checkpoint, []Entry, error) {
	parts, err := SplitReceipts(receipt)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	var first Checkpoint
	var entries []Entry
	var digest string
	for i, part := range parts {
		c, err := VerifyReceipt(part, nil, verifier)
		if err != nil {
			return Checkpoint{}, nil, fmt.Errorf("receipt %d: %w", i+1, err)
		}
		if i == 0 {
			first = c
		} else if c.Size != first.Size || !bytes.Equal(c.Root, first.Root) {
			return Checkpoint{}, nil, fmt.Errorf("receipt %d: checkpoint differs from the first receipt's", i+1)
		}
		p, _ := ParseProof(part) // parsed once already by VerifyReceipt
		index, e, _ := ParseLeaf(p.Extra)
		if e.ActionID != id {
			return Checkpoint{}, nil, fmt.Errorf("receipt %d: event %d belongs to %q, not %q", i+1, index, e.ActionID, id)
		}
		if i > 0 && index <= entries[i-1].Index {
			return Checkpoint{}, nil, fmt.Errorf("receipt %d: index %d does not follow %d", i+1, index, entries[i-1].Index)
		}
		switch {
		case i == 0:
			if e.Type != countersign.EventSubmitted {
				return Checkpoint{}, nil, fmt.Errorf("receipt 1: first event is %s, want %s", e.Type, countersign.EventSubmitted)
			}
			if digest, err = SubmittedDigest(e.Data); err != nil {
				return Checkpoint{}, nil, fmt.Errorf("receipt 1: %w", err)
			}
		case e.Type == countersign.EventGrantIssued || e.Type == countersign.EventExecuted:
			var d struct{ Digest string }
			if err := json.Unmarshal(e.Data, &d); err != nil || d.Digest != digest {
				return Checkpoint{}, nil, fmt.Errorf("receipt %d: %s names digest %q, the action's is %q", i+1, e.Type, d.Digest, digest)
			}
		}
		entries = append(entries, Entry{Index: index, Leaf: p.Extra, Event: e})
	}
	return first, entries, nil
}

// SubmittedDigest checks the data of an action.submitted event: its digest
// must be "sha256:" and the hex SHA-256 of the canonical JSON of its action
// less id and idempotency_key. It returns the digest.
func SubmittedDigest(data json.RawMessage) (string, error) {
	var d struct {
		Action json.RawMessage `json:"action"`
		Digest string          `json:"digest"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return "", fmt.Errorf("submitted action: %w", err)
	}
	var action map[string]json.RawMessage
	if err := json.Unmarshal(d.Action, &action); err != nil || action == nil {
		return "", errors.New("submitted action: action is not a JSON object")
	}
	delete(action, "id")
	delete(action, "idempotency_key")
	raw, err := json.Marshal(action)
	if err != nil {
		return "", fmt.Errorf("submitted action: %w", err)
	}
	canon, err := jcs.Transform(raw)
	if err != nil {
		return "", fmt.Errorf("submitted action: canonicalize: %w", err)
	}
	sum := sha256.Sum256(canon)
	if want := "sha256:" + hex.EncodeToString(sum[:]); d.Digest != want {
		return "", fmt.Errorf("submitted action: digest %q is not the action's digest %q", d.Digest, want)
	}
	return d.Digest, nil
}
