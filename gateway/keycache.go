package gateway

import (
	"sync"
	"time"

	countersign "github.com/countersign/countersign"
)

// keyCacheTTL bounds how long a key's principal is trusted without asking
// the store again: a key revoked on another replica stops working within
// this time; on this replica, at once.
const keyCacheTTL = time.Second

// keyCacheMax bounds the cache; when full it is emptied.
const keyCacheMax = 10000

// keyCache remembers the principals of recently seen key hashes, so that the
// allow path does not read the key table on every call. Unknown keys are
// never cached.
type keyCache struct {
	mu  sync.Mutex
	m   map[string]cachedKey
	gen uint64 // bumped by clear; a lookup begun before it is not cached
}

type cachedKey struct {
	p     countersign.Principal
	until time.Time
}

func (c *keyCache) get(hash string, now time.Time) (countersign.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return countersign.Principal{}, false
	}
	return e.p, true
}

// generation returns the cache's generation, to pass to put.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put caches p unless the cache was cleared since gen was read: a lookup that
// raced with a revocation must not bring the revoked key back.
func (c *keyCache) put(gen uint64, hash string, p countersign.Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= keyCacheMax {
		c.m = make(map[string]cachedKey)
	}
	c.m[hash] = cachedKey{p: p, until: now.Add(keyCacheTTL)}
}

// clear forgets every key (after a revocation).
func (c *keyCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}
