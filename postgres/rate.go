package postgres

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// maxHitKey is the longest key Hit accepts, in bytes.
const maxHitKey = 512

// Hit records a hit on key at at and counts the key's hits in (at-per, at],
// in one transaction under the key's advisory lock, so concurrent Hits on a
// key, from any replica, count one after another. It first deletes the key's
// hits at or before at-per. Errors: EInvalid (empty key, key over 512 bytes
// or not UTF-8 without NUL, per <= 0, at outside the years 1678 to 2262).
func (s *Store) Hit(ctx context.Context, key string, at time.Time, per time.Duration) (int, error) {
	lo, hi, err := hitWindow(key, at, per)
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
		b.Queue(`INSERT INTO rate_hits (key, at) VALUES ($1, $2)`, key, hi)
		b.Queue(`SELECT count(*) FROM rate_hits WHERE key = $1 AND at >= $2 AND at <= $3`, key, lo, hi).
			QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// hitWindow checks Hit's arguments and returns its window (at-per, at] as
// inclusive bounds in Unix nanoseconds. A window reaching before the
// earliest time a column holds starts there.
func hitWindow(key string, at time.Time, per time.Duration) (lo, hi int64, err error) {
	switch {
	case key == "":
		return 0, 0, countersign.Errorf(countersign.EInvalid, "hit: empty key")
	case len(key) > maxHitKey:
		return 0, 0, countersign.Errorf(countersign.EInvalid, "hit: key of %d bytes, longer than %d", len(key), maxHitKey)
	case !utf8.ValidString(key) || strings.ContainsRune(key, 0):
		return 0, 0, countersign.Errorf(countersign.EInvalid, "hit: key is not UTF-8 text without NUL")
	case per <= 0:
		return 0, 0, countersign.Errorf(countersign.EInvalid, "hit: period %v is not positive", per)
	case at.Before(minTime) || at.After(maxTime):
		return 0, 0, countersign.Errorf(countersign.EInvalid, "hit: time %v is outside the years 1678 to 2262", at)
	}
	hi = nanos(at)
	if hi < math.MinInt64+int64(per) {
		return math.MinInt64, hi, nil
	}
	return hi - int64(per) + 1, hi, nil
}

// minTime and maxTime bound the times that Unix nanoseconds hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)
