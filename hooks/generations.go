package hooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Generations remembers, per action (its key stem), how many of its
// requests are used up, so that a call made again skips them without a
// round trip each. Losing it costs round trips, never correctness: a used
// request is found and skipped.
type Generations interface {
	Get(base string) int
	Bump(base string, used int) // the request of generation used is finished
}

// Scoped returns g with its keys under scope (the agent): an agent's used-up
// requests are its own, since idempotency keys are scoped to the agent. Two
// agents sharing g (the server's, or one state file) would otherwise move
// each other past requests their reviewers approved.
func Scoped(g Generations, scope string) Generations { return scoped{g, scope + "/"} }

type scoped struct {
	g     Generations
	scope string
}

func (s scoped) Get(base string) int        { return s.g.Get(s.scope + base) }
func (s scoped) Bump(base string, used int) { s.g.Bump(s.scope+base, used) }

// maxRemembered bounds the actions a Generations remembers.
const maxRemembered = 4096

type genEntry struct {
	Gen int       `json:"gen"`
	At  time.Time `json:"at"`
}

// MemoryGenerations is a Generations for one process (the server).
type MemoryGenerations struct {
	mu sync.Mutex
	m  map[string]genEntry
}

// NewMemoryGenerations returns an empty MemoryGenerations.
func NewMemoryGenerations() *MemoryGenerations {
	return &MemoryGenerations{m: map[string]genEntry{}}
}

func (g *MemoryGenerations) Get(base string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[base].Gen
}

func (g *MemoryGenerations) Bump(base string, used int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	bump(g.m, base, used)
}

func bump(m map[string]genEntry, base string, used int) {
	if m[base].Gen > used {
		return
	}
	if len(m) >= maxRemembered {
		evictOldest(m)
	}
	m[base] = genEntry{Gen: used + 1, At: time.Now().UTC()}
}

// evictOldest forgets the least recently bumped eighth of m.
func evictOldest(m map[string]genEntry) {
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

// FileGenerations is a Generations kept in a JSON file, for hooks that run
// as a new process per call. Writes replace the file atomically; two hooks
// racing may lose a bump, which costs a round trip later.
type FileGenerations struct {
	Path string
}

// DefaultGenerationsPath is $COUNTERSIGN_STATE_DIR/hook-generations.json,
// else under the user's cache directory.
func DefaultGenerationsPath() string {
	dir := os.Getenv("COUNTERSIGN_STATE_DIR")
	if dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(c, "countersign")
		} else {
			dir = filepath.Join(os.TempDir(), "countersign-"+os.Getenv("USER"))
		}
	}
	return filepath.Join(dir, "hook-generations.json")
}

func (f FileGenerations) load() map[string]genEntry {
	m := map[string]genEntry{}
	raw, err := os.ReadFile(f.Path)
	if err == nil {
		_ = json.Unmarshal(raw, &m) // a damaged file only costs round trips
	}
	return m
}

func (f FileGenerations) Get(base string) int { return f.load()[base].Gen }

func (f FileGenerations) Bump(base string, used int) {
	m := f.load()
	bump(m, base, used)
	if raw, err := json.Marshal(m); err == nil {
		_ = writeState(f.Path, raw) // a lost bump costs a round trip later
	}
}

// writeState writes a hook's state file, in a directory private to the user.
func writeState(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(path, data, 0o600)
}

// WriteFileAtomic replaces path with data through a temporary file in the
// same directory and a rename, so that a reader sees the old file or the new.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
