package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
	slackgo "github.com/slack-go/slack"
)

// Notifier posts and updates requests' messages in Slack: the outbox
// delivery worker calls it for items whose target is "slack:...". It is
// safe for concurrent use, and any replica may deliver any item: what it
// posted is recorded in the store.
type Notifier struct {
	api    *slackgo.Client
	store  countersign.Store
	masker *dlp.Masker
	people countersign.People

	// Now is the clock (time.Now when nil); Logger logs what is not
	// retried (nil: discarded).
	Now    func() time.Time
	Logger *slog.Logger
}

var _ countersign.Notifier = (*Notifier)(nil)

// NewNotifier returns a Notifier that posts with api, records its messages
// in store, masks what it shows with masker (dlp.DefaultMasker() when nil)
// and finds agents' owners' Slack ids in people before asking Slack.
func NewNotifier(api *slackgo.Client, store countersign.Store, masker *dlp.Masker, people countersign.People) *Notifier {
	if masker == nil {
		masker = dlp.DefaultMasker()
	}
	return &Notifier{api: api, store: store, masker: masker, people: people}
}

// Notify shows r as it is now at item's target: it posts the request's
// message the first time and records where ("channelID/ts"), and updates
// that message in place afterwards. On the request's resolution it also
// tells the agent's owner the outcome, once. An error means the item is to
// be retried.
func (n *Notifier) Notify(ctx context.Context, item countersign.OutboxItem, r *countersign.Request) error {
	if item.Kind() != "slack" {
		return fmt.Errorf("slack: target %q is not a Slack target", item.Target)
	}
	if r == nil {
		return fmt.Errorf("slack: no request for outbox item %d", item.ID)
	}
	dest, err := destination(item.Name())
	if err != nil {
		return err
	}
	fileRef, err := n.store.ChannelRef(ctx, r.ID, item.Target+fileKey)
	if err != nil {
		return fmt.Errorf("slack: read file ref: %w", err)
	}
	msg := render(ctx, n.masker, r, fileRef)
	channel, ts, err := n.show(ctx, item.Target, dest, r.ID, msg)
	if err != nil {
		return err
	}
	if msg.file != "" && fileRef == "" {
		fileRef, err = n.attach(ctx, r.ID, item.Target, channel, ts, msg.file)
		if err != nil {
			return err
		}
		if strings.HasPrefix(fileRef, fileFailed) {
			// The message promised the file; say instead that it is not there.
			if _, _, err := n.show(ctx, item.Target, dest, r.ID, render(ctx, n.masker, r, fileRef)); err != nil {
				return err
			}
		}
	}
	if resolves[item.EventType] {
		n.tellOwner(ctx, r)
	}
	return nil
}

// resolves are the events on which the agent's owner is told the outcome.
var resolves = map[string]bool{
	countersign.EventApproved: true, countersign.EventRejected: true,
	countersign.EventExpired: true, countersign.EventCancelled: true,
}

// destination turns a target's name into chat.postMessage's channel: a
// channel name ("#ops"), a channel id ("C0123"), or a user id ("@U0123",
// which posts to the app's direct messages with that user).
func destination(name string) (string, error) {
	switch {
	case len(name) > 1 && name[0] == '#':
		return name, nil
	case len(name) > 1 && name[0] == '@':
		return name[1:], nil
	case name != "" && !strings.ContainsAny(name, " /:#@"):
		return name, nil
	}
	return "", fmt.Errorf("slack: target %q is not slack:#channel, slack:CHANNEL_ID or slack:@USER_ID", "slack:"+name)
}

