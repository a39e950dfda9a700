package dlp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"
)

// ErrWithheld wraps every error that made a Masker withhold content: the
// content must not be passed on, and the caller should say it was withheld.
var ErrWithheld = errors.New("content withheld by data-leakage prevention")

// WithheldNotice is what a stream writes in place of content it withheld.
const WithheldNotice = "[WITHHELD: the rest of this output could not be checked for secrets and personal data]"

// Masker scans and masks content under a policy: the form the rest of
// Countersign uses. It is safe for concurrent use.
type Masker struct {
	scanner *Scanner
	policy  Policy
	// timeout bounds one scan; 0 means no bound beyond the caller's context.
	timeout time.Duration
	columns []ColumnRule
	// minConfidence drops findings below it.
	minConfidence float64
}

// NewMasker returns a Masker over a compiled scanner. It fails if the policy
// could not mask some type (hash without a key, an unknown strategy).
func NewMasker(s *Scanner, p Policy) (*Masker, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Masker{scanner: s, policy: p, timeout: defaultTimeout, columns: DefaultColumns()}, nil
}

// defaultTimeout bounds one scan unless a policy says otherwise.
const defaultTimeout = 10 * time.Second

// DefaultMasker returns the default profile: every built-in detector, every
// type redacted, each scan bounded to 10 seconds.
//
// The scanner is compiled once per process and the Masker shared: it never
// changes after it is built, so every caller (each MCP session, each
// channel) can use the same one.
func DefaultMasker() *Masker { return defaultMasker() }

var defaultMasker = sync.OnceValue(func() *Masker {
	s, err := NewScanner(DefaultDetectors())
	if err != nil {
		panic("dlp: built-in detectors: " + err.Error())
	}
	return &Masker{scanner: s, policy: DefaultPolicy(), timeout: defaultTimeout, columns: DefaultColumns()}
})

// Scanner returns the masker's scanner.
func (m *Masker) Scanner() *Scanner { return m.scanner }

// Policy returns the masker's policy.
func (m *Masker) Policy() Policy { return m.policy }

// Scan returns the findings in input at or above the masker's minimum
// confidence. An error means the scan did not finish: withhold the input.
func (m *Masker) Scan(ctx context.Context, input []byte) ([]Finding, error) {
	if m.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.timeout)
		defer cancel()
	}
	fs, err := m.scanner.ScanContext(ctx, input)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWithheld, err)
	}
	if m.minConfidence > 0 {
		kept := fs[:0]
		for _, f := range fs {
			if f.Confidence >= m.minConfidence {
				kept = append(kept, f)
			}
		}
		fs = kept
	}
	return fs, nil
}

// Mask returns input with every finding masked and the count of masked
// values per type. On error the returned bytes are nil: the caller must
// withhold the input and say so.
func (m *Masker) Mask(ctx context.Context, input []byte) ([]byte, Counts, error) {
	fs, err := m.Scan(ctx, input)
	if err != nil {
		return nil, nil, err
	}
	out, counts, err := Mask(input, fs, m.policy)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrWithheld, err)
	}
	return out, counts, nil
}

// Validate reports whether every strategy in p is known and Hash has a key.
func (p Policy) Validate() error {
	strategies := map[Type]Strategy{"": p.Default}
	maps.Copy(strategies, p.PerType)
	for t, s := range strategies {
		switch s {
		case "", Redact, Partial, Drop:
		case Hash:
			if len(p.Key) == 0 {
				return fmt.Errorf("dlp policy: %s: %w", typeName(t), errNoKey)
			}
			if len(p.Key) < MinHashKey {
				// A short key can be found from one known value and its
				// token, and then short values (SSNs) by trying them all.
				return fmt.Errorf("dlp policy: %s: the hash key is %d bytes; it must be at least %d", typeName(t), len(p.Key), MinHashKey)
			}

		default:
			return fmt.Errorf("dlp policy: %s: unknown strategy %q (want redact, partial, hash or drop)", typeName(t), s)
		}
	}
	return nil
}

func typeName(t Type) string {
	if t == "" {
		return "default"
	}
	return string(t)
}

// Add adds the counts of o to c.
func (c Counts) Add(o Counts) {
	for t, n := range o {
		c[t] += n
	}
}

// MinHashKey is the shortest key the hash strategy accepts, in bytes.
const MinHashKey = 16
