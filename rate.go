package countersign

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxHitKey is the longest key Store.Hit accepts, in bytes.
const MaxHitKey = 512

// The times Unix nanoseconds hold, which the stores keep times as.
var (
	minHitTime = time.Unix(0, math.MinInt64)
	maxHitTime = time.Unix(0, math.MaxInt64)
)

// HitWindow checks Store.Hit's arguments and returns the start of its
// window, at-per exclusive, as the first Unix nanosecond in it, and at in
// Unix nanoseconds. A window reaching back before 1678 starts there.
// Errors: EInvalid.
func HitWindow(key string, at time.Time, per time.Duration, max int) (lo, now int64, err error) {
	switch {
	case key == "":
		return 0, 0, Errorf(EInvalid, "hit: empty key")
	case len(key) > MaxHitKey:
		return 0, 0, Errorf(EInvalid, "hit: key of %d bytes, longer than %d", len(key), MaxHitKey)
	case !utf8.ValidString(key) || strings.ContainsRune(key, 0):
		return 0, 0, Errorf(EInvalid, "hit: key is not UTF-8 text without NUL")
	case per <= 0:
		return 0, 0, Errorf(EInvalid, "hit: period %v is not positive", per)
	case max < 1:
		return 0, 0, Errorf(EInvalid, "hit: max %d is not positive", max)
	case at.Before(minHitTime) || at.After(maxHitTime):
		return 0, 0, Errorf(EInvalid, "hit: time %v is outside the years 1678 to 2262", at)
	}
	now = at.UnixNano()
	if now < math.MinInt64+int64(per) {
		return math.MinInt64, now, nil
	}
	return now - int64(per) + 1, now, nil
}
