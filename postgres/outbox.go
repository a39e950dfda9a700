package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// queueOutbox adds to b the notifications a change to r with events causes.
func queueOutbox(b *pgx.Batch, r *countersign.Request, events []countersign.Event) {
	for _, o := range countersign.OutboxFor(r, events) {
		at := nanos(o.CreatedAt)
		b.Queue(`INSERT INTO outbox (target, request_id, event_type, created_at, due_at) VALUES ($1, $2, $3, $4, $5)`,
			o.Target, o.RequestID, o.EventType, at, at)
	}
}

// ClaimOutbox leases due items, the oldest per request and target. Rows
// another replica holds are skipped, not waited for.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]countersign.OutboxItem, error) {
	if limit <= 0 || lease <= 0 {
		return nil, countersign.Errorf(countersign.EInvalid, "claim outbox: limit and lease must be positive")
	}
	var out []countersign.OutboxItem
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT id, target, request_id, event_type, created_at, attempts FROM outbox o
			WHERE due_at <= $1 AND lease_until <= $1
			AND id = (SELECT MIN(id) FROM outbox o2 WHERE o2.request_id = o.request_id AND o2.target = o.target)
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, nanos(now), limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var (
				o  countersign.OutboxItem
				at int64
			)
			if err := rows.Scan(&o.ID, &o.Target, &o.RequestID, &o.EventType, &at, &o.Attempts); err != nil {
				rows.Close()
				return fmt.Errorf("claim outbox: %w", err)
			}
			o.CreatedAt, o.Attempts = fromNanos(at), o.Attempts+1
			out = append(out, o)
			ids = append(ids, o.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET lease_until = $1, attempts = attempts + 1 WHERE id = ANY($2)`,
			nanos(now.Add(lease)), ids); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishOutbox ends a claim and writes ev.
func (s *Store) FinishOutbox(ctx context.Context, item countersign.OutboxItem, delivered bool, retry time.Time, ev countersign.Event) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		var n int64
		if delivered || retry.IsZero() {
			tag, e := tx.Exec(ctx, `DELETE FROM outbox WHERE id = $1 AND attempts = $2`, item.ID, item.Attempts)
			n, err = tag.RowsAffected(), e
		} else {
			tag, e := tx.Exec(ctx, `UPDATE outbox SET due_at = $1, lease_until = 0 WHERE id = $2 AND attempts = $3`,
				nanos(retry), item.ID, item.Attempts)
			n, err = tag.RowsAffected(), e
		}
		if err != nil {
			return fmt.Errorf("finish outbox: %w", err)
		}
		if n == 0 {
			return countersign.Errorf(countersign.ENotFound, "outbox item %d is no longer claimed by this attempt (%d)", item.ID, item.Attempts)
		}
		b := &pgx.Batch{}
		queueEvents(b, []countersign.Event{ev})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("finish outbox: %w", err)
		}
		return nil
	})
}

// SetChannelRef records what a channel posted for a request.
func (s *Store) SetChannelRef(ctx context.Context, requestID, target, ref string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO channel_refs (request_id, target, ref) VALUES ($1, $2, $3)
		ON CONFLICT (request_id, target) DO UPDATE SET ref = excluded.ref`, requestID, target, ref)
	if err != nil {
		return fmt.Errorf("set channel ref: %w", err)
	}
	return nil
}

// ChannelRef returns what a channel posted for a request, or "".
func (s *Store) ChannelRef(ctx context.Context, requestID, target string) (string, error) {
	var ref string
	err := s.pool.QueryRow(ctx, `SELECT ref FROM channel_refs WHERE request_id = $1 AND target = $2`, requestID, target).Scan(&ref)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("channel ref: %w", err)
	}
	return ref, nil
}
