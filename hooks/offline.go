package hooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	countersign "github.com/countersign/countersign"
)

// OfflineCache remembers the policy's offline_allow (the action kinds hooks
// may allow while the server cannot be reached) between hook runs, so that
// a hook that cannot reach the server knows what the policy allowed when it
// last could. It is refreshed every RefreshAfter while the server answers,
// and forgotten after MaxAge offline: then every call is denied.
type OfflineCache struct {
	Path string
}

const (
	// RefreshAfter is how old the remembered list may be before a hook
	// that reached the server asks again.
	RefreshAfter = 5 * time.Minute
	// MaxAge is how long a remembered list is believed.
	MaxAge = 24 * time.Hour
)

type offlineFile struct {
	Allow []countersign.ActionKind `json:"allow"`
	At    time.Time                `json:"at"`
}

// DefaultOfflinePath is offline.json next to the generations file.
func DefaultOfflinePath() string {
	return filepath.Join(filepath.Dir(DefaultGenerationsPath()), "offline.json")
}

func (c OfflineCache) read() (offlineFile, bool) {
	var f offlineFile
	raw, err := os.ReadFile(c.Path)
	if err != nil || json.Unmarshal(raw, &f) != nil {
		return f, false
	}
	return f, true
}

// Allow returns the remembered kinds, none when unknown or too old.
func (c OfflineCache) Allow(now time.Time) []countersign.ActionKind {
	f, ok := c.read()
	if !ok || now.Sub(f.At) > MaxAge || f.At.After(now.Add(time.Minute)) {
		return nil
	}
	return f.Allow
}

// Stale reports whether the list should be asked for again.
func (c OfflineCache) Stale(now time.Time) bool {
	f, ok := c.read()
	return !ok || now.Sub(f.At) > RefreshAfter || f.At.After(now.Add(time.Minute))
}

// Store remembers the kinds the server answered.
func (c OfflineCache) Store(kinds []countersign.ActionKind, now time.Time) error {
	raw, err := json.Marshal(offlineFile{Allow: kinds, At: now.UTC()})
	if err != nil {
		return err
	}
	return writeState(c.Path, raw)
}
