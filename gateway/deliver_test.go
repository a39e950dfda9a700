package gateway_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
	"github.com/countersign/countersign/policy"
	"github.com/countersign/countersign/sqlite"
)

const notifyPolicy = `version: 1
default: deny
rules:
  - name: prod
    match: action.environment == "production"
    effect: review
    review: {approvers: [any_human], min_approvals: 2, ttl: 10m, notify: ["webhook:siem", "slack:#ops"]}
`

// recorder is a notifier that fails its first fails deliveries and records
// the rest: the channels themselves are tested in slack/ and webhook/.
type recorder struct {
	mu    sync.Mutex
	fails int
	got   []string // "event_type state reviews"
}

func (n *recorder) Notify(_ context.Context, item countersign.OutboxItem, r *countersign.Request) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fails > 0 {
		n.fails--
		return errors.New("receiver answered 503 at https://hooks.example/x?token=ghp_Lm4Kx8Qw2Er6Ty0Ui3Op7As1Df5Gh9Jk2ZxC")
	}
	n.got = append(n.got, item.EventType+" "+string(r.State)+" "+string(rune('0'+len(r.Reviews))))
	return nil
}

func notifyService(t *testing.T, path string) (*gateway.Service, countersign.Store, *clock) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := policy.Parse("notify.yaml", []byte(notifyPolicy))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return gateway.New(gateway.Config{Store: st, Policy: p, Now: clk.Now}), st, clk
}

func eventsOf(t *testing.T, st countersign.Store, typ string) []countersign.Event {
	t.Helper()
	evs, err := st.Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []countersign.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// TestDelivererRetriesAndRendersNow checks a receiver that fails three
// times still gets the notification, that each failure is an event with the
// secret in its error masked, and that a notifier sees the request as it is
// now.
func TestDelivererRetriesAndRendersNow(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := notifyService(t, filepath.Join(t.TempDir(), "cs.db"))
	hook, chat := &recorder{fails: 3}, &recorder{}
	d := gateway.NewDeliverer(st, map[string]countersign.Notifier{"webhook": hook, "slack": chat}, nil)
	d.Now = clk.Now
	r, _, err := svc.Submit(ctx, bot, action("production"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := d.DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Second)
	}
	if want := "policy.decided pending 1,review.recorded pending 1"; strings.Join(chat.got, ",") != want {
		t.Errorf("slack got %q, want %q", strings.Join(chat.got, ","), want)
	}
	if want := "policy.decided pending 1,review.recorded pending 1"; strings.Join(hook.got, ",") != want {
		t.Errorf("webhook got %q, want %q", strings.Join(hook.got, ","), want)
	}
	failed := eventsOf(t, st, countersign.EventNotifyFailed)
	if len(failed) != 3 {
		t.Fatalf("%d failure events, want 3", len(failed))
	}
	if s := string(failed[0].Data); strings.Contains(s, "ghp_") || !strings.Contains(s, "[GITHUB_TOKEN]") || !strings.Contains(s, "retry_at") {
		t.Errorf("failure event data %s", s)
	}
	if n := len(eventsOf(t, st, countersign.EventNotified)); n != 4 {
		t.Errorf("%d delivered events, want 4", n)
	}
}

// TestDelivererAbandons checks a target with no channel configured is
// retried, then abandoned with an event, and the outbox drains.
func TestDelivererAbandons(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := notifyService(t, filepath.Join(t.TempDir(), "cs.db"))
	d := gateway.NewDeliverer(st, map[string]countersign.Notifier{"webhook": &recorder{}}, nil)
	d.Now = clk.Now
	if _, _, err := svc.Submit(ctx, bot, action("production")); err != nil {
		t.Fatal(err)
	}
	for range countersign.MaxOutboxAttempts + 5 {
		if _, err := d.DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(6 * time.Minute)
	}
	if n := len(eventsOf(t, st, countersign.EventNotifyFailed)); n != countersign.MaxOutboxAttempts-1 {
		t.Errorf("%d failure events, want %d", n, countersign.MaxOutboxAttempts-1)
	}
	ab := eventsOf(t, st, countersign.EventNotifyAbandoned)
	if len(ab) != 1 || !strings.Contains(string(ab[0].Data), `no \"slack\" channel is configured`) {
		t.Fatalf("abandoned events %v", ab)
	}
	if items, _ := st.ClaimOutbox(ctx, clk.Now().Add(time.Hour), time.Minute, 10); len(items) != 0 {
		t.Fatalf("outbox not drained: %v", items)
	}
}

// TestDelivererAfterRestart checks a notification written before a restart
// is delivered after it, by a new store and deliverer on the same file.
func TestDelivererAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cs.db")
	svc, st, _ := notifyService(t, path)
	if _, _, err := svc.Submit(ctx, bot, action("production")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, st2, clk := notifyService(t, path)
	hook, chat := &recorder{}, &recorder{}
	d := gateway.NewDeliverer(st2, map[string]countersign.Notifier{"webhook": hook, "slack": chat}, nil)
	d.Now = clk.Now
	if n, err := d.DeliverOnce(ctx); err != nil || n != 2 {
		t.Fatalf("DeliverOnce = %d, %v; want 2 items", n, err)
	}
	if len(hook.got) != 1 || len(chat.got) != 1 {
		t.Fatalf("delivered %v and %v", hook.got, chat.got)
	}
}
