// Package gateway is the Countersign service: it orders the store, policy,
// analysers and waiters for every operation on a request.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/analyze"
	"github.com/countersign/countersign/policy"
)

// Facts are analyser facts keyed by analyser ("sql", "shell", "mcp", "http").
type Facts = map[string]map[string]any

// Analyzer derives facts about an action for policy, given its payload as
// Action.Check decoded it and the policy's analysis settings. An error fails
// closed: the action is denied. analyze.Action is the product's analyser.
type Analyzer func(ctx context.Context, a countersign.Action, payload map[string]any, opt policy.Analysis) (Facts, error)

// Config wires a Service.
type Config struct {
	Store    countersign.Store
	Policy   *policy.Policy // nil: the built-in default
	Analyzer Analyzer       // nil: analyze.Action
	Now      func() time.Time
	Logger   *slog.Logger
	// OnDecision, when set, is called with every new request's effect (metrics).
	OnDecision func(countersign.Effect)
	// SweepInterval is how often expiry runs; 0 means one second.
	SweepInterval time.Duration
}

// Service is the gateway. It is safe for concurrent use.
type Service struct {
	store    countersign.Store
	policy   atomic.Pointer[policy.Policy]
	analyze  Analyzer
	now      func() time.Time
	log      *slog.Logger
	broker   *broker
	onDecide func(countersign.Effect)
	sweep    time.Duration

	keys      keyCache
	draining  chan struct{}
	drainOnce sync.Once
}

// New returns a Service. Call Run to start the expiry sweeper and, for shared
// stores, the cross-replica watcher.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, analyze: cfg.Analyzer, now: cfg.Now, log: cfg.Logger,
		broker: newBroker(), onDecide: cfg.OnDecision, sweep: cfg.SweepInterval,
		draining: make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.analyze == nil {
		s.analyze = analyze.Action
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.sweep <= 0 {
		s.sweep = time.Second
	}
	p := cfg.Policy
	if p == nil {
		p = policy.Default()
	}
	s.policy.Store(p)
	return s
}

// Policy returns the policy in force.
func (s *Service) Policy() *policy.Policy { return s.policy.Load() }

// SetPolicy puts p in force and records a policy.loaded event.
func (s *Service) SetPolicy(ctx context.Context, p *policy.Policy, actor string) error {
	ev := countersign.NewEvent(countersign.EventPolicyLoaded, "", actor, s.now(), map[string]any{
		"policy_digest": p.Digest(), "name": p.Name()})
	if err := s.store.AppendEvents(ctx, []countersign.Event{ev}); err != nil {
		return fmt.Errorf("record policy load: %w", err)
	}
	s.policy.Store(p)
	s.log.Info("policy loaded", "policy", p.Name(), "digest", p.Digest())
	return nil
}

// Run sweeps expired requests every SweepInterval and relays other replicas'
// changes to local waiters, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if w, ok := s.store.(countersign.Watcher); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Watch(ctx, s.broker.notify); err != nil && ctx.Err() == nil {
				s.log.Error("watch store", "err", err)
			}
		}()
	}
	t := time.NewTicker(s.sweep)
	defer t.Stop()
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Expire(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("expire requests", "err", err)
			}
		}
	}
}

// Drain makes every current and future long-poll answer at once with the
// request's current state; used on shutdown.
func (s *Service) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

// Draining reports whether Drain was called: long-polls no longer wait.
func (s *Service) Draining() bool {
	select {
	case <-s.draining:
		return true
	default:
		return false
	}
}

// Expire moves every due request to expired and returns how many it moved,
// and the errors of those it could not move.
func (s *Service) Expire(ctx context.Context) (n int, failed error) {
	for {
		ids, err := s.store.DueRequests(ctx, s.now(), 100)
		if err != nil {
			return n, errors.Join(failed, fmt.Errorf("due requests: %w", err))
		}
		if len(ids) == 0 {
			return n, failed
		}
		batch := 0
		for _, id := range ids {
			moved, err := s.expire(ctx, id)
			if err != nil {
				// One bad request must not stop expiry of the others.
				s.log.Error("expire request", "id", id, "err", err)
				failed = errors.Join(failed, fmt.Errorf("expire %s: %w", id, err))
				continue
			}
			if moved {
				n++
				batch++
			}
		}
		if len(ids) < 100 || batch == 0 {
			return n, failed
		}
	}
}

var errNoChange = errors.New("no change")

// expire moves one request to expired if it is due, and wakes its waiters.
func (s *Service) expire(ctx context.Context, id string) (moved bool, err error) {
	_, err = s.store.UpdateRequest(ctx, id, func(r *countersign.Request) ([]countersign.Event, error) {
		ev := r.ExpireIfDue(s.now())
		if len(ev) == 0 {
			return nil, errNoChange
		}
		moved = true
		return ev, nil
	})
	if errors.Is(err, errNoChange) {
		err = nil
	}
	if moved {
		s.broker.notify(id)
	}
	return moved, err
}

// expireOne expires one due request and returns it as stored.
func (s *Service) expireOne(ctx context.Context, id string) (*countersign.Request, error) {
	if _, err := s.expire(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Request(ctx, id)
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns prefix and 26 base32 characters: 48 bits of the time in
// milliseconds, then 80 random bits. IDs sort by creation, so the stores'
// id indexes grow at one end instead of splitting pages all over.
func newID(prefix string) string {
	var b [16]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	_, _ = rand.Read(b[6:])
	return prefix + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
