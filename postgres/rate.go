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
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = hit(ctx, tx, countersign.HitParams{Key: key, At: at, Per: per, Max: max})
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// hits counts each of hs in tx, in order.
func hits(ctx context.Context, tx pgx.Tx, hs []countersign.HitParams) ([]int, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	counts := make([]int, len(hs))
	for i, h := range hs {
		n, err := hit(ctx, tx, h)
		if err != nil {
			return nil, err
		}
		counts[i] = n
	}
	return counts, nil
}

// hit counts one hit in tx, under the key's advisory lock (held to the end
// of the transaction).
func hit(ctx context.Context, tx pgx.Tx, h countersign.HitParams) (int, error) {
	lo, now, err := countersign.HitWindow(h.Key, h.At, h.Per, h.Max)
	if err != nil {
		return 0, err
	}
	var n int
	// Separate statements, so that those after the lock read what the Hits
	// before it committed (READ COMMITTED takes a snapshot per statement).
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockRate, h.Key)
	b.Queue(`DELETE FROM rate_hits WHERE key = $1 AND at < $2`, h.Key, lo)
	b.Queue(`WITH c AS (SELECT count(*) AS n FROM (SELECT 1 FROM rate_hits WHERE key = $1 AND at >= $2 LIMIT $4) w),
		ins AS (INSERT INTO rate_hits (key, at) SELECT $1, $3 FROM c WHERE c.n < $4)
		SELECT n FROM c`, h.Key, lo, now, h.Max).
		QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("hit: %w", err)
	}
	return n + 1, nil
}
