package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
)

// Deliverer delivers the outbox: it claims due items from the store (any
// replica may run one; a lease keeps two from delivering the same item at
// once), hands each to the notifier of its channel kind, and records the
// outcome as an event. A failed delivery is retried with backoff
// (countersign.OutboxRetry) until it succeeds or is abandoned; since the
// items are in the store, a restart loses none.
type Deliverer struct {
	store     countersign.Store
	notifiers map[string]countersign.Notifier
	log       *slog.Logger
	// Now is the clock; tests set it.
	Now    func() time.Time
	masker *dlp.Masker

	// Lease is how long a claimed item is kept from other workers;
	// Interval how often the outbox is polled; Batch how many items are
	// claimed at once; Timeout bounds one delivery.
	Lease, Interval, Timeout time.Duration
	Batch                    int

	wake chan struct{}
}

// NewDeliverer returns a Deliverer over notifiers by channel kind ("slack",
// "webhook").
func NewDeliverer(store countersign.Store, notifiers map[string]countersign.Notifier, log *slog.Logger) *Deliverer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{
		store: store, notifiers: notifiers, log: log, Now: time.Now, masker: dlp.DefaultMasker(),
		Lease: time.Minute, Interval: 500 * time.Millisecond, Timeout: 20 * time.Second, Batch: 20,
		wake: make(chan struct{}, 1),
	}
}

// Wake makes Run look at the outbox now rather than at its next poll.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		for {
			n, err := d.DeliverOnce(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Error("deliver outbox", "err", err)
			}
			if n < d.Batch || err != nil {
				break // drained for now
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.wake:
		}
	}
}

// DeliverOnce claims one batch of due items and delivers them concurrently;
// it returns how many it claimed.
func (d *Deliverer) DeliverOnce(ctx context.Context) (int, error) {
	items, err := d.store.ClaimOutbox(ctx, d.Now(), d.Lease, d.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, item := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.deliver(ctx, item); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(items), errors.Join(errs...)
}

// deliver sends one item and records the outcome. It returns an error only
// when the outcome could not be recorded: the lease then runs out and the
// item is delivered again, at least once.
func (d *Deliverer) deliver(ctx context.Context, item countersign.OutboxItem) error {
	err := d.send(ctx, item)
	now := d.Now()
	data := map[string]any{"target": item.Target, "event_type": item.EventType, "attempt": item.Attempts}
	if err == nil {
		ev := countersign.NewEvent(countersign.EventNotified, item.RequestID, "system", now, data)
		return d.store.FinishOutbox(ctx, item.ID, true, time.Time{}, ev)
	}
	data["error"] = d.describe(ctx, err)
	retry := countersign.OutboxRetry(now, item.Attempts)
	typ := countersign.EventNotifyFailed
	if retry.IsZero() {
		typ = countersign.EventNotifyAbandoned
	} else {
		data["retry_at"] = retry.UTC()
	}
	d.log.Warn("notification not delivered", "target", item.Target, "request", item.RequestID,
		"attempt", item.Attempts, "err", data["error"])
	ev := countersign.NewEvent(typ, item.RequestID, "system", now, data)
	return d.store.FinishOutbox(ctx, item.ID, false, retry, ev)
}

func (d *Deliverer) send(ctx context.Context, item countersign.OutboxItem) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("notifier panicked: %v", r)
		}
	}()
	n, ok := d.notifiers[item.Kind()]
	if !ok {
		return fmt.Errorf("no %q channel is configured", item.Kind())
	}
	r, err := d.store.Request(ctx, item.RequestID)
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	return n.Notify(ctx, item, r)
}

// describe returns an error's text for the record: at most 300 bytes, with
// any secret in it (a token in a URL) masked.
func (d *Deliverer) describe(ctx context.Context, err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	masked, _, merr := d.masker.Mask(ctx, []byte(msg))
	if merr != nil {
		return "delivery failed (error text withheld)"
	}
	return string(masked)
}
