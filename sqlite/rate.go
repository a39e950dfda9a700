package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign"
)

// maxHitKey is the longest key Hit accepts, in bytes.
const maxHitKey = 512

// Hit records a hit on key at at and counts the key's hits in (at-per, at],
// in one write transaction: the writer runs write transactions one at a
// time, so concurrent Hits on a key count one after another. It first
// deletes the key's hits at or before at-per. Errors: EInvalid (empty key,
// key over 512 bytes or not UTF-8 without NUL, per <= 0, at outside the years
// 1678 to 2262).
func (s *Store) Hit(ctx context.Context, key string, at time.Time, per time.Duration) (int, error) {
	lo, hi, err := hitWindow(key, at, per)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.StmtContext(ctx, s.stmt.rateDelete).ExecContext(ctx, key, lo); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		if _, err := tx.StmtContext(ctx, s.stmt.rateInsert).ExecContext(ctx, key, hi); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		if err := tx.StmtContext(ctx, s.stmt.rateCount).QueryRowContext(ctx, key, lo, hi).Scan(&n); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Statements of Hit; rate_hits.at is in [lo, hi] for the hits in the window.
const (
	rateDelete = `DELETE FROM rate_hits WHERE key = ? AND at < ?`
	rateInsert = `INSERT INTO rate_hits (key, at) VALUES (?, ?)`
	rateCount  = `SELECT count(*) FROM rate_hits WHERE key = ? AND at >= ? AND at <= ?`
)

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
