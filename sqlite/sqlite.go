// Package sqlite is the embedded countersign.Store, on SQLite through
// modernc.org/sqlite (no cgo).
//
// The database runs in WAL mode. Writes go through one connection, held for
// the store's life, whose transactions begin IMMEDIATE, so every
// read-modify-write (idempotency
// checks, the frozen flag, grant consumption, review thresholds) is
// serialized, within this process and against any other process that opens
// the same file. Reads go through a separate pool of read-only connections
// that WAL lets run beside the writer.
//
// Functions passed to the store (CreateRequestParams.Build, UpdateRequest's
// fn) run while the write connection is held: they must not call the store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/migrate"
)

var _ countersign.Store = (*Store)(nil)

// Store is a countersign.Store in one SQLite file.
type Store struct {
	write *sql.DB // one connection, which wconn holds
	// wconn is the write connection, held so that the statements of the
	// write path, BEGIN IMMEDIATE and COMMIT among them, are prepared on it
	// once: database/sql's BeginTx would have the driver parse BEGIN on every
	// transaction, and Tx.Stmt rebinds a statement to the transaction on
	// every call.
	wconn *sql.Conn
	read  *sql.DB // read-only connections
	stmt  stmts
	w     writer // group commit onto write
	cp    checkpointer
}

// stmts are the statements of the busiest paths (CreateRequest,
// UpdateRequest, Hit), prepared once on the write connection: parsing SQL costs
// more than running these statements does.
type stmts struct {
	begin, commit, rollback                                                         *sql.Stmt // the writer's transactions
	byIdempotencyKey, frozen, insertRequest, insertEvent, requestDoc, updateRequest *sql.Stmt
	savepoint, release, rollbackTo                                                  *sql.Stmt
	rateDelete, rateInsert, rateCount                                               *sql.Stmt // Hit
	keyByHash                                                                       *sql.Stmt // on the read pool
}

// prepareTx prepares the statements that begin and end the writer's
// transactions (BEGIN IMMEDIATE: the write lock is taken at once).
func (s *Store) prepareTx(ctx context.Context) error {
	for dst, query := range map[**sql.Stmt]string{
		&s.stmt.begin:    `BEGIN IMMEDIATE`,
		&s.stmt.commit:   `COMMIT`,
		&s.stmt.rollback: `ROLLBACK`,
	} {
		st, err := s.wconn.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		*dst = st
	}
	return nil
}

func (s *Store) prepare(ctx context.Context) error {
	for dst, query := range map[**sql.Stmt]string{
		&s.stmt.byIdempotencyKey: `SELECT doc FROM requests WHERE agent = ? AND idempotency_key = ?`,
		&s.stmt.frozen:           `SELECT frozen FROM agents WHERE name = ?`,
		&s.stmt.insertRequest: `INSERT INTO requests (id, agent, idempotency_key, state, due_at, created_at, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
		&s.stmt.insertEvent:   `INSERT INTO events (time, type, action_id, actor, data) VALUES (?, ?, ?, ?, ?)`,
		&s.stmt.requestDoc:    `SELECT doc FROM requests WHERE id = ?`,
		&s.stmt.updateRequest: `UPDATE requests SET state = ?, due_at = ?, doc = ? WHERE id = ?`,
		&s.stmt.savepoint:     `SAVEPOINT job`,
		&s.stmt.release:       `RELEASE job`,
		&s.stmt.rollbackTo:    `ROLLBACK TO job`,
		&s.stmt.rateDelete:    rateDelete,
		&s.stmt.rateInsert:    rateInsert,
		&s.stmt.rateCount:     rateCount,
	} {
		st, err := s.wconn.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		*dst = st
	}
	return nil
}

// Open opens (creating when absent) the SQLite database at path and brings its
// schema up to date. The directory must exist.
func Open(ctx context.Context, path string) (*Store, error) {
	// A plain file name (not a file: URI) reaches SQLite as it is, less the
	// driver's query parameters after "?".
	if path == "" || path == ":memory:" || strings.Contains(path, "?") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite: %q must be a file name without \"?\", not a URI", path)
	}
	// synchronous=FULL: every commit is on disk before the caller hears
	// of it, so no decision, review or consumed grant can be lost to a power
	// failure (a lost consumption would let a grant be used twice). Group
	// commit (writer.go) shares one fsync among the transactions queued
	// meanwhile.
	common := path + "?_busy_timeout=10000&_foreign_keys=1"
	// Writers never checkpoint the WAL themselves (wal_autocheckpoint 0):
	// a checkpointer goroutine on a connection of its own does, in PASSIVE
	// mode, which never blocks the writer, so no write waits for one.
	write, err := sql.Open("sqlite", common+"&_txlock=immediate&_journal_mode=WAL&_synchronous=FULL&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	s := &Store{write: write}
	if s.wconn, err = write.Conn(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := s.prepareTx(ctx); err != nil {
		s.closeStmts()
		s.wconn.Close()
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s.startWriter()
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", common+"&_query_only=1&_synchronous=NORMAL")
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	s.read = read
	if s.stmt.keyByHash, err = read.PrepareContext(ctx, `SELECT id, hash, principal, created_at, revoked_at FROM keys
		WHERE hash = ? AND revoked_at IS NULL`); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: prepare: %w", path, err)
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := s.startCheckpointer(common); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// Close waits for the writes in flight and closes both pools.
func (s *Store) Close() error {
	s.stopWriter()
	s.stopCheckpointer()
	errs := s.closeStmts()
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.wconn.Close(), s.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// closeStmts closes the prepared statements and returns their errors.
func (s *Store) closeStmts() []error {
	var errs []error
	for _, st := range []*sql.Stmt{s.stmt.byIdempotencyKey, s.stmt.frozen, s.stmt.insertRequest,
		s.stmt.insertEvent, s.stmt.requestDoc, s.stmt.updateRequest, s.stmt.savepoint, s.stmt.release,
		s.stmt.rollbackTo, s.stmt.rateDelete, s.stmt.rateInsert, s.stmt.rateCount, s.stmt.keyByHash,
		s.stmt.begin, s.stmt.commit, s.stmt.rollback} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errs
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	if err := s.wconn.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the embedded migrations that the database lacks, in order,
// in one transaction. The IMMEDIATE transaction holds SQLite's write lock, so
// two processes opening the same file migrate one after the other.
func (s *Store) migrate(ctx context.Context) error {
	list, err := migrate.Read(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("migrate: %w", err)
			}
			applied[v] = true
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range list {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// nanos and fromNanos convert times to and from the integer columns.
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
