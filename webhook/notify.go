package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
)

// The event types an integration receives.
const (
	TypeCreated  = "request.created"  // held for review (policy.decided)
	TypeReviewed = "request.reviewed" // a review was recorded (review.recorded)
	TypeResolved = "request.resolved" // approved, rejected or cancelled
	TypeExpired  = "request.expired"  // the review window or the grant ran out
)

// EventTypeOf returns the webhook event type for an outbox item's event
// type, and false for an event that does not notify.
func EventTypeOf(eventType string) (string, bool) {
	switch eventType {
	case countersign.EventDecided:
		return TypeCreated, true
	case countersign.EventReviewed:
		return TypeReviewed, true
	case countersign.EventApproved, countersign.EventRejected, countersign.EventCancelled:
		return TypeResolved, true
	case countersign.EventExpired:
		return TypeExpired, true
	}
	return "", false
}

// Event is the JSON body of every webhook: what happened (Type, and the
// Countersign event type that caused it), when it happened, and the
// request as it is at delivery (not as the event left it), in the form of
// the HTTP API.
type Event struct {
	Type      string                  `json:"type"`
	Timestamp time.Time               `json:"timestamp"`
	EventType string                  `json:"event_type"`
	Request   countersign.RequestView `json:"request"`
}

// Timeout bounds one delivery attempt.
const Timeout = 10 * time.Second

// MessageID returns the webhook-id of an outbox item: "msg_" and its id. It
// is the same on every retry, so receivers can drop duplicates.
func MessageID(item countersign.OutboxItem) string {
	return "msg_" + strconv.FormatInt(item.ID, 10)
}

// Notifier delivers outbox items for "webhook:NAME" targets as signed POSTs
// to the integration's URL. It implements countersign.Notifier and is safe
// for concurrent use.
type Notifier struct {
	integrations map[string]Integration
	client       *http.Client
	now          func() time.Time
	timeout      time.Duration
	masker       *dlp.Masker
}

var _ countersign.Notifier = (*Notifier)(nil)

// NewNotifier returns a Notifier for the integrations (validated by the
// caller: see ValidateAll). client nil means a client of its own; either way
// redirects are not followed (a 3xx answer is a failure, as the Standard
// Webhooks specification advises) and each attempt is bounded by Timeout.
// now nil means time.Now.
func NewNotifier(integrations []Integration, client *http.Client, now func() time.Time) *Notifier {
	var c http.Client
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return &Notifier{integrations: byName(integrations), client: &c, now: now, timeout: Timeout, masker: dlp.DefaultMasker()}
}

// masked is the request as it may leave Countersign: secrets and personal
// data in what the agent wrote (the action's payload, summary, resource and
// labels, the facts and reasons that may quote it, reviewers' reasons, the
// recorded result) are masked, as in Slack. The
// identities (agent, owner, reviewers), ids and digest a receiver needs are
// kept. An event that cannot be checked is not sent (the worker retries).
func (n *Notifier) masked(ctx context.Context, v countersign.RequestView) (countersign.RequestView, error) {
	for _, raw := range []*json.RawMessage{&v.Action.Payload, &v.Facts, &v.Result} { // facts quote argv; results are the agent's
		if len(*raw) == 0 {
			continue
		}
		out, _, err := n.masker.MaskJSON(ctx, *raw)
		if err != nil {
			return v, err
		}
		*raw = out
	}
	text := func(s *string) error {
		out, _, err := n.masker.Mask(ctx, []byte(*s))
		*s = string(out)
		return err
	}
	errs := []error{text(&v.Action.Summary), text(&v.Action.Resource), text(&v.Reason)}
	labels := make(map[string]string, len(v.Action.Labels))
	for k, l := range v.Action.Labels {
		errs = append(errs, text(&l))
		labels[k] = l
	}
	if v.Action.Labels != nil {
		v.Action.Labels = labels
	}
	v.Reasons = slices.Clone(v.Reasons) // [] stays [], not null
	for i := range v.Reasons {
		errs = append(errs, text(&v.Reasons[i]))
	}
	// A reviewer's reason may quote the action (a rejection's is also the
	// request's reason, masked above).
	v.Reviews = slices.Clone(v.Reviews)
	for i := range v.Reviews {
		errs = append(errs, text(&v.Reviews[i].Reason))
	}
	return v, errors.Join(errs...)
}

// Notify posts the event of item about r, the request as it is now, to the
// integration item.Target names. A 2xx answer is a delivery; any other
// answer, a timeout or a network error is an error, and the worker retries.
// Errors name the integration, never its URL or secret.
func (n *Notifier) Notify(ctx context.Context, item countersign.OutboxItem, r *countersign.Request) error {
	if item.Kind() != Kind {
		return fmt.Errorf("webhook: outbox item %d targets %q, not a webhook", item.ID, item.Target)
	}
	name := item.Name()
	in, ok := n.integrations[name]
	if !ok {
		return fmt.Errorf("webhook: no integration named %q is configured (outbox item %d, target %q)", name, item.ID, item.Target)
	}
	if r == nil || r.ID != item.RequestID {
		return fmt.Errorf("webhook %s: outbox item %d comes without its request %s", name, item.ID, item.RequestID)
	}
	typ, ok := EventTypeOf(item.EventType)
	if !ok {
		return fmt.Errorf("webhook %s: outbox item %d has event type %q, which webhooks do not carry", name, item.ID, item.EventType)
	}
	view, err := n.masked(ctx, r.View())
	if err != nil {
		return fmt.Errorf("webhook %s: event of request %s withheld: masking failed: %w", name, r.ID, err)
	}
	body, err := json.Marshal(Event{Type: typ, Timestamp: item.CreatedAt.UTC(), EventType: item.EventType, Request: view})
	if err != nil {
		return fmt.Errorf("webhook %s: encode event of request %s: %w", name, r.ID, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: bad url", name)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "countersign-webhook")
	if err := SetHeaders(req.Header, in.Secret, MessageID(item), n.now(), body); err != nil {
		return fmt.Errorf("webhook %s: %w", name, err)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		// A *url.Error repeats the URL, which may hold a token: keep only
		// its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		switch {
		case parent.Err() != nil:
			return fmt.Errorf("webhook %s: post %s: %w", name, MessageID(item), parent.Err())
		case ctx.Err() != nil:
			return fmt.Errorf("webhook %s: post %s: no answer within %s", name, MessageID(item), n.timeout)
		}
		return fmt.Errorf("webhook %s: post %s: %w", name, MessageID(item), err)
	}
	// Drain a little so the connection can be reused; the content is not
	// read.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s: post %s answered %s", name, MessageID(item), resp.Status)
	}
	return nil
}
