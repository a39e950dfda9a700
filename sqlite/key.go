package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/countersign/countersign"
)

// CreateKey stores a key and its event. With p.OnlyIfEmpty it stores nothing
// and returns false when any key, revoked or not, exists. A key whose id or
// hash is taken is EConflict.
func (s *Store) CreateKey(ctx context.Context, p countersign.CreateKeyParams) (bool, error) {
	principal, err := json.Marshal(p.Key.Principal)
	if err != nil {
		return false, fmt.Errorf("create key: %w", err)
	}
	stored := false
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		if p.OnlyIfEmpty {
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM keys)`).Scan(&exists); err != nil {
				return fmt.Errorf("create key: %w", err)
			}
			if exists {
				return nil
			}
		}
		var revoked any
		if p.Key.RevokedAt != nil {
			revoked = nanos(*p.Key.RevokedAt)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO keys (id, hash, principal, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)`,
			p.Key.ID, p.Key.Hash, principal, nanos(p.Key.CreatedAt), revoked)
		if isUnique(err) {
			return countersign.Errorf(countersign.EConflict, "a key with id %s or the same hash exists", p.Key.ID)
		}
		if err != nil {
			return fmt.Errorf("create key: %w", err)
		}
		if err := s.insertEvents(ctx, tx, []countersign.Event{p.Event}); err != nil {
			return fmt.Errorf("create key: %w", err)
		}
		stored = true
		return nil
	})
	return stored, err
}

// KeyByHash returns the unrevoked key with that hash. Errors: ENotFound.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*countersign.Key, error) {
	row := s.stmt.keyByHash.QueryRowContext(ctx, hash)
	k, err := scanKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, countersign.Errorf(countersign.ENotFound, "no such key")
	}
	if err != nil {
		return nil, fmt.Errorf("key by hash: %w", err)
	}
	return k, nil
}

// Keys returns every key, revoked ones too, oldest first.
func (s *Store) Keys(ctx context.Context) ([]*countersign.Key, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, hash, principal, created_at, revoked_at FROM keys ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer rows.Close()
	var keys []*countersign.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return keys, nil
}

func scanKey(row interface{ Scan(...any) error }) (*countersign.Key, error) {
	var (
		k         countersign.Key
		principal []byte
		created   int64
		revoked   sql.NullInt64
	)
	if err := row.Scan(&k.ID, &k.Hash, &principal, &created, &revoked); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(principal, &k.Principal); err != nil {
		return nil, fmt.Errorf("decode principal of key %s: %w", k.ID, err)
	}
	k.CreatedAt = fromNanos(created)
	if revoked.Valid {
		t := fromNanos(revoked.Int64)
		k.RevokedAt = &t
	}
	return &k, nil
}

// RevokeKey marks a key revoked at at and writes ev. Revoking a revoked key
// changes nothing and writes no event. Errors: ENotFound.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time, ev countersign.Event) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM keys WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return countersign.Errorf(countersign.ENotFound, "key %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		if revoked.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE keys SET revoked_at = ? WHERE id = ?`, nanos(at), id); err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		if err := s.insertEvents(ctx, tx, []countersign.Event{ev}); err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		return nil
	})
}

// SetAgentFrozen freezes or unfreezes an agent and writes ev. It is ordered
// with CreateRequest by SQLite's single writer.
func (s *Store) SetAgentFrozen(ctx context.Context, name string, frozen bool, ev countersign.Event) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agents (name, frozen, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET frozen = excluded.frozen, updated_at = excluded.updated_at`,
			name, frozen, nanos(ev.Time))
		if err != nil {
			return fmt.Errorf("set agent frozen: %w", err)
		}
		if err := s.insertEvents(ctx, tx, []countersign.Event{ev}); err != nil {
			return fmt.Errorf("set agent frozen: %w", err)
		}
		return nil
	})
}

// AgentFrozen reports whether the agent is frozen; an unknown agent is not.
func (s *Store) AgentFrozen(ctx context.Context, name string) (bool, error) {
	var frozen bool
	err := s.read.QueryRowContext(ctx, `SELECT frozen FROM agents WHERE name = ?`, name).Scan(&frozen)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("agent frozen: %w", err)
	}
	return frozen, nil
}
