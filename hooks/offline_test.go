package hooks_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/hooks"
	"github.com/countersign/countersign/internal/notetest"
)

// The remembered offline_allow is believed only when the pinned key
// verifies it, within MaxAge of its signing: an agent that writes the
// state file cannot grant itself offline rights.
func TestOfflineCache(t *testing.T) {
	signer, verifier := notetest.Keys(t, "countersign.example")
	other, _ := notetest.Keys(t, "countersign.example")
	dir := t.TempDir()
	c := hooks.OfflineCache{Path: filepath.Join(dir, "state", "offline.note"), Verifier: verifier}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	if c.Allow(now) != nil || !c.Stale(now) {
		t.Fatal("an empty cache allows something or is not stale")
	}
	msg, err := hooks.SignOffline(signer, []countersign.ActionKind{countersign.ActionCustom}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Store(msg); err != nil {
		t.Fatal(err)
	}
	if got := c.Allow(now.Add(time.Hour)); !slices.Equal(got, []countersign.ActionKind{countersign.ActionCustom}) {
		t.Fatalf("allow after an hour: %v", got)
	}
	if c.Stale(now.Add(time.Minute)) || !c.Stale(now.Add(hooks.RefreshAfter+time.Second)) {
		t.Fatal("staleness")
	}
	if got := c.Allow(now.Add(hooks.MaxAge + time.Second)); got != nil {
		t.Fatalf("a note older than MaxAge is still believed: %v", got)
	}
	if got := c.Allow(now.Add(-time.Hour)); got != nil {
		t.Fatalf("a note from the future is believed: %v", got)
	}
	// Forged: signed by another key, edited, or not a note at all.
	forged, _ := hooks.SignOffline(other, []countersign.ActionKind{countersign.ActionShell}, now)
	edited := strings.Replace(msg, "allow custom", "allow shell", 1)
	for name, m := range map[string]string{"other key": forged, "edited": edited, "plain": `{"allow":["shell"]}`} {
		if err := c.Store(m); err == nil {
			t.Errorf("%s: stored", name)
		}
		if err := os.WriteFile(c.Path, []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := c.Allow(now); got != nil {
			t.Errorf("%s note written by the agent is believed: %v", name, got)
		}
	}
	// Without a pinned key nothing is believed, and nothing is asked for.
	if err := os.WriteFile(c.Path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	unpinned := hooks.OfflineCache{Path: c.Path}
	if unpinned.Allow(now) != nil || unpinned.Stale(now) {
		t.Fatal("a cache without a verifier believes or asks")
	}
}
