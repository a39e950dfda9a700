package hooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"golang.org/x/mod/sumdb/note"
)

// The policy's offline_allow (the action kinds hooks may allow while the
// server cannot be reached) travels as a note signed with the server's
// evidence key, and hooks remember it between runs. A hook believes only a
// note its pinned verifier key (--verifier-key) verifies, so an agent that
// can write the hook's state directory cannot grant itself offline rights.

// offlineHeader is the first line of a signed offline_allow note.
const offlineHeader = "countersign offline_allow v1"

// SignOffline returns the note text stating that the policy allows kinds
// offline, as of at, signed by s.
func SignOffline(s note.Signer, kinds []countersign.ActionKind, at time.Time) (string, error) {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	text := fmt.Sprintf("%s\nallow %s\nat %s\n", offlineHeader, strings.Join(names, " "), at.UTC().Format(time.RFC3339))
	msg, err := note.Sign(&note.Note{Text: text}, s)
	return string(msg), err
}

// VerifyOffline checks a signed offline_allow note and returns what it says.
func VerifyOffline(v note.Verifier, msg string) ([]countersign.ActionKind, time.Time, error) {
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("offline_allow note: %w", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != offlineHeader || !strings.HasPrefix(lines[1], "allow") || !strings.HasPrefix(lines[2], "at ") {
		return nil, time.Time{}, errors.New("offline_allow note: not the expected form")
	}
	at, err := time.Parse(time.RFC3339, strings.TrimPrefix(lines[2], "at "))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("offline_allow note: %w", err)
	}
	var kinds []countersign.ActionKind
	for _, f := range strings.Fields(strings.TrimPrefix(lines[1], "allow")) {
		kinds = append(kinds, countersign.ActionKind(f))
	}
	return kinds, at, nil
}

// OfflineCache remembers the last signed offline_allow note. It is
// refreshed every RefreshAfter while the server answers and believed for
// MaxAge from its signing: after that, or without a verifier, or when the
// note does not verify, nothing is allowed offline.
type OfflineCache struct {
	Path     string
	Verifier note.Verifier // nil: offline_allow is never used
}

const (
	// RefreshAfter is how old the remembered note may be before a hook
	// that reached the server asks again.
	RefreshAfter = 5 * time.Minute
	// MaxAge is how long a note is believed after it was signed.
	MaxAge = 24 * time.Hour
)

// DefaultOfflinePath is offline.note next to the generations file.
func DefaultOfflinePath() string {
	return filepath.Join(filepath.Dir(DefaultGenerationsPath()), "offline.note")
}

// read returns the remembered note's kinds and signing time, if it verifies.
func (c OfflineCache) read() ([]countersign.ActionKind, time.Time, bool) {
	raw, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, time.Time{}, false
	}
	kinds, at, err := VerifyOffline(c.Verifier, string(raw))
	return kinds, at, err == nil
}

// Load reads the remembered note once: the kinds it allows (none when
// there is no verifier, no note, a note that does not verify, or one too
// old) and whether it should be asked for again (never without a
// verifier: it could not be believed).
func (c OfflineCache) Load(now time.Time) (allow []countersign.ActionKind, stale bool) {
	if c.Verifier == nil {
		return nil, false
	}
	kinds, at, ok := c.read()
	future := at.After(now.Add(time.Minute))
	if ok && !future && now.Sub(at) <= MaxAge {
		allow = kinds
	}
	return allow, !ok || future || now.Sub(at) > RefreshAfter
}

// Allow is Load's allowed kinds.
func (c OfflineCache) Allow(now time.Time) []countersign.ActionKind {
	allow, _ := c.Load(now)
	return allow
}

// Stale is Load's stale.
func (c OfflineCache) Stale(now time.Time) bool {
	_, stale := c.Load(now)
	return stale
}

// Store remembers a note the server sent, if it verifies.
func (c OfflineCache) Store(msg string) error {
	if c.Verifier == nil {
		return errors.New("no verifier key")
	}
	if _, _, err := VerifyOffline(c.Verifier, msg); err != nil {
		return err
	}
	return writeState(c.Path, []byte(msg))
}
