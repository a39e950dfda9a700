package gateway_test

// Review findings on the outbox Deliverer: tests that show defects, and
// regression tests worth keeping. Each says which it is.

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
)

// failing is a notifier that always fails with err.
type failing struct{ err error }

func (f failing) Notify(context.Context, countersign.OutboxItem, *countersign.Request) error {
	return f.err
}

// Regression (this failed before the fix). Deliverer.describe cuts an error's text at 300 bytes
// and masks it afterwards: a secret that straddles the cut is no longer
// whole, the masker does not recognise the fragment, and the first part of
// the secret is written into the notification.failed event — the evidence
// log, which is append-only and signed, so it cannot be scrubbed later.
// Masking must come before the cut.
func TestReviewDescribeCutsSecretBeforeMasking(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := notifyService(t, filepath.Join(t.TempDir(), "cs.db"))
	token := "ghp_" + "R7xQ2mZp9LkT4vWc8NbJ3sHd6FgYa1Ue5OiK"
	// A long URL in an error, as net/http or a proxy would write it, with
	// the token at about byte 290.
	prefix := "receiver answered 503 at https://hooks.example.com/countersign/v1/tenants/acme-production-eu-west-1/integrations/" +
		strings.Repeat("approvals-", 14) + "x/ingest/hooks/k/"
	if len(prefix) < 270 || len(prefix) > 296 {
		t.Fatalf("prefix is %d bytes; the token must straddle byte 300", len(prefix))
	}
	n := failing{err: errors.New(prefix + token + "&more=1")}
	d := gateway.NewDeliverer(st, map[string]countersign.Notifier{"webhook": n, "slack": n}, nil)
	d.Now = clk.Now
	if _, _, err := svc.Submit(ctx, bot, action("production")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverOnce(ctx); err != nil {
		t.Fatal(err)
	}
	failed := eventsOf(t, st, countersign.EventNotifyFailed)
	if len(failed) == 0 {
		t.Fatal("no failure event")
	}
	for _, ev := range failed {
		if s := string(ev.Data); strings.Contains(s, token[:12]) {
			t.Fatalf("part of the token reached the evidence: %s", s)
		}
	}
}

// REGRESSION (passes). The same secret, whole, in a short error is masked:
// the leak above is the cut alone.
func TestReviewDescribeMasksWholeSecret(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := notifyService(t, filepath.Join(t.TempDir(), "cs.db"))
	token := "ghp_" + "R7xQ2mZp9LkT4vWc8NbJ3sHd6FgYa1Ue5OiK"
	n := failing{err: errors.New("post https://hooks.example/ingest/hooks/k/" + token + ": 503")}
	d := gateway.NewDeliverer(st, map[string]countersign.Notifier{"webhook": n, "slack": n}, nil)
	d.Now = clk.Now
	if _, _, err := svc.Submit(ctx, bot, action("production")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ev := range eventsOf(t, st, countersign.EventNotifyFailed) {
		if s := string(ev.Data); strings.Contains(s, "R7xQ2mZp9") {
			t.Fatalf("token in the evidence: %s", s)
		}
	}
}

// gated is a notifier whose webhook deliveries wait for their gate (one a
// call, in order), and which records a delivery that starts while another
// delivery of the same request and target is still in flight.
type gated struct {
	mu       sync.Mutex
	gates    []chan struct{}
	started  chan string // event type of each call, as it starts
	inFlight map[string][]string
	overlaps []string
	finished []string
	calls    int
}

func (g *gated) Notify(ctx context.Context, item countersign.OutboxItem, r *countersign.Request) error {
	key := item.RequestID + " " + item.Target
	g.mu.Lock()
	// The same item claimed again after its lease ran out is at least
	// once, by design; a later item overtaking an earlier one is not.
	for _, prev := range g.inFlight[key] {
		if prev != item.EventType {
			g.overlaps = append(g.overlaps, item.EventType+" started while "+prev+" was in flight")
		}
	}
	g.inFlight[key] = append(g.inFlight[key], item.EventType)
	var gate chan struct{}
	if g.calls < len(g.gates) {
		gate = g.gates[g.calls]
	}
	g.calls++
	g.mu.Unlock()
	g.started <- item.EventType
	if gate != nil {
		<-gate
	}
	g.mu.Lock()
	if i := slices.Index(g.inFlight[key], item.EventType); i >= 0 {
		g.inFlight[key] = slices.Delete(g.inFlight[key], i, i+1)
	}
	g.finished = append(g.finished, item.EventType)
	g.mu.Unlock()
	return nil
}

// Regression (this failed before the fix). FinishOutbox does not check that the caller still
// holds the claim. When a delivery outlives its lease (a slow receiver, a
// stalled store: neither the request read nor FinishOutbox is bounded by
// Deliverer.Timeout), another replica claims the item again — allowed, at
// least once — but when the first replica then finishes, it deletes the
// item the second is still delivering. That releases the request's next
// item for the same target, which is then delivered concurrently with, and
// before, the older one: the per-request-and-target order the design
// promises is broken (for Slack: two chat.postMessage for one request, the
// older state shown last). A stale failure likewise resets lease_until to
// 0 under the other replica's claim.
func TestReviewStaleFinishReleasesNextItemEarly(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := notifyService(t, filepath.Join(t.TempDir(), "cs.db"))
	hook := &gated{gates: []chan struct{}{make(chan struct{}), make(chan struct{})},
		started: make(chan string, 10), inFlight: map[string][]string{}}
	chat := &recorder{}
	newD := func() *gateway.Deliverer {
		d := gateway.NewDeliverer(st, map[string]countersign.Notifier{"webhook": hook, "slack": chat}, nil)
		d.Now, d.Lease = clk.Now, time.Minute
		return d
	}
	r, _, err := svc.Submit(ctx, bot, action("production"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}

	// Replica A claims policy.decided for webhook:siem; its delivery hangs.
	aDone := make(chan error, 1)
	go func() { _, err := newD().DeliverOnce(ctx); aDone <- err }()
	if ev := <-hook.started; ev != countersign.EventDecided {
		t.Fatalf("first delivery %s", ev)
	}
	// The lease runs out; replica B claims the same item again.
	clk.Advance(2 * time.Minute)
	bDone := make(chan error, 1)
	go func() { _, err := newD().DeliverOnce(ctx); bDone <- err }()
	if ev := <-hook.started; ev != countersign.EventDecided {
		t.Fatalf("second delivery %s", ev)
	}
	// A's delivery ends and A finishes the item, under B's claim.
	close(hook.gates[0])
	if err := <-aDone; err != nil {
		t.Logf("replica A: %v", err)
	}
	// Any replica now polls: the next item must wait for B's delivery.
	cDone := make(chan error, 1)
	go func() { _, err := newD().DeliverOnce(ctx); cDone <- err }()
	cFinished := false
	select {
	case ev := <-hook.started:
		t.Errorf("%s delivered while replica B was still delivering policy.decided", ev)
	case err := <-cDone:
		cFinished = true
		if err != nil {
			t.Logf("replica C: %v", err)
		}
	}
	close(hook.gates[1])
	if err := <-bDone; err != nil {
		t.Logf("replica B: %v", err)
	}
	if !cFinished {
		<-cDone
	}
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if len(hook.overlaps) > 0 {
		t.Errorf("overlapping deliveries for one request and target: %q; finished in order %q", hook.overlaps, hook.finished)
	}
}
