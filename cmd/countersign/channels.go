package main

import (
	"fmt"
	"net/http"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// channels builds the configured approval channels: their notifiers by
// kind, for the outbox, and their callbacks by route, for the API server.
func (m *Main) channels(store countersign.Store) (map[string]countersign.Notifier, map[string]http.Handler, error) {
	notifiers := map[string]countersign.Notifier{}
	routes := map[string]http.Handler{}
	if len(m.Config.Webhooks) > 0 {
		ints := make([]webhook.Integration, len(m.Config.Webhooks))
		for i, w := range m.Config.Webhooks {
			ints[i] = webhook.Integration{Name: w.Name, URL: w.URL, Secret: w.Secret, SubmitFor: w.SubmitFor}
		}
		if err := webhook.ValidateAll(ints); err != nil {
			return nil, nil, fmt.Errorf("config webhooks: %w", err)
		}
		notifiers[webhook.Kind] = webhook.NewNotifier(ints, nil, m.Now)
		routes[webhook.Pattern] = webhook.NewHandler(ints, store, m.Service, m.Config.People, m.Now)
	}
	return notifiers, routes, nil
}
