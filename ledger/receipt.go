package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ProofHeader is the first line of a C2SP tlog-proof.
const ProofHeader = "c2sp.org/tlog-proof@v1"

// maxProofHashes bounds an inclusion proof: a tree of at most 2^64 leaves.
const maxProofHashes = 64

// Proof is a C2SP tlog-proof: the leaf's index, its inclusion proof and the
// signed checkpoint the proof is for. Countersign puts the leaf itself in
// Extra, so that a receipt is self-contained.
type Proof struct {
	Extra      []byte   // opaque, unauthenticated; nil when absent
	Index      uint64   // the leaf's index
	Hashes     [][]byte // inclusion proof, leaf's sibling first
	Checkpoint []byte   // the signed checkpoint, verbatim
}

// FormatProof writes p in the tlog-proof text format.
func FormatProof(p Proof) []byte {
	var b bytes.Buffer
	b.WriteString(ProofHeader + "\n")
	if len(p.Extra) > 0 {
		b.WriteString("extra " + b64.EncodeToString(p.Extra) + "\n")
	}
	fmt.Fprintf(&b, "index %d\n", p.Index)
	for _, h := range p.Hashes {
		b.WriteString(b64.EncodeToString(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof parses one tlog-proof. The checkpoint is returned verbatim and
// not verified; VerifyReceipt does that.
func ParseProof(b []byte) (Proof, error) {
	var p Proof
	rest, ok := cutLine(&b)
	if !ok || rest != ProofHeader {
		return p, fmt.Errorf("parse proof: first line must be %q", ProofHeader)
	}
	line, ok := cutLine(&b)
	if extra, found := strings.CutPrefix(line, "extra "); ok && found {
		x, err := b64.DecodeString(extra)
		if err != nil || len(x) == 0 {
			return p, errors.New("parse proof: extra is not non-empty base64")
		}
		p.Extra = x
		line, ok = cutLine(&b)
	}
	idx, found := strings.CutPrefix(line, "index ")
	if !ok || !found {
		return p, errors.New("parse proof: missing index line")
	}
	n, err := parseDecimal(idx)
	if err != nil {
		return p, fmt.Errorf("parse proof: index: %w", err)
	}
	p.Index = n
	p.Hashes = [][]byte{}
	for {
		line, ok = cutLine(&b)
		if !ok {
			return p, errors.New("parse proof: missing empty line before the checkpoint")
		}
		if line == "" {
			break
		}
		h, err := b64.DecodeString(line)
		if err != nil || len(h) != HashSize {
			return p, fmt.Errorf("parse proof: %q is not a base64 SHA-256 hash", line)
		}
		if len(p.Hashes) == maxProofHashes {
			return p, errors.New("parse proof: too many proof hashes")
		}
		p.Hashes = append(p.Hashes, h)
	}
	if len(b) == 0 {
		return p, errors.New("parse proof: missing checkpoint")
	}
	p.Checkpoint = append([]byte(nil), b...)
	return p, nil
}

// cutLine removes the first newline-terminated line from *b and returns it
// without its newline; ok is false when *b holds no complete line.
func cutLine(b *[]byte) (string, bool) {
	i := bytes.IndexByte(*b, '\n')
	if i < 0 {
		return "", false
	}
	line := string((*b)[:i])
	*b = (*b)[i+1:]
	return line, true
}

// VerifyReceipt checks a one-event receipt against verifier: the checkpoint
// is signed by that key, the leaf parses (ParseLeaf) with the proof's index,
// and its hash is included at that index under the checkpoint's root. leaf
// may be nil to take the leaf from the receipt's extra; when both are given
// they must be equal. It returns the checkpoint.
func VerifyReceipt(receipt, leaf []byte, verifier note.Verifier) (Checkpoint, error) {
	p, err := ParseProof(receipt)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verify receipt: %w", err)
	}
	c, err := Open(p.Checkpoint, verifier)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verify receipt: %w", err)
	}
	switch {
	case leaf == nil && p.Extra == nil:
		return Checkpoint{}, errors.New("verify receipt: no leaf given and none in the receipt")
	case leaf == nil:
		leaf = p.Extra
	case p.Extra != nil && !bytes.Equal(leaf, p.Extra):
		return Checkpoint{}, errors.New("verify receipt: the leaf is not the one the receipt carries")
	}
	index, _, err := ParseLeaf(leaf)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verify receipt: %w", err)
	}
	if index != p.Index {
		return Checkpoint{}, fmt.Errorf("verify receipt: leaf has index %d, proof is for %d", index, p.Index)
	}
	if err := VerifyInclusion(p.Index, c.Size, LeafHash(leaf), p.Hashes, c.Root); err != nil {
		return Checkpoint{}, fmt.Errorf("verify receipt: %w", err)
	}
	return c, nil
}
