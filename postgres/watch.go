package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Backoff between reconnections of Watch.
const (
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 5 * time.Second
)

// Watch listens on Channel on a connection of its own and calls fn with the id
// of every request any replica creates or changes, until ctx is done; it then
// returns nil. When the connection fails it reconnects with a growing
// backoff; notifications sent while it was away are lost, so each time the
// LISTEN is (re)established it calls fn("") to say "re-read everything".
// fn runs on Watch's goroutine and should return quickly.
func (s *Store) Watch(ctx context.Context, fn func(id string)) error {
	backoff := watchMinBackoff
	for {
		// listen returns only when its connection fails or ctx is done.
		err := s.listen(ctx, fn, func() { backoff = watchMinBackoff })
		if ctx.Err() != nil {
			return nil
		}
		if s.Logger != nil {
			s.Logger.Warn("listen for changes of other replicas failed; retrying", "err", err, "retry_in", backoff)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, watchMaxBackoff)
	}
}

// listen runs one LISTEN connection until it fails or ctx is done. It calls
// connected once the LISTEN is in place.
func (s *Store) listen(ctx context.Context, fn func(string), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(ctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	connected()
	fn("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		fn(n.Payload)
	}
}
