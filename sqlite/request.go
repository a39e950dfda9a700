package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/countersign/countersign"
)

// Limits of ListRequests, DueRequests and Events.
const (
	defaultDueLimit  = 100
	defaultEventPage = 100
	maxEventPage     = 10000
)

// CreateRequest opens a request in one write transaction: the idempotency
// check, the agent's frozen flag, Build, the row and its events.
func (s *Store) CreateRequest(ctx context.Context, p countersign.CreateRequestParams) (*countersign.Request, bool, error) {
	if p.Build == nil {
		return nil, false, countersign.Errorf(countersign.EInvalid, "create request: no Build function")
	}
	var (
		out     *countersign.Request
		created bool
	)
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		if p.IdempotencyKey != "" {
			var doc []byte
			err := s.stmt.byIdempotencyKey.QueryRowContext(ctx, p.Agent, p.IdempotencyKey).Scan(&doc)
			if err == nil {
				out, err = decodeRequest(doc)
				return err
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("create request: %w", err)
			}
		}
		var frozen bool
		err := s.stmt.frozen.QueryRowContext(ctx, p.Agent).Scan(&frozen)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("create request: %w", err)
		}
		var counts []int
		if !frozen {
			if counts, err = s.hits(ctx, tx, p.Hits); err != nil {
				return fmt.Errorf("create request: %w", err)
			}
		}
		r, events, err := p.Build(frozen, counts)
		if err != nil {
			return err
		}
		if r == nil || r.Agent != p.Agent {
			return fmt.Errorf("create request: Build returned a request not of agent %q", p.Agent)
		}
		doc, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		_, err = s.stmt.insertRequest.ExecContext(ctx,
			r.ID, p.Agent, nullString(p.IdempotencyKey), string(r.State), dueAt(r), nanos(r.CreatedAt), doc)
		if err != nil {
			if isUnique(err) {
				return countersign.Errorf(countersign.EConflict, "request %s already exists", r.ID)
			}
			return fmt.Errorf("create request: %w", err)
		}
		if err := s.insertEvents(ctx, tx, events); err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		if err := insertOutbox(ctx, tx, r, events); err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		out, created = r, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// Request returns one request. Errors: ENotFound.
func (s *Store) Request(ctx context.Context, id string) (*countersign.Request, error) {
	var doc []byte
	err := s.read.QueryRowContext(ctx, `SELECT doc FROM requests WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, countersign.Errorf(countersign.ENotFound, "request %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get request: %w", err)
	}
	return decodeRequest(doc)
}

// ListRequests returns requests newest first. Limit 0 means 50; a limit over
// 500, an unknown state or a bad cursor is EInvalid. The cursor is the
// sequence number of the last request returned.
func (s *Store) ListRequests(ctx context.Context, p countersign.ListRequestsParams) ([]*countersign.Request, string, error) {
	limit, before, err := p.Page()
	if err != nil {
		return nil, "", err
	}
	where := []string{"1 = 1"}
	var args []any
	if p.State != "" {
		where = append(where, "state = ?")
		args = append(args, string(p.State))
	}
	if p.Agent != "" {
		where = append(where, "agent = ?")
		args = append(args, p.Agent)
	}
	if before > 0 {
		where = append(where, "seq < ?")
		args = append(args, before)
	}
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, `SELECT seq, doc FROM requests WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	var (
		out  []*countersign.Request
		seqs []int64
	)
	for rows.Next() {
		var (
			seq int64
			doc []byte
		)
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, "", fmt.Errorf("list requests: %w", err)
		}
		r, err := decodeRequest(doc)
		if err != nil {
			return nil, "", err
		}
		out, seqs = append(out, r), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list requests: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.FormatInt(seqs[limit-1], 10)
	}
	return out, next, nil
}

// UpdateRequest calls fn with the request inside a write transaction and
// stores what fn made of it with fn's events. When fn fails, nothing is
// written and fn's error is returned unchanged.
func (s *Store) UpdateRequest(ctx context.Context, id string, fn func(*countersign.Request) ([]countersign.Event, error)) (*countersign.Request, error) {
	var out *countersign.Request
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		var doc []byte
		err := s.stmt.requestDoc.QueryRowContext(ctx, id).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return countersign.Errorf(countersign.ENotFound, "request %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("update request: %w", err)
		}
		r, err := decodeRequest(doc)
		if err != nil {
			return err
		}
		events, err := fn(r)
		if err != nil {
			return err
		}
		out = r
		changed, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("update request: %w", err)
		}
		if len(events) == 0 && bytes.Equal(changed, doc) {
			return nil // nothing to write
		}
		if _, err := s.stmt.updateRequest.ExecContext(ctx,
			string(r.State), dueAt(r), changed, id); err != nil {
			return fmt.Errorf("update request: %w", err)
		}
		if err := s.insertEvents(ctx, tx, events); err != nil {
			return fmt.Errorf("update request: %w", err)
		}
		if err := insertOutbox(ctx, tx, r, events); err != nil {
			return fmt.Errorf("update request: %w", err)
		}

		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DueRequests returns the ids of live requests due at or before now, the
// soonest due first. A limit of 0 or less means 100.
func (s *Store) DueRequests(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = defaultDueLimit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM requests WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?`,
		nanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due requests: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due requests: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due requests: %w", err)
	}
	return ids, nil
}

func decodeRequest(doc []byte) (*countersign.Request, error) {
	r := new(countersign.Request)
	if err := json.Unmarshal(doc, r); err != nil {
		return nil, fmt.Errorf("decode request: %w", err)
	}
	return r, nil
}

// dueAt is the due_at column of r: NULL when r has no deadline.
func dueAt(r *countersign.Request) any {
	if d := r.DueAt(); d != nil {
		return nanos(*d)
	}
	return nil
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
