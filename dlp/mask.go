package dlp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
)

// Strategy says how a finding is masked.
type Strategy string

// Masking strategies.
const (
	// Redact replaces the value with its type: "[EMAIL]".
	Redact Strategy = "redact"
	// Partial keeps the last four bytes and replaces the rest with '*'
	// ("************1111"). Values shorter than 12 bytes are starred whole,
	// since four bytes would be a third or more of them.
	Partial Strategy = "partial"
	// Hash replaces the value with a keyed HMAC-SHA256 token,
	// "[EMAIL:h:3f9a1c2b07d4e6a5]" (64 bits, so tokens of different values
	// do not collide in practice): the same value under the same key always gives
	// the same token, so joins and de-duplication still work, and without
	// the key the token cannot be reversed by guessing.
	Hash Strategy = "hash"
	// Drop removes the value.
	Drop Strategy = "drop"
)

// Policy chooses a strategy per type. The zero Policy redacts everything.
type Policy struct {
	// Default applies to types not in PerType; empty means Redact.
	Default Strategy
	// PerType overrides Default for some types.
	PerType map[Type]Strategy
	// Key is the HMAC key for Hash. Hash with an empty key is an error.
	Key []byte
}

// DefaultPolicy returns the default profile: every type redacted.
func DefaultPolicy() Policy { return Policy{Default: Redact} }

// Strategy returns the strategy for t.
func (p Policy) Strategy(t Type) Strategy {
	if s, ok := p.PerType[t]; ok && s != "" {
		return s
	}
	if p.Default == "" {
		return Redact
	}
	return p.Default
}

// Counts is the number of values masked per type, for the evidence record.
type Counts map[Type]int

// errNoKey is returned when Hash is chosen without a key.
var errNoKey = errors.New("hash strategy needs a key")

// Mask returns a copy of input with every finding masked under policy, and
// the count of masked values per type. Findings may come in any order;
// overlapping findings are merged into one masked span of the first
// finding's type (by Start) so no byte of either leaks. On error nothing is
// returned: the caller must withhold the input.
func Mask(input []byte, findings []Finding, policy Policy) ([]byte, Counts, error) {
	fs := append([]Finding(nil), findings...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Start < fs[j].Start })
	for _, f := range fs {
		if f.Start < 0 || f.End > len(input) || f.Start > f.End {
			return nil, nil, fmt.Errorf("mask: finding %s [%d,%d) outside input of %d bytes", f.Detector, f.Start, f.End, len(input))
		}
		if policy.Strategy(f.Type) == Hash && len(policy.Key) == 0 {
			return nil, nil, fmt.Errorf("mask %s: %w", f.Type, errNoKey)
		}
	}
	out := make([]byte, 0, len(input))
	counts := Counts{}
	pos := 0
	for i := 0; i < len(fs); {
		f := fs[i]
		end := f.End
		j := i + 1
		for j < len(fs) && fs[j].Start < end {
			end = max(end, fs[j].End)
			j++
		}
		i = j
		out = append(out, input[pos:f.Start]...)
		value := input[f.Start:end]
		switch s := policy.Strategy(f.Type); s {
		case Redact:
			out = append(out, '[')
			out = append(out, f.Type...)
			out = append(out, ']')
		case Partial:
			keep := 0
			if len(value) >= 12 {
				keep = 4
			}
			for range len(value) - keep {
				out = append(out, '*')
			}
			out = append(out, value[len(value)-keep:]...)
		case Hash:
			mac := hmac.New(sha256.New, policy.Key)
			mac.Write([]byte(f.Type))
			mac.Write([]byte{0})
			mac.Write(value)
			sum := mac.Sum(nil)
			out = append(out, '[')
			out = append(out, f.Type...)
			out = append(out, ":h:"...)
			out = hex.AppendEncode(out, sum[:8])
			out = append(out, ']')
		case Drop:
		default:
			return nil, nil, fmt.Errorf("mask %s: unknown strategy %q", f.Type, s)
		}
		counts[f.Type]++
		pos = end
	}
	out = append(out, input[pos:]...)
	return out, counts, nil
}
