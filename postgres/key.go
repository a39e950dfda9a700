package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// CreateKey stores a key and its event. With p.OnlyIfEmpty it locks the keys
// table against writers, so of replicas bootstrapping together exactly one
// stores its key; it stores nothing and returns false when any key, revoked or
// not, exists. A key whose id or hash is taken is EConflict.
func (s *Store) CreateKey(ctx context.Context, p countersign.CreateKeyParams) (bool, error) {
	principal, err := json.Marshal(p.Key.Principal)
	if err != nil {
		return false, fmt.Errorf("create key: %w", err)
	}
	stored := false
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if p.OnlyIfEmpty {
			if _, err := tx.Exec(ctx, `LOCK TABLE keys IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("create key: %w", err)
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM keys)`).Scan(&exists); err != nil {
				return fmt.Errorf("create key: %w", err)
			}
			if exists {
				return nil
			}
		}
		var revoked *int64
		if p.Key.RevokedAt != nil {
			n := nanos(*p.Key.RevokedAt)
			revoked = &n
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO keys (id, hash, principal, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)`,
			p.Key.ID, p.Key.Hash, principal, nanos(p.Key.CreatedAt), revoked)
		queueEvents(b, []countersign.Event{p.Event})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			if isUnique(err) {
				return countersign.Errorf(countersign.EConflict, "a key with id %s or the same hash exists", p.Key.ID)
			}
			return fmt.Errorf("create key: %w", err)
		}
		stored = true
		return nil
	})
	return stored, err
}

const keyColumns = `id, hash, principal, created_at, revoked_at`

// KeyByHash returns the unrevoked key with that hash. Errors: ENotFound.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*countersign.Key, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM keys WHERE hash = $1 AND revoked_at IS NULL`, hash)
	k, err := scanKey(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, countersign.Errorf(countersign.ENotFound, "no such key")
	}
	if err != nil {
		return nil, fmt.Errorf("key by hash: %w", err)
	}
	return k, nil
}

// Keys returns every key, revoked ones too, oldest first.
func (s *Store) Keys(ctx context.Context) ([]*countersign.Key, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM keys ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*countersign.Key, error) { return scanKey(row) })
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return keys, nil
}

func scanKey(row pgx.Row) (*countersign.Key, error) {
	var (
		k         countersign.Key
		principal []byte
		created   int64
		revoked   *int64
	)
	if err := row.Scan(&k.ID, &k.Hash, &principal, &created, &revoked); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(principal, &k.Principal); err != nil {
		return nil, fmt.Errorf("decode principal of key %s: %w", k.ID, err)
	}
	k.CreatedAt = fromNanos(created)
	if revoked != nil {
		t := fromNanos(*revoked)
		k.RevokedAt = &t
	}
	return &k, nil
}

// RevokeKey marks a key revoked at at and writes ev. Revoking a revoked key
// changes nothing and writes no event. Errors: ENotFound.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time, ev countersign.Event) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var revoked *int64
		err := tx.QueryRow(ctx, `SELECT revoked_at FROM keys WHERE id = $1 FOR UPDATE`, id).Scan(&revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return countersign.Errorf(countersign.ENotFound, "key %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		if revoked != nil {
			return nil
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE keys SET revoked_at = $1 WHERE id = $2`, nanos(at), id)
		queueEvents(b, []countersign.Event{ev})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		return nil
	})
}

// SetAgentFrozen freezes or unfreezes an agent and writes ev. It holds the
// agent's lock exclusively, so it waits for requests being created for the
// agent, and requests created after it see the new flag.
func (s *Store) SetAgentFrozen(ctx context.Context, name string, frozen bool, ev countersign.Event) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockAgent, name)
		b.Queue(`INSERT INTO agents (name, frozen, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET frozen = excluded.frozen, updated_at = excluded.updated_at`,
			name, frozen, nanos(ev.Time))
		queueEvents(b, []countersign.Event{ev})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("set agent frozen: %w", err)
		}
		return nil
	})
}

// AgentFrozen reports whether the agent is frozen; an unknown agent is not.
func (s *Store) AgentFrozen(ctx context.Context, name string) (bool, error) {
	var frozen bool
	err := s.pool.QueryRow(ctx, `SELECT frozen FROM agents WHERE name = $1`, name).Scan(&frozen)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("agent frozen: %w", err)
	}
	return frozen, nil
}
