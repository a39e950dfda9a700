package slack

import (
	"context"
	"io"
	"log"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives interactions over Slack's Socket Mode, for
// gateways with no public URL: it connects with the app-level token
// (xapp-..., scope connections:write), acknowledges every envelope at once
// and does the same work as the HTTP handler. It reconnects after a failure,
// waiting up to a minute between tries, and returns when ctx ends.
func (h *Interactions) RunSocketMode(ctx context.Context, appToken string) error {
	api := slackgo.New("", slackgo.OptionAppLevelToken(appToken), slackgo.OptionAPIURL(h.cfg.APIURL))
	wait := time.Second
	for {
		start := time.Now()
		err := h.socketMode(ctx, api)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(start) > time.Minute {
			wait = time.Second
		}
		h.log().Warn("slack: socket mode connection ended; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// socketMode runs one Socket Mode client until it fails or ctx ends.
func (h *Interactions) socketMode(ctx context.Context, api *slackgo.Client) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sm := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			return err
		case evt := <-sm.Events:
			switch evt.Type {
			case socketmode.EventTypeConnected:
				h.log().Info("slack: socket mode connected")
			case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError:
				if ctx.Err() != nil {
					continue
				}
				h.log().Warn("slack: socket mode", "event", evt.Type, "data", evt.Data)
			}
			if evt.Type != socketmode.EventTypeInteractive || evt.Request == nil {
				continue
			}
			ic, ok := evt.Data.(slackgo.InteractionCallback)
			var ack any
			var job func(context.Context)
			if ok {
				ack, job = h.handle(ic)
			}
			h.start(job)
			if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, ack); err != nil {
				h.log().Warn("slack: socket mode ack", "err", err)
			}
		}
	}
}
