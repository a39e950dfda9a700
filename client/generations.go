package client

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"time"

	countersign "github.com/countersign/countersign"
)

// The ways in that judge the same call again (the MCP gateway, the coding
// agents' hooks) derive its idempotency key from the action, so that a call
// made again finds its earlier request while that request is pending or
// approved and unused: KEYSTEM.N. Generations remembers N, the number of the
// action's requests already used up, so that a call made again skips them
// without a round trip each. Losing it costs round trips, never correctness:
// a used request is found (state executed) and skipped.

// KeyStem is the stem of an action's idempotency key: prefix and a hash of
// what the action is, as submitted (without the key). The callers build a
// call's payload the same way each time (json.Marshal sorts map keys), so
// the same call has the same stem; were two encodings of one action to
// differ, a call made again would only open a new request, never reuse
// another action's. Cheaper than the canonical digest (JCS), which the
// server computes anyway.
func KeyStem(prefix string, in countersign.SubmitInput) (string, error) {
	in.IdempotencyKey, in.Execute = "", false
	raw, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return prefix + "-" + hex.EncodeToString(sum[:12]), nil
}

// Generations remembers, per key stem, how many of its requests are used up.
type Generations interface {
	Get(stem string) int
	Bump(stem string, used int) // the request of generation used is finished
}

// Scoped returns g with its stems under scope (the agent): an agent's
// used-up requests are its own, since idempotency keys are scoped to the
// agent. Two agents sharing g would otherwise move each other past
// requests their reviewers approved.
func Scoped(g Generations, scope string) Generations { return scoped{g, scope + "/"} }

type scoped struct {
	g     Generations
	scope string
}

func (s scoped) Get(stem string) int        { return s.g.Get(s.scope + stem) }
func (s scoped) Bump(stem string, used int) { s.g.Bump(s.scope+stem, used) }

// MaxRemembered bounds the stems a Generations remembers.
const MaxRemembered = 4096

// GenEntry is one stem's generation and when it was last bumped.
type GenEntry struct {
	Gen int       `json:"gen"`
	At  time.Time `json:"at"`
}

// MemoryGenerations is a Generations for one process.
type MemoryGenerations struct {
	mu sync.Mutex
	m  map[string]GenEntry
}

// NewMemoryGenerations returns an empty MemoryGenerations.
func NewMemoryGenerations() *MemoryGenerations {
	return &MemoryGenerations{m: map[string]GenEntry{}}
}

func (g *MemoryGenerations) Get(stem string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[stem].Gen
}

func (g *MemoryGenerations) Bump(stem string, used int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	BumpIn(g.m, stem, used)
}

// BumpIn moves stem in m past generation used, forgetting the least
// recently bumped eighth of m when it holds MaxRemembered stems.
func BumpIn(m map[string]GenEntry, stem string, used int) {
	if m[stem].Gen > used {
		return
	}
	if len(m) >= MaxRemembered {
		ats := make([]time.Time, 0, len(m))
		for _, e := range m {
			ats = append(ats, e.At)
		}
		slices.SortFunc(ats, time.Time.Compare)
		cut := ats[len(ats)/8]
		for k, e := range m {
			if !e.At.After(cut) {
				delete(m, k)
			}
		}
	}
	m[stem] = GenEntry{Gen: used + 1, At: time.Now().UTC()}
}