// show posts the request's message at target the first time, recording
// its channel and ts, and updates it in place afterwards; a message deleted
// in Slack is posted again.
func (n *Notifier) show(ctx context.Context, target, dest, id string, msg message) (channel, ts string, err error) {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(msg.text, false), slackgo.MsgOptionBlocks(msg.blocks...)}
	ref, err := n.store.ChannelRef(ctx, id, target)
	if err != nil {
		return "", "", fmt.Errorf("slack: read message ref: %w", err)
	}
	channel, ts, _ = strings.Cut(ref, "/")
	if ref != "" {
		_, _, _, err = n.api.UpdateMessageContext(ctx, channel, ts, opts...)
		switch code := slackError(err); {
		case code == "message_not_found" || code == "channel_not_found":
			n.log().Warn("slack: message gone; posting it again", "request", id, "target", target)
		case err != nil:
			return "", "", fmt.Errorf("slack: chat.update %s: %w", target, err)
		default:
			return channel, ts, nil
		}
	}
	channel, ts, err = n.api.PostMessageContext(ctx, dest, opts...)
	if err != nil {
		return "", "", fmt.Errorf("slack: chat.postMessage %s: %w", target, err)
	}
	if err := n.store.SetChannelRef(ctx, id, target, channel+"/"+ts); err != nil {
		return "", "", fmt.Errorf("slack: record message ref: %w", err)
	}
	return channel, ts, nil
}

// What attach records beside the message's ref: the file's id, or
// fileFailed and Slack's error code when Slack refused the upload.
const (
	fileKey    = "#file"
	fileFailed = "failed:"
)

// attach uploads the whole masked payload into the message's thread and
// records the file's id, so that it is uploaded once. When Slack refuses
// (the app is not in the channel, a scope is missing) that is recorded
// instead and not retried; other errors are returned, to be retried.
func (n *Notifier) attach(ctx context.Context, id, target, channel, ts, content string) (string, error) {
	ref := ""
	f, err := n.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
		Content: content, FileSize: len(content), Filename: "countersign-" + id + "-payload.txt",
		Title: "Request " + id + ": the whole masked payload", Channel: channel, ThreadTimestamp: ts,
		SnippetType: "text",
	})
	switch code := slackError(err); {
	case code != "":
		n.log().Warn("slack: payload file refused", "request", id, "target", target, "err", code)
		ref = fileFailed + code
	case err != nil:
		return "", fmt.Errorf("slack: upload payload of %s: %w", id, err)
	default:
		ref = f.ID
	}
	if err := n.store.SetChannelRef(ctx, id, target+fileKey, ref); err != nil {
		return "", fmt.Errorf("slack: record file ref: %w", err)
	}
	return ref, nil
}

// tellOwner sends the agent's owner the outcome by direct message, once per
// request whatever the number of targets and replicas. A failure is logged,
// not retried: the guard has been spent.
func (n *Notifier) tellOwner(ctx context.Context, r *countersign.Request) {
	if r.AgentOwner == "" || r.State == countersign.StatePending {
		return
	}
	hit, err := n.store.Hit(ctx, "slack-dm:"+r.ID, n.now(), 30*24*time.Hour, 1)
	if err != nil || hit != 1 {
		if err != nil {
			n.log().Warn("slack: owner message guard", "request", r.ID, "err", err)
		}
		return
	}
	user := ""
	if p, ok := n.people.ByEmail(r.AgentOwner); ok && p.Slack != "" {
		user = p.Slack
	} else {
		u, err := n.api.GetUserByEmailContext(ctx, r.AgentOwner)
		if err != nil {
			n.log().Warn("slack: cannot find the agent's owner", "request", r.ID, "owner", r.AgentOwner, "err", err)
			return
		}
		user = u.ID
	}
	text := ownerText(ctx, n.masker, r)
	if _, _, err := n.api.PostMessageContext(ctx, user, slackgo.MsgOptionText(text, false),
		slackgo.MsgOptionBlocks(section("owner", text))); err != nil {
		n.log().Warn("slack: cannot message the agent's owner", "request", r.ID, "owner", r.AgentOwner, "err", err)
	}
}

func ownerText(ctx context.Context, m *dlp.Masker, r *countersign.Request) string {
	s := fmt.Sprintf("Your agent *%s*'s %s action %s is *%s*.", escape(r.Agent), escape(string(r.Action.Kind)),
		escape(r.ID), strings.ToLower(stateTitle(r.State)))
	if sum := maskText(ctx, m, r.Action.Summary); sum != "" {
		s += "\n> " + escape(clip(strings.ReplaceAll(sum, "\n", " "), 500))
	}
	return clipEscaped(s + "\n" + outcome(ctx, m, r))
}

// slackError returns the error code of a Slack Web API error ("" if err is
// not one).
func slackError(err error) string {
	var e slackgo.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	return ""
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notifier) log() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.New(slog.DiscardHandler)
}
