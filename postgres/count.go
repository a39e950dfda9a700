package postgres

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
)

// CountRequests returns how many requests are in state.
func (s *Store) CountRequests(ctx context.Context, state countersign.State) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM requests WHERE state = $1`, string(state)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}
