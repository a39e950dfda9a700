package hooks_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/hooks"
)

func TestOfflineCache(t *testing.T) {
	c := hooks.OfflineCache{Path: filepath.Join(t.TempDir(), "state", "offline.json")}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	if c.Allow(now) != nil || !c.Stale(now) {
		t.Fatal("an empty cache allows something or is not stale")
	}
	if err := c.Store([]countersign.ActionKind{countersign.ActionCustom}, now); err != nil {
		t.Fatal(err)
	}
	if got := c.Allow(now.Add(time.Hour)); !slices.Equal(got, []countersign.ActionKind{countersign.ActionCustom}) {
		t.Fatalf("allow after an hour: %v", got)
	}
	if c.Stale(now.Add(time.Minute)) || !c.Stale(now.Add(hooks.RefreshAfter+time.Second)) {
		t.Fatal("staleness")
	}
	if got := c.Allow(now.Add(hooks.MaxAge + time.Second)); got != nil {
		t.Fatalf("a list older than MaxAge is still believed: %v", got)
	}
	if got := c.Allow(now.Add(-time.Hour)); got != nil {
		t.Fatalf("a list from the future is believed: %v", got)
	}
}
