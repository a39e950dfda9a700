package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
)

// b64 is standard base64 with padding, refusing non-canonical encodings.
var b64 = base64.StdEncoding.Strict()

// Checkpoint is a signed tree head's content: the C2SP tlog-checkpoint body.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// Body returns the checkpoint's note text: origin, size and base64 root, one
// a line, each ending in a newline. Countersign writes no extension lines.
func (c Checkpoint) Body() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, b64.EncodeToString(c.Root))
}

// ValidateOrigin checks that origin can name a log and its note key: non-empty,
// no whitespace, no '+'.
func ValidateOrigin(origin string) error {
	if origin == "" || strings.ContainsFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || r == '+' }) {
		return fmt.Errorf("origin %q must be non-empty, with no spaces and no '+'", origin)
	}
	return nil
}

// ParseCheckpoint parses a checkpoint body. Extension lines after the root
// are accepted when non-empty, and ignored.
func ParseCheckpoint(body []byte) (Checkpoint, error) {
	var c Checkpoint
	if !bytes.HasSuffix(body, []byte("\n")) {
		return c, errors.New("parse checkpoint: body must end with a newline")
	}
	lines := strings.Split(string(body[:len(body)-1]), "\n")
	if len(lines) < 3 {
		return c, errors.New("parse checkpoint: want origin, size and root lines")
	}
	for _, l := range lines[3:] {
		if l == "" {
			return c, errors.New("parse checkpoint: empty extension line")
		}
	}
	if err := ValidateOrigin(lines[0]); err != nil {
		return c, fmt.Errorf("parse checkpoint: %w", err)
	}
	size, err := parseDecimal(lines[1])
	if err != nil {
		return c, fmt.Errorf("parse checkpoint: tree size: %w", err)
	}
	root, err := b64.DecodeString(lines[2])
	if err != nil || len(root) != HashSize || b64.EncodeToString(root) != lines[2] {
		return c, fmt.Errorf("parse checkpoint: root %q is not a base64 SHA-256 hash", lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// parseDecimal parses an ASCII decimal with no sign and no leading zeros.
func parseDecimal(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, fmt.Errorf("%q is not a decimal with no leading zeros", s)
	}
	return n, nil
}

// GenerateKey makes an Ed25519 note key pair named origin, reading entropy
// from rand (crypto/rand.Reader in production). It returns the signer key
// ("PRIVATE+KEY+origin+...") and the verifier key ("origin+hash+key").
func GenerateKey(rand io.Reader, origin string) (signerKey, verifierKey string, err error) {
	if err := ValidateOrigin(origin); err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	skey, vkey, err := note.GenerateKey(rand, origin)
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	return skey, vkey, nil
}

// Sign signs c as a note with signer, whose name must be c's origin.
func Sign(signer note.Signer, c Checkpoint) ([]byte, error) {
	if err := ValidateOrigin(c.Origin); err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	if signer.Name() != c.Origin {
		return nil, fmt.Errorf("sign checkpoint: key %q does not match origin %q", signer.Name(), c.Origin)
	}
	if len(c.Root) != HashSize {
		return nil, fmt.Errorf("sign checkpoint: root is %d bytes, want %d", len(c.Root), HashSize)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Body())}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// Unverified returns the checkpoint in a signed note without checking any
// signature: for choosing sizes and proofs to fetch. Trust it only after
// Open has verified it.
func Unverified(signed []byte) (Checkpoint, error) {
	i := bytes.Index(signed, []byte("\n\n"))
	if i < 0 {
		return Checkpoint{}, errors.New("not a signed checkpoint note")
	}
	return ParseCheckpoint(signed[:i+1])
}

// Open verifies a signed checkpoint against verifier and parses it. It
// refuses a note with no valid signature by that key (another key, a bad
// signature, an edited body) and a checkpoint whose origin is not the key's
// name. Other signatures, such as witness cosignatures, are ignored.
func Open(signed []byte, verifier note.Verifier) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint with key %s: %w", verifier.Name(), err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	if c.Origin != verifier.Name() {
		return Checkpoint{}, fmt.Errorf("open checkpoint: origin %q is not the key's name %q", c.Origin, verifier.Name())
	}
	return c, nil
}
