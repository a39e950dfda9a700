package main

import (
	"net/http"

	"github.com/countersign/countersign"
)

// channels builds the configured approval channels: their notifiers by
// kind, for the outbox, and their callbacks by route, for the API server.
func (m *Main) channels(store countersign.Store) (map[string]countersign.Notifier, map[string]http.Handler, error) {
	notifiers := map[string]countersign.Notifier{}
	routes := map[string]http.Handler{}
	return notifiers, routes, nil
}
