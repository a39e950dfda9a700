package countersign

import (
	"context"
	"strings"
	"time"
)

// OutboxItem is one notification to deliver: a change to a request (the
// event that caused it) for one target of the request's review rules
// ("slack:#ops", "slack:@U123", "webhook:siem"). Stores write items in the
// same transaction as the change, so a notification is never lost to a
// crash, and a delivery worker on any replica delivers them at least once.
type OutboxItem struct {
	ID        int64     `json:"id"`
	Target    string    `json:"target"`
	RequestID string    `json:"request_id"`
	EventType string    `json:"event_type"`
	Attempts  int       `json:"attempts"` // including the one now claimed
	CreatedAt time.Time `json:"created_at"`
}

// Kind returns the channel part of the target ("slack"), and Name the rest
// ("#ops").
func (o OutboxItem) Kind() string { k, _, _ := strings.Cut(o.Target, ":"); return k }

// Name returns the target without its channel kind.
func (o OutboxItem) Name() string { _, n, _ := strings.Cut(o.Target, ":"); return n }

// Notifier delivers outbox items of one channel kind. It renders the
// request as it is now, not as the event left it, so items delivered late
// or twice show the truth. An error means the item is retried.
type Notifier interface {
	Notify(ctx context.Context, item OutboxItem, r *Request) error
}

// Notification event types, written when an outbox item is delivered, when
// an attempt fails (and will be retried), and when delivery is given up.
const (
	EventNotified        = "notification.delivered"
	EventNotifyFailed    = "notification.failed"
	EventNotifyAbandoned = "notification.abandoned"
)

// notifyOn are the events that notify a request's targets: held for review
// (its decision), each review, and its end.
var notifyOn = map[string]bool{
	EventDecided: true, EventReviewed: true, EventApproved: true, EventRejected: true,
	EventExpired: true, EventCancelled: true,
}

// OutboxFor returns the items a change to r with events must write: one per
// notify target of r's review requirement and per event that notifies. A
// request that policy did not hold for review notifies nobody.
func OutboxFor(r *Request, events []Event) []OutboxItem {
	if r == nil || r.Decision.Review == nil || len(r.Decision.Review.Notify) == 0 {
		return nil
	}
	var out []OutboxItem
	for _, e := range events {
		if !notifyOn[e.Type] || (e.Type == EventDecided && r.Decision.Effect != EffectReview) {
			continue
		}
		for _, t := range r.Decision.Review.Notify {
			out = append(out, OutboxItem{Target: t, RequestID: r.ID, EventType: e.Type, CreatedAt: e.Time})
		}
	}
	return out
}

// OutboxRetry returns when to retry an item after its attempts-th failed
// attempt: 1s, 2s, 4s, ... capped at 5 minutes. Zero means give up: after
// 30 attempts (about two hours) the item is abandoned with an event.
func OutboxRetry(now time.Time, attempts int) time.Time {
	if attempts >= MaxOutboxAttempts {
		return time.Time{}
	}
	d := time.Second << min(attempts-1, 9)
	return now.Add(min(d, 5*time.Minute))
}

// MaxOutboxAttempts is how many times an outbox item is tried.
const MaxOutboxAttempts = 30

// ChannelReview is a verdict an approval channel records for a reviewer.
type ChannelReview struct {
	Verdict Verdict
	Reason  string
	// Channel names the channel ("slack", "webhook:siem"); ChannelUser is
	// who spoke on it (a Slack user id, an integration's name).
	Channel     string
	ChannelUser string
}

// Reviewer records verdicts: what approval channels call. The gateway's
// Service implements it, with every rule of a review (separation of
// duties, quorum, reasons, expiry) applied as for the API.
type Reviewer interface {
	Review(ctx context.Context, by Principal, id string, in ChannelReview) (*Request, error)
}
