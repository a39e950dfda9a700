package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	countersign "github.com/countersign/countersign"
	slackgo "github.com/slack-go/slack"
)

// Config wires Interactions.
type Config struct {
	// API calls Slack's Web API with the bot token.
	API *slackgo.Client
	// Reviewer records verdicts: the gateway's Service.
	Reviewer countersign.Reviewer
	// Store reads requests and guards against repeated interactions.
	Store countersign.Store
	// SigningSecret verifies requests over HTTP (the app's Signing Secret).
	SigningSecret string
	// People maps Slack users to reviewers, by Slack id or email.
	People countersign.People
	// AllowUnlisted lets a workspace member whose confirmed email is not in
	// People review as a human of that email with no groups.
	AllowUnlisted bool
	// APIURL is the Web API's base for Socket Mode's connection, ending in
	// "/" (default Slack's own); only tests change it.
	APIURL string
	// Now is the clock (time.Now when nil); Logger is nil for none.
	Now    func() time.Time
	Logger *slog.Logger
	// WorkTimeout bounds the work done after an interaction is
	// acknowledged; 0 means 30 seconds.
	WorkTimeout time.Duration
}

// Interactions receives the clicks and dialog submissions of the requests'
// messages: over HTTP (it is the http.Handler of POST
// /v1/channels/slack/interactions) or over Socket Mode (RunSocketMode). It
// acknowledges at once and does the work after, within WorkTimeout.
type Interactions struct {
	cfg Config
	wg  sync.WaitGroup
	ws  workspace
}

// NewInteractions returns the interaction handler.
func NewInteractions(cfg Config) *Interactions {
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = 30 * time.Second
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slackgo.APIURL
	}
	return &Interactions{cfg: cfg}
}

// maxBody bounds an interaction's body; Slack's are far smaller.
const maxBody = 1 << 20

// ServeHTTP verifies Slack's signature and timestamp, acknowledges the
// interaction and starts its work. An unsigned, forged or stale request is
// refused with 401 and changes nothing.
func (h *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large or unreadable", http.StatusBadRequest)
		return
	}
	if err := Verify(r.Header, body, h.cfg.SigningSecret, h.now()); err != nil {
		h.log().Warn("slack: refused an interaction", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "invalid or stale Slack signature", http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "no interaction payload", http.StatusBadRequest)
		return
	}
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		http.Error(w, "bad interaction payload", http.StatusBadRequest)
		return
	}
	ack, job := h.handle(ic)
	h.start(job)
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ack)
}

// Wait waits for the work of the interactions already acknowledged: call
// it on shutdown, after the server stops taking requests.
func (h *Interactions) Wait() { h.wg.Wait() }

// start runs job after the acknowledgement, bounded by WorkTimeout.
func (h *Interactions) start(job func(context.Context)) {
	if job == nil {
		return
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), h.cfg.WorkTimeout)
		defer cancel()
		job(ctx)
	}()
}

// handle returns what to answer an interaction with at once (nil for an
// empty 200) and the work to do after. HTTP and Socket Mode share it.
func (h *Interactions) handle(ic slackgo.InteractionCallback) (ack any, job func(context.Context)) {
	switch ic.Type {
	case slackgo.InteractionTypeBlockActions:
		for _, a := range ic.ActionCallback.BlockActions {
			if a.ActionID != ActionApprove && a.ActionID != ActionReject {
				continue
			}
			click := click{user: ic.User.ID, request: a.Value, trigger: ic.TriggerID, channel: channelOf(ic),
				verdict: countersign.VerdictApprove, key: firstOf(a.ActionTs, ic.ActionTs, ic.TriggerID)}
			if a.ActionID == ActionReject {
				click.verdict = countersign.VerdictReject
			}
			return nil, func(ctx context.Context) { h.onClick(ctx, click) }
		}
	case slackgo.InteractionTypeViewSubmission:
		if ic.View.CallbackID != ModalCallback {
			return nil, nil
		}
		meta, reason, ok := submission(ic.View)
		switch {
		case !ok:
			return slackgo.NewErrorsViewSubmissionResponse(map[string]string{reasonBlock: "This dialog is damaged; close it and click the button again."}), nil
		case reason == "":
			return slackgo.NewErrorsViewSubmissionResponse(map[string]string{reasonBlock: "A reason is required."}), nil
		case len(reason) > maxReason:
			return slackgo.NewErrorsViewSubmissionResponse(map[string]string{reasonBlock: "The reason is too long."}), nil
		}
		key := firstOf(ic.TriggerID, ic.View.ID+":"+ic.View.Hash)
		return nil, func(ctx context.Context) {
			if !h.first(ctx, ic.User.ID, key) {
				return
			}
			p, why := h.principal(ctx, ic.User.ID)
			if why != "" {
				h.tell(ctx, meta.Channel, ic.User.ID, string(why))
				return
			}
			h.review(ctx, p, ic.User.ID, meta.Channel, meta.Request, meta.Verdict, reason)
		}
	}
	return nil, nil
}

