package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// BundleFormat is the manifest's format string for this version of §5.
const BundleFormat = "countersign-evidence/v1"

// The paths of a bundle's files (docs/evidence-format.md §5).
const (
	pathManifest    = "manifest.json"
	pathEvents      = "events.jsonl"
	pathFirst       = "checkpoints/first"
	pathLast        = "checkpoints/last"
	pathAfter       = "checkpoints/after"
	pathPrefix      = "proofs/prefix"
	pathConsistency = "proofs/consistency"
	pathAfterProof  = "proofs/after"
	pathControls    = "CONTROLS.md"
)

// Counts are the totals of a bundle's events, as §5 defines them.
type Counts struct {
	Events   int `json:"events"`   // leaves in events.jsonl
	Actions  int `json:"actions"`  // distinct requests with their action.submitted in the bundle
	Approved int `json:"approved"` // request.approved, plus grant.issued by "policy" (allowed at once)
	Rejected int `json:"rejected"` // request.rejected
	Denied   int `json:"denied"`   // policy.decided with effect deny
	Executed int `json:"executed"` // action.executed
}

// Manifest is a bundle's manifest.json.
type Manifest struct {
	Format        string     `json:"format"`
	Origin        string     `json:"origin"`
	VerifierKey   string     `json:"verifier_key"`
	Since         *time.Time `json:"since,omitempty"`
	Until         *time.Time `json:"until,omitempty"`
	FirstSize     uint64     `json:"first_size"`
	LastSize      uint64     `json:"last_size"`
	PolicyDigests []string   `json:"policy_digests"`
	Counts        Counts     `json:"counts"`
}

// Bundle is an evidence bundle: the leaves of a stretch of the log, the
// signed checkpoints before and after it, and the hashes that tie them
// together, so that an auditor can check it offline with the verifier key
// alone (VerifyBundle).
type Bundle struct {
	Manifest    Manifest
	Leaves      [][]byte // events.jsonl: exact leaf bytes, index FirstSize..LastSize-1
	First       []byte   // checkpoints/first: signed checkpoint of size FirstSize
	Last        []byte   // checkpoints/last: signed checkpoint of size LastSize
	Prefix      [][]byte // proofs/prefix: compact range of [0, FirstSize)
	Consistency [][]byte // proofs/consistency: FirstSize -> LastSize
	After       []byte   // checkpoints/after: optional, an earlier bundle's last checkpoint
	AfterProof  [][]byte // proofs/after: consistency proof After's size -> LastSize; set with After
	Controls    []byte   // CONTROLS.md
}

// BuildBundle assembles a bundle from the leaves with indexes
// first.Size..last.Size-1, the two signed checkpoints, the compact range of
// the first tree (Appender.Range, or the nodes compact.RangeNodes(0,
// first.Size)) and the consistency proof between them. It checks that both
// checkpoints open with verifierKey and that every leaf parses with the
// right index, computes the manifest's counts and policy digests, and writes
// CONTROLS.md. It does not refuse leaves that break the binding rules of §4:
// the bundle then fails VerifyBundle, so that an export never hides a broken
// record. To chain the bundle to an earlier one, set After and AfterProof.
func BuildBundle(origin, verifierKey string, since, until *time.Time, leaves [][]byte, first, last []byte, prefix, consistency [][]byte) (*Bundle, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("build bundle: verifier key: %w", err)
	}
	if v.Name() != origin {
		return nil, fmt.Errorf("build bundle: origin %q is not the key's name %q", origin, v.Name())
	}
	fc, err := Open(first, v)
	if err != nil {
		return nil, fmt.Errorf("build bundle: first checkpoint: %w", err)
	}
	lc, err := Open(last, v)
	if err != nil {
		return nil, fmt.Errorf("build bundle: last checkpoint: %w", err)
	}
	if fc.Size > lc.Size || uint64(len(leaves)) != lc.Size-fc.Size {
		return nil, fmt.Errorf("build bundle: %d leaves between checkpoints of sizes %d and %d", len(leaves), fc.Size, lc.Size)
	}
	parsed := parseLeaves(leaves)
	for i, p := range parsed {
		if p.err != nil {
			return nil, fmt.Errorf("build bundle: leaf %d: %w", fc.Size+uint64(i), p.err)
		}
		if p.index != fc.Size+uint64(i) {
			return nil, fmt.Errorf("build bundle: leaf %d has index %d", fc.Size+uint64(i), p.index)
		}
	}
	tally := tallyLeaves(parsed)
	b := &Bundle{
		Manifest: Manifest{
			Format: BundleFormat, Origin: origin, VerifierKey: verifierKey,
			Since: utcPtr(since), Until: utcPtr(until),
			FirstSize: fc.Size, LastSize: lc.Size,
			PolicyDigests: tally.digests, Counts: tally.counts,
		},
		Leaves: leaves, First: first, Last: last,
		Prefix: nonNil(prefix), Consistency: nonNil(consistency),
	}
	if b.Controls, err = Controls(b.Manifest); err != nil {
		return nil, fmt.Errorf("build bundle: %w", err)
	}
	return b, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil(h [][]byte) [][]byte {
	if h == nil {
		return [][]byte{}
	}
	return h
}

// formatHashes writes hashes as base64 lines, each ending in a newline.
func formatHashes(hashes [][]byte) []byte {
	var b bytes.Buffer
	for _, h := range hashes {
		b.WriteString(b64.EncodeToString(h))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// parseHashes reads base64 hash lines; errors name the file and line.
func parseHashes(name string, b []byte) ([][]byte, error) {
	out := [][]byte{}
	if len(b) == 0 {
		return out, nil
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		return nil, fmt.Errorf("%s: last line does not end with a newline", name)
	}
	for i, line := range strings.Split(string(b[:len(b)-1]), "\n") {
		h, err := b64.DecodeString(line)
		if err != nil || len(h) != HashSize {
			return nil, fmt.Errorf("%s:%d: %q is not a base64 SHA-256 hash", name, i+1, line)
		}
		if len(out) == maxProofHashes {
			return nil, fmt.Errorf("%s:%d: more than %d hashes", name, i+1, maxProofHashes)
		}
		out = append(out, h)
	}
	return out, nil
}

// formatEvents writes leaves one a line.
func formatEvents(leaves [][]byte) ([]byte, error) {
	n := 0
	for _, l := range leaves {
		n += len(l) + 1
	}
	b := make([]byte, 0, n)
	for i, l := range leaves {
		if bytes.IndexByte(l, '\n') >= 0 {
			return nil, fmt.Errorf("%s:%d: leaf contains a newline", pathEvents, i+1)
		}
		b = append(append(b, l...), '\n')
	}
	return b, nil
}

// parseEvents splits events.jsonl into its lines, which must each end in a
// newline; their content is checked by VerifyBundle.
func parseEvents(b []byte) ([][]byte, error) {
	if len(b) == 0 {
		return [][]byte{}, nil
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		return nil, fmt.Errorf("%s:%d: last line does not end with a newline", pathEvents, bytes.Count(b, []byte("\n"))+1)
	}
	lines := bytes.Split(b[:len(b)-1], []byte("\n"))
	for i := range lines {
		lines[i] = lines[i][:len(lines[i]):len(lines[i])]
	}
	return lines, nil
}

var errNoAfterProof = errors.New("checkpoints/after and proofs/after must come together")
