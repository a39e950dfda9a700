package slack

import (
	"context"
	"fmt"
	"sync"
)

// workspace is the Slack workspace (and Enterprise Grid organisation) the
// app is installed in, from auth.test, asked once and kept.
type workspace struct {
	mu         sync.Mutex
	team, grid string
}

// get returns the workspace's team id and, on Enterprise Grid, its
// enterprise id. An error is not kept: the next call asks again.
func (h *Interactions) workspace(ctx context.Context) (team, grid string, err error) {
	w := &h.ws
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.team != "" {
		return w.team, w.grid, nil
	}
	r, err := h.cfg.API.AuthTestContext(ctx)
	if err != nil {
		return "", "", fmt.Errorf("auth.test: %w", err)
	}
	if r.TeamID == "" {
		return "", "", fmt.Errorf("auth.test gave no team id")
	}
	w.team, w.grid = r.TeamID, r.EnterpriseID
	return w.team, w.grid, nil
}
