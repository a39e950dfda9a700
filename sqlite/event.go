package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/countersign/countersign"
)

// AppendEvents writes events that belong to no other change.
func (s *Store) AppendEvents(ctx context.Context, events []countersign.Event) error {
	if len(events) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		if err := s.insertEvents(ctx, tx, events); err != nil {
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
	rows, err := s.read.QueryContext(ctx, `SELECT seq, time, type, COALESCE(action_id, ''), actor, data
		FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []countersign.Event
	for rows.Next() {
		var (
			e    countersign.Event
			at   int64
			data []byte
		)
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.ActionID, &e.Actor, &data); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		e.Time, e.Data = fromNanos(at), data
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

// insertEvents writes events in order; SQLite numbers them in that order.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Conn, events []countersign.Event) error {
	if len(events) == 0 {
		return nil
	}
	st := s.stmt.insertEvent
	for _, e := range events {
		data := string(e.Data)
		if data == "" {
			data = "{}"
		}
		if _, err := st.ExecContext(ctx, nanos(e.Time), e.Type, nullString(e.ActionID), e.Actor, data); err != nil {
			return err
		}
	}
	return nil
}
