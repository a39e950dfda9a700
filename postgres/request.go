package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// Limits of ListRequests, DueRequests and Events.
const (
	defaultDueLimit  = 100
	defaultEventPage = 100
	maxEventPage     = 10000
)

// errIdempotencyConflict reports that another transaction stored a request
// with the same idempotency key first.
var errIdempotencyConflict = errors.New("idempotency key taken")

// CreateRequest opens a request in one transaction. Under the agent's shared
// lock it reads the frozen flag, so a freeze is ordered before or after it;
// under a lock on the idempotency key, a repeated key finds the first
// request without calling Build.
func (s *Store) CreateRequest(ctx context.Context, p countersign.CreateRequestParams) (*countersign.Request, bool, error) {
	if p.Build == nil {
		return nil, false, countersign.Errorf(countersign.EInvalid, "create request: no Build function")
	}
	var (
		out     *countersign.Request
		created bool
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if p.IdempotencyKey != "" {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(10) || $3))`,
				lockIdempotency, p.Agent, p.IdempotencyKey); err != nil {
				return fmt.Errorf("create request: %w", err)
			}
			r, err := byIdempotencyKey(ctx, tx, p.Agent, p.IdempotencyKey)
			if err != nil || r != nil {
				out = r
				return err
			}
		}
		// Two statements, so that the second reads after the lock is held.
		var frozen bool
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2))`, lockAgent, p.Agent)
		b.Queue(`SELECT frozen FROM agents WHERE name = $1`, p.Agent).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&frozen); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		var counts []int
		if !frozen {
			var err error
			if counts, err = hits(ctx, tx, p.Hits); err != nil {
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
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO requests (id, agent, idempotency_key, state, due_at, created_at, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (agent, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
			RETURNING seq`,
			r.ID, p.Agent, nullString(p.IdempotencyKey), string(r.State), dueAt(r), nanos(r.CreatedAt), doc,
		).QueryRow(func(row pgx.Row) error {
			var seq int64
			err := row.Scan(&seq)
			if errors.Is(err, pgx.ErrNoRows) {
				return errIdempotencyConflict
			}
			return err
		})
		queueEvents(b, events)
		queueOutbox(b, r, events)
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, r.ID)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			if isUnique(err) {
				return countersign.Errorf(countersign.EConflict, "request %s already exists", r.ID)
			}
			return err
		}
		out, created = r, true
		return nil
	})
	if errors.Is(err, errIdempotencyConflict) {
		// Only when the key's lock did not keep the two apart (another
		// implementation wrote the row): return the request that won.
		r, err := byIdempotencyKey(ctx, s.pool, p.Agent, p.IdempotencyKey)
		if err == nil && r == nil {
			err = fmt.Errorf("create request: idempotency key %q conflicts but no request has it", p.IdempotencyKey)
		}
		return r, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// byIdempotencyKey returns the agent's request with that key, nil if none.
func byIdempotencyKey(ctx context.Context, q querier, agent, key string) (*countersign.Request, error) {
	var doc []byte
	err := q.QueryRow(ctx, `SELECT doc FROM requests WHERE agent = $1 AND idempotency_key = $2`, agent, key).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	return decodeRequest(doc)
}

// Request returns one request. Errors: ENotFound.
func (s *Store) Request(ctx context.Context, id string) (*countersign.Request, error) {
	var doc []byte
	err := s.pool.QueryRow(ctx, `SELECT doc FROM requests WHERE id = $1`, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
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
	where := []string{"true"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if p.State != "" {
		add("state = $%d", string(p.State))
	}
	if p.Agent != "" {
		add("agent = $%d", p.Agent)
	}
	if before > 0 {
		add("seq < $%d", before)
	}
	args = append(args, limit+1)
	rows, err := s.pool.Query(ctx, `SELECT seq, doc FROM requests WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d`, len(args)), args...)
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

// UpdateRequest locks the request's row, calls fn with it, and stores what fn
// made of it with fn's events. When fn fails, nothing is written and fn's
// error is returned unchanged.
func (s *Store) UpdateRequest(ctx context.Context, id string, fn func(*countersign.Request) ([]countersign.Event, error)) (*countersign.Request, error) {
	var out *countersign.Request
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var doc []byte
		err := tx.QueryRow(ctx, `SELECT doc FROM requests WHERE id = $1 FOR UPDATE`, id).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
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
		b := &pgx.Batch{}
		b.Queue(`UPDATE requests SET state = $1, due_at = $2, doc = $3 WHERE id = $4`, string(r.State), dueAt(r), changed, id)
		queueEvents(b, events)
		queueOutbox(b, r, events)
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, id)

		if err := tx.SendBatch(ctx, b).Close(); err != nil {
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
	rows, err := s.pool.Query(ctx, `SELECT id FROM requests WHERE due_at <= $1 ORDER BY due_at, seq LIMIT $2`, nanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due requests: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
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
func dueAt(r *countersign.Request) *int64 {
	if d := r.DueAt(); d != nil {
		n := nanos(*d)
		return &n
	}
	return nil
}
