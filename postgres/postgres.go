// Package postgres is the countersign.Store for several gateway replicas, on
// PostgreSQL through pgx.
//
// Transactions run at READ COMMITTED; what must be serialized is serialized
// with row locks (SELECT ... FOR UPDATE on the request being changed), a
// table lock (bootstrap keys) and transaction-scoped advisory locks:
//
//   - per agent, shared by CreateRequest and exclusive for SetAgentFrozen, so
//     a freeze and a request of the same agent are ordered;
//   - per agent and idempotency key, so only the first of concurrent
//     submissions with one key builds a request;
//   - one for the event log, taken just before events are written and held
//     to commit, so events commit in sequence order and a reader paging with
//     Events(after, ...) never skips an event that commits late;
//   - per rate-limit key, so that concurrent Hits on one key count one after
//     another;
//   - one for migrations, so replicas that start together migrate in turn.
//
// Every change to a request sends its id on the countersign_requests channel
// in its transaction; Watch turns those notifications into calls.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/migrate"
)

var (
	_ countersign.Store   = (*Store)(nil)
	_ countersign.Watcher = (*Store)(nil)
)

// Channel is the LISTEN/NOTIFY channel that carries the ids of changed requests.
const Channel = "countersign_requests"

// Advisory lock classes: the first key of pg_advisory_xact_lock(int, int).
const (
	lockMigrations int32 = 0x63730001 + iota
	lockAgent
	lockIdempotency
	lockEvents
	lockLedger
	lockRate
)

// Store is a countersign.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// Logger receives what the store cannot return to a caller (Watch's
	// reconnections). Nil discards it. Set it before calling Watch.
	Logger *slog.Logger
}

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the embedded migrations that the database lacks, in order,
// in one transaction under an advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	list, err := migrate.Read(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, lockMigrations); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		applied := map[int]bool{}
		for _, v := range versions {
			applied[int(v)] = true
		}
		for _, m := range list {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// inTx runs fn in a transaction and commits when it returns nil. fn's error
// is returned unchanged.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// nanos and fromNanos convert times to and from the bigint columns.
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// nullString stores "" as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
