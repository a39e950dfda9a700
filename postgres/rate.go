package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// Hit implements countersign.Store.Hit in one transaction under the key's
// advisory lock, so concurrent Hits on a key, from any replica, count one
// after another.
func (s *Store) Hit(ctx context.Context, key string, at time.Time, per time.Duration, max int) (int, error) {
	lo, now, err := countersign.HitWindow(key, at, per, max)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// Separate statements, so that those after the lock read what the
		// Hits before it committed (READ COMMITTED takes a snapshot per
		// statement).
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockRate, key)
		b.Queue(`DELETE FROM rate_hits WHERE key = $1 AND at < $2`, key, lo)
		b.Queue(`WITH c AS (SELECT count(*) AS n FROM rate_hits WHERE key = $1 AND at >= $2),
			ins AS (INSERT INTO rate_hits (key, at) SELECT $1, $3 FROM c WHERE c.n < $4)
			SELECT n FROM c`, key, lo, now, max).
			QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n + 1, nil
}
