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
	mu sync.Mutex
	m  map[string]cachedKey
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

func (c *keyCache) put(hash string, p countersign.Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= keyCacheMax {
		c.m = make(map[string]cachedKey)
	}
	c.m[hash] = cachedKey{p: p, until: now.Add(keyCacheTTL)}
}

// clear forgets every key (after a revocation).
func (c *keyCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
