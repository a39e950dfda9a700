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
	var n int
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		var err error
		n, err = s.hit(ctx, tx, countersign.HitParams{Key: key, At: at, Per: per, Max: max})
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// hits counts each of hs in tx, in order.
func (s *Store) hits(ctx context.Context, tx *sql.Conn, hs []countersign.HitParams) ([]int, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	counts := make([]int, len(hs))
	for i, h := range hs {
		n, err := s.hit(ctx, tx, h)
		if err != nil {
			return nil, err
		}
		counts[i] = n
	}
	return counts, nil
}

// hit counts one hit in tx.
func (s *Store) hit(ctx context.Context, tx *sql.Conn, h countersign.HitParams) (int, error) {
	lo, now, err := countersign.HitWindow(h.Key, h.At, h.Per, h.Max)
	if err != nil {
		return 0, err
	}
	if _, err := s.stmt.rateDelete.ExecContext(ctx, h.Key, lo); err != nil {
		return 0, fmt.Errorf("hit: %w", err)
	}
	var n int
	if err := s.stmt.rateCount.QueryRowContext(ctx, h.Key, lo, h.Max).Scan(&n); err != nil {
		return 0, fmt.Errorf("hit: %w", err)
	}
	if n < h.Max {
		if _, err := s.stmt.rateInsert.ExecContext(ctx, h.Key, now); err != nil {
			return 0, fmt.Errorf("hit: %w", err)
		}
	}
	return n + 1, nil
}

// Statements of Hit; rate_hits.at >= lo for the hits in the window.
const (
	rateDelete = `DELETE FROM rate_hits WHERE key = ? AND at < ?`
	rateInsert = `INSERT INTO rate_hits (key, at) VALUES (?, ?)`
	// At most max rows are read: a key never keeps more in its window, and
	// the cap holds if max shrank since.
	rateCount = `SELECT count(*) FROM (SELECT 1 FROM rate_hits WHERE key = ? AND at >= ? LIMIT ?)`
)
