package main

import (
	"fmt"
	"net/http"

	slackgo "github.com/slack-go/slack"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
	"github.com/countersign/countersign/webhook"
)

// channels builds the configured approval channels: their notifiers by
// kind, for the outbox, and their callbacks by route, for the API server.
func (m *Main) channels(store countersign.Store) (map[string]countersign.Notifier, map[string]http.Handler, error) {
	notifiers := map[string]countersign.Notifier{}
	routes := map[string]http.Handler{}
	if err := m.Config.People.Validate(); err != nil {
		return nil, nil, fmt.Errorf("config %w", err)
	}
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
	if c := m.Config.Slack; c.BotToken != "" {
		if c.SigningSecret == "" && c.AppToken == "" {
			return nil, nil, fmt.Errorf("config slack: set signing_secret (interactions over HTTP) or app_token (Socket Mode)")
		}
		var opts []slackgo.Option
		if c.APIURL != "" {
			opts = append(opts, slackgo.OptionAPIURL(c.APIURL))
		}
		api := slackgo.New(c.BotToken, opts...)
		log := m.Logger.With("component", "slack")
		n := slack.NewNotifier(api, store, nil, m.Config.People)
		n.Logger, n.Now = log, m.Now
		notifiers["slack"] = n
		m.slack = slack.NewInteractions(slack.Config{
			API: api, Reviewer: m.Service, Store: store, SigningSecret: c.SigningSecret,
			People: m.Config.People, AllowUnlisted: c.AllowUnlisted, APIURL: c.APIURL, Logger: log, Now: m.Now,
		})
		if c.SigningSecret != "" {
			routes["POST /v1/channels/slack/interactions"] = m.slack
		}
	}
	return notifiers, routes, nil
}