// click is an Approve or Reject button pressed.
type click struct {
	user, request, trigger, channel, key string
	verdict                              countersign.Verdict
}

// onClick maps the user, refuses at once what the gateway would refuse,
// and then records an approval or opens the reason dialog: for a
// rejection, and for an approval the rules require a reason for.
func (h *Interactions) onClick(ctx context.Context, c click) {
	if !h.first(ctx, c.user, c.key) {
		return
	}
	p, why := h.principal(ctx, c.user)
	if why != "" {
		h.tell(ctx, c.channel, c.user, string(why))
		return
	}
	r, err := h.cfg.Store.Request(ctx, c.request)
	if err != nil {
		h.tell(ctx, c.channel, c.user, countersign.ErrorMessage(err))
		return
	}
	needReason := c.verdict == countersign.VerdictReject ||
		r.Decision.Review != nil && r.Decision.Review.RequireReason
	if !needReason {
		h.review(ctx, p, c.user, c.channel, c.request, c.verdict, "")
		return
	}
	if err := r.CheckReviewer(p); err != nil {
		h.tell(ctx, c.channel, c.user, countersign.ErrorMessage(err))
		return
	}
	meta := modalMeta{Request: c.request, Verdict: c.verdict, Channel: c.channel}
	if _, err := h.cfg.API.OpenViewContext(ctx, c.trigger, reasonModal(meta)); err != nil {
		h.log().Warn("slack: views.open", "request", c.request, "err", err)
		h.tell(ctx, c.channel, c.user, "Countersign could not open the reason dialog; please click the button again.")
	}
}

// review records the verdict through the gateway and tells the reviewer
// how it went. The request's message is updated by the outbox delivery
// that the review causes.
func (h *Interactions) review(ctx context.Context, p countersign.Principal, user, channel, id string, v countersign.Verdict, reason string) {
	r, err := h.cfg.Reviewer.Review(ctx, p, id, countersign.ChannelReview{
		Verdict: v, Reason: reason, Channel: "slack", ChannelUser: user})
	if err != nil {
		h.tell(ctx, channel, user, countersign.ErrorMessage(err))
		return
	}
	got, want := r.Approvals()
	verb := "approval"
	if v == countersign.VerdictReject {
		verb = "rejection"
	}
	h.tell(ctx, channel, user, "Your "+verb+" of request "+id+" is recorded as "+p.Name+". The request is "+
		string(r.State)+" ("+strconv.Itoa(got)+" of "+strconv.Itoa(want)+" approvals).")
}

// first reports whether this is the first time user's interaction key is
// seen within the hour: Slack's retries and double clicks do nothing twice.
func (h *Interactions) first(ctx context.Context, user, key string) bool {
	k := "slack-action:" + user + ":" + key
	if len(k) > 200 || !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
		sum := sha256.Sum256([]byte(k))
		k = "slack-action:" + hex.EncodeToString(sum[:])
	}
	n, err := h.cfg.Store.Hit(ctx, k, h.now(), time.Hour, 1)
	if err != nil {
		h.log().Warn("slack: interaction guard", "user", user, "err", err)
		return false
	}
	return n == 1
}

// tell answers a Slack user with a message only they see.
func (h *Interactions) tell(ctx context.Context, channel, user, text string) {
	if channel == "" {
		channel = user
	}
	if _, err := h.cfg.API.PostEphemeralContext(ctx, channel, user, slackgo.MsgOptionText(escape(text), false)); err != nil {
		h.log().Warn("slack: chat.postEphemeral", "user", user, "err", err)
	}
}

func channelOf(ic slackgo.InteractionCallback) string {
	return firstOf(ic.Channel.ID, ic.Container.ChannelID)
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (h *Interactions) now() time.Time {
	if h.cfg.Now != nil {
		return h.cfg.Now()
	}
	return time.Now()
}

func (h *Interactions) log() *slog.Logger {
	if h.cfg.Logger != nil {
		return h.cfg.Logger
	}
	return slog.New(slog.DiscardHandler)
}
