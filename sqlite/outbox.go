package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// insertOutbox writes the notifications a change to r with events causes.
func insertOutbox(ctx context.Context, tx *sql.Conn, r *countersign.Request, events []countersign.Event) error {
	for _, o := range countersign.OutboxFor(r, events) {
		at := nanos(o.CreatedAt)
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (target, request_id, event_type, created_at, due_at)
			VALUES (?, ?, ?, ?, ?)`, o.Target, o.RequestID, o.EventType, at, at); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

// ClaimOutbox leases due items, the oldest per request and target.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]countersign.OutboxItem, error) {
	if limit <= 0 || lease <= 0 {
		return nil, countersign.Errorf(countersign.EInvalid, "claim outbox: limit and lease must be positive")
	}
	var out []countersign.OutboxItem
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, target, request_id, event_type, created_at, attempts FROM outbox o
			WHERE due_at <= ? AND lease_until <= ?
			AND id = (SELECT MIN(id) FROM outbox o2 WHERE o2.request_id = o.request_id AND o2.target = o.target)
			ORDER BY id LIMIT ?`, nanos(now), nanos(now), limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		defer rows.Close()
		var ids []any
		for rows.Next() {
			var (
				o  countersign.OutboxItem
				at int64
			)
			if err := rows.Scan(&o.ID, &o.Target, &o.RequestID, &o.EventType, &at, &o.Attempts); err != nil {
				return fmt.Errorf("claim outbox: %w", err)
			}
			o.CreatedAt, o.Attempts = fromNanos(at), o.Attempts+1
			out = append(out, o)
			ids = append(ids, o.ID)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		args := append([]any{nanos(now.Add(lease))}, ids...)
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id IN (?`+
			strings.Repeat(",?", len(ids)-1)+`)`, args...)
		if err != nil {
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
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		var res sql.Result
		var err error
		if delivered || retry.IsZero() {
			res, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND attempts = ?`, item.ID, item.Attempts)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE outbox SET due_at = ?, lease_until = 0 WHERE id = ? AND attempts = ?`,
				nanos(retry), item.ID, item.Attempts)
		}
		if err != nil {
			return fmt.Errorf("finish outbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return countersign.Errorf(countersign.ENotFound, "outbox item %d is no longer claimed by this attempt (%d)", item.ID, item.Attempts)
		}
		if err := s.insertEvents(ctx, tx, []countersign.Event{ev}); err != nil {
			return fmt.Errorf("finish outbox: %w", err)
		}
		return nil
	})
}

// SetChannelRef records what a channel posted for a request.
func (s *Store) SetChannelRef(ctx context.Context, requestID, target, ref string) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO channel_refs (request_id, target, ref) VALUES (?, ?, ?)
			ON CONFLICT (request_id, target) DO UPDATE SET ref = excluded.ref`, requestID, target, ref)
		if err != nil {
			return fmt.Errorf("set channel ref: %w", err)
		}
		return nil
	})
}

// ChannelRef returns what a channel posted for a request, or "".
func (s *Store) ChannelRef(ctx context.Context, requestID, target string) (string, error) {
	var ref string
	err := s.read.QueryRowContext(ctx, `SELECT ref FROM channel_refs WHERE request_id = ? AND target = ?`, requestID, target).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("channel ref: %w", err)
	}
	return ref, nil
}
