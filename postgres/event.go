package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// AppendEvents writes events that belong to no other change.
func (s *Store) AppendEvents(ctx context.Context, events []countersign.Event) error {
	if len(events) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		queueEvents(b, events)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("append events: %w", err)
		}
		return nil
	})
}

// Events returns events with Seq > after in order, at most limit (0 or less
// means 100, more than 10000 means 10000).
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]countersign.Event, error) {
	if limit <= 0 {
		limit = defaultEventPage
	}
	limit = min(limit, maxEventPage)
	rows, err := s.pool.Query(ctx, `SELECT seq, time, type, COALESCE(action_id, ''), actor, data
		FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (countersign.Event, error) {
		var (
			e    countersign.Event
			at   int64
			data []byte
		)
		err := row.Scan(&e.Seq, &at, &e.Type, &e.ActionID, &e.Actor, &data)
		e.Time, e.Data = fromNanos(at), data
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return events, nil
}

// queueEvents adds to b the statements that write events in order: the event
// log's lock, held to commit so that events commit in sequence order, and
// one INSERT per event.
func queueEvents(b *pgx.Batch, events []countersign.Event) {
	if len(events) == 0 {
		return
	}
	b.Queue(`SELECT pg_advisory_xact_lock($1, 0)`, lockEvents)
	for _, e := range events {
		data := []byte(e.Data)
		if len(data) == 0 {
			data = []byte(`{}`)
		}
		b.Queue(`INSERT INTO events (time, type, action_id, actor, data) VALUES ($1, $2, $3, $4, $5)`,
			nanos(e.Time), e.Type, nullString(e.ActionID), e.Actor, data)
	}
}
