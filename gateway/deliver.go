package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

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
	// A lease must outlast a delivery and its bookkeeping, or another
	// worker would claim the item while this one still delivers it.
	lease := max(d.Lease, 2*d.Timeout+storeTimeout)
	items, err := d.store.ClaimOutbox(ctx, d.Now(), lease, d.Batch)
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
		return d.finish(ctx, item, true, time.Time{}, ev)
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
	return d.finish(ctx, item, false, retry, ev)
}

// finish records a delivery's outcome, bounded in time. A claim another
// worker has taken over (this one outlived its lease) is left to it.
func (d *Deliverer) finish(ctx context.Context, item countersign.OutboxItem, delivered bool, retry time.Time, ev countersign.Event) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	err := d.store.FinishOutbox(ctx, item, delivered, retry, ev)
	if countersign.ErrorCode(err) == countersign.ENotFound {
		d.log.Info("outbox item claimed again by another worker; its outcome is theirs to record",
			"target", item.Target, "request", item.RequestID, "attempt", item.Attempts)
		return nil
	}
	return err
}

// storeTimeout bounds the deliverer's reads and writes of the store.
const storeTimeout = 10 * time.Second

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
	rctx, rcancel := context.WithTimeout(ctx, storeTimeout)
	r, err := d.store.Request(rctx, item.RequestID)
	rcancel()
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	return n.Notify(ctx, item, r)
}

// describe returns an error's text for the record, with any secret in it (a
// token in a URL) masked, then cut to at most 300 bytes: masked first, so a
// cut never leaves part of a secret the masker would no longer recognise,
// and cut on a character and outside a mask's [TYPE].
func (d *Deliverer) describe(ctx context.Context, err error) string {
	msg := err.Error()
	if len(msg) > 64<<10 {
		msg = msg[:64<<10]
	}
	masked, _, merr := d.masker.Mask(ctx, []byte(msg))
	if merr != nil {
		return "delivery failed (error text withheld)"
	}
	if len(masked) <= 300 {
		return string(masked)
	}
	cut := 300
	for cut > 0 && !utf8.RuneStart(masked[cut]) {
		cut--
	}
	if open := bytes.LastIndexByte(masked[:cut], '['); open >= 0 && bytes.IndexByte(masked[open:cut], ']') < 0 {
		cut = open
	}
	return string(masked[:cut]) + "…"
}
