package countersign

import (
	"context"
	"strconv"
	"time"
)

// Store keeps requests, keys, agents and events. Every method that changes
// state writes its events in the same transaction as the change. Implementations:
// sqlite.Store and postgres.Store; storetest.Run is the conformance suite.
type Store interface {
	LedgerStore

	// CreateRequest opens a request atomically with the agent's frozen flag:
	// inside one transaction it reads whether p.Agent is frozen and calls
	// p.Build. When p.IdempotencyKey is set and the agent already has a request
	// with that key, the existing request is returned with created false and
	// Build is not called.
	CreateRequest(ctx context.Context, p CreateRequestParams) (r *Request, created bool, err error)

	// Request returns one request. Errors: ENotFound.
	Request(ctx context.Context, id string) (*Request, error)

	// ListRequests returns requests newest first, at most p.Limit, and a cursor
	// for the next page ("" when there is none). Errors: EInvalid (bad cursor).
	ListRequests(ctx context.Context, p ListRequestsParams) ([]*Request, string, error)

	// UpdateRequest locks a request, calls fn with it, and when fn returns no
	// error writes the changed request and fn's events in one transaction.
	// Errors: ENotFound, or fn's error (nothing written).
	UpdateRequest(ctx context.Context, id string, fn func(*Request) ([]Event, error)) (*Request, error)

	// CountRequests returns how many requests are in state (metrics).
	CountRequests(ctx context.Context, state State) (int, error)

	// DueRequests returns the ids of live requests whose deadline (DueAt) is at
	// or before now, soonest due first, at most limit.
	DueRequests(ctx context.Context, now time.Time, limit int) ([]string, error)

	// CreateKey stores a key and its event. With p.OnlyIfEmpty it stores
	// nothing and returns false when any key exists (bootstrap).
	CreateKey(ctx context.Context, p CreateKeyParams) (bool, error)

	// KeyByHash returns the unrevoked key with that hash. Errors: ENotFound.
	KeyByHash(ctx context.Context, hash string) (*Key, error)

	// Keys returns every key, revoked ones too, oldest first.
	Keys(ctx context.Context) ([]*Key, error)

	// RevokeKey marks a key revoked and writes ev. Errors: ENotFound.
	RevokeKey(ctx context.Context, id string, at time.Time, ev Event) error

	// SetAgentFrozen freezes or unfreezes an agent by name and writes ev.
	SetAgentFrozen(ctx context.Context, name string, frozen bool, ev Event) error

	// AgentFrozen reports whether the agent is frozen.
	AgentFrozen(ctx context.Context, name string) (bool, error)

	// Hit counts one hit on key at the time at against a limit of max hits
	// per window: it returns n+1, where n is the number of hits recorded on
	// key after at-per (later ones included, so a replica whose clock runs
	// behind still counts them), and records this hit only when n < max. A
	// key therefore keeps at most max hits in its window: the hits over the
	// limit are answered, not kept, so an agent regains its allowance as its
	// allowed hits age out. Hits on the key at or before at-per are
	// discarded. Concurrent Hits on one key are serialised: n concurrent
	// calls with max >= n return 1..n, each once. Policy rate limits use it,
	// keyed by agent and rule. Errors: EInvalid (see HitWindow).
	Hit(ctx context.Context, key string, at time.Time, per time.Duration, max int) (int, error)

	// ClaimOutbox leases up to limit outbox items due at now, for lease: for
	// each request and target only the oldest item still to deliver, so a
	// channel sees a request's changes in order. An item whose lease runs
	// out (its replica died mid-delivery) is claimed again. The returned
	// Attempts count this claim. Errors: EInvalid (limit or lease not
	// positive).
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error)
	// FinishOutbox ends the claim that returned item and writes ev in the
	// same transaction: delivered removes the item; otherwise it is due
	// again at retry, or, when retry is zero, abandoned and removed. A
	// claim is item's ID and Attempts: when the lease ran out and another
	// worker claimed the item since, nothing is written and the error is
	// ENotFound, so a stale worker cannot end another's delivery.
	FinishOutbox(ctx context.Context, item OutboxItem, delivered bool, retry time.Time, ev Event) error
	// SetChannelRef records what a channel posted for a request (a Slack
	// message's channel and ts), replacing any earlier one, so that any
	// replica can update the message in place.
	SetChannelRef(ctx context.Context, requestID, target, ref string) error
	// ChannelRef returns what SetChannelRef recorded, or "" if nothing.
	ChannelRef(ctx context.Context, requestID, target string) (string, error)
	// AppendEvents writes events that belong to no other change (policy.loaded).

	AppendEvents(ctx context.Context, events []Event) error

	// Events returns events with Seq > after, in order, at most limit. Reading
	// it repeatedly never skips an event that commits late: seq order is
	// commit order.
	Events(ctx context.Context, after int64, limit int) ([]Event, error)

	// Ping checks that the store answers (readiness).
	Ping(ctx context.Context) error

	// Close releases the store.
	Close() error
}

// Watcher is implemented by stores shared by several gateway replicas: Watch
// calls fn with the id of every request changed by any replica until ctx ends.
// After a reconnect it calls fn("") since changes may have been missed; a
// waiter treats "" as "re-read".
type Watcher interface {
	Watch(ctx context.Context, fn func(id string)) error
}

// CreateRequestParams are the arguments of Store.CreateRequest.
type CreateRequestParams struct {
	Agent          string
	IdempotencyKey string
	// Hits are rate-limit hits counted in the same transaction, as Hit counts
	// them, after the idempotency check and only for an agent that is not
	// frozen: a replayed or frozen request counts nothing. Their counts, in
	// order, go to Build (nil when none were counted).
	Hits []HitParams
	// Build makes the request and its events. It may be called with counts
	// that put a rate limit over, and must then decide again.
	Build func(frozen bool, counts []int) (*Request, []Event, error)
}

// HitParams are the arguments of one Store.Hit.
type HitParams struct {
	Key string
	At  time.Time
	Per time.Duration
	Max int
}

// ListRequestsParams filter and page Store.ListRequests.
type ListRequestsParams struct {
	State  State  // "" for every state
	Agent  string // "" for every agent
	Limit  int    // 1..500; 0 means 50
	Cursor string // from a previous page
}

// CreateKeyParams are the arguments of Store.CreateKey.
type CreateKeyParams struct {
	Key         Key
	Event       Event
	OnlyIfEmpty bool
}

// Page sizes of ListRequests.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// Page checks p and returns the page size and the sequence number to list
// below (0 for the first page). The cursor is the decimal sequence number of
// the last request of the previous page. Errors: EInvalid.
func (p ListRequestsParams) Page() (limit int, before int64, err error) {
	if p.State != "" && !ValidState(p.State) {
		return 0, 0, Errorf(EInvalid, "unknown state %q", p.State)
	}
	switch {
	case p.Limit == 0:
		limit = DefaultListLimit
	case p.Limit < 0 || p.Limit > MaxListLimit:
		return 0, 0, Errorf(EInvalid, "limit must be 1 to %d", MaxListLimit)
	default:
		limit = p.Limit
	}
	if p.Cursor != "" {
		before, err = strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || before <= 0 {
			return 0, 0, Errorf(EInvalid, "bad cursor %q", p.Cursor)
		}
	}
	return limit, before, nil
}
