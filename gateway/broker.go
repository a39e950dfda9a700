package gateway

import "sync"

// broker wakes long-poll waiters when a request changes. Changes come from
// this process and, through countersign.Watcher, from other replicas.
type broker struct {
	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
}

func newBroker() *broker {
	return &broker{waiters: make(map[string]map[chan struct{}]struct{})}
}

// subscribe returns a channel that receives a value the next times id changes,
// and a function to unsubscribe.
func (b *broker) subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	set := b.waiters[id]
	if set == nil {
		set = make(map[chan struct{}]struct{})
		b.waiters[id] = set
	}
	set[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(set, ch)
		if len(set) == 0 && b.waiters[id] != nil && len(b.waiters[id]) == 0 {
			delete(b.waiters, id)
		}
		b.mu.Unlock()
	}
}

// notify wakes every waiter on id without blocking; id "" wakes every
// waiter (changes may have been missed, so all re-read).
func (b *broker) notify(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id == "" {
		for _, set := range b.waiters {
			wake(set)
		}
		return
	}
	wake(b.waiters[id])
}

func wake(set map[chan struct{}]struct{}) {
	for ch := range set {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
