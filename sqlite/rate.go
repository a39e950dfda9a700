package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/countersign/countersign"
)

// Hit implements countersign.Store.Hit in one write transaction: the writer
// runs write transactions one at a time, so concurrent Hits on a key count
// one after another.
func (s *Store) Hit(ctx context.Context, key string, at time.Time, per time.Duration, max int) (int, error) {
	lo, now, err := countersign.HitWindow(key, at, per, max)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.StmtContext(ctx, s.stmt.rateDelete).ExecContext(ctx, key, lo); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		if err := tx.StmtContext(ctx, s.stmt.rateCount).QueryRowContext(ctx, key, lo).Scan(&n); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		if n >= max {
			return nil
		}
		if _, err := tx.StmtContext(ctx, s.stmt.rateInsert).ExecContext(ctx, key, now); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n + 1, nil
}

// Statements of Hit; rate_hits.at >= lo for the hits in the window.
const (
	rateDelete = `DELETE FROM rate_hits WHERE key = ? AND at < ?`
	rateInsert = `INSERT INTO rate_hits (key, at) VALUES (?, ?)`
	rateCount  = `SELECT count(*) FROM rate_hits WHERE key = ? AND at >= ?`
)
