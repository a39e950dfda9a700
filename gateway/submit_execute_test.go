package gateway_test

import (
	"context"
	"slices"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/gateway"
)

// eventTypes lists the types of request id's events, in log order.
func eventTypes(t *testing.T, st countersign.Store, id string) []string {
	t.Helper()
	evs, err := st.Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.ActionID == id {
			out = append(out, e.Type)
		}
	}
	return out
}

// An allowed action submitted with execute is executed in the same
// transaction that records it; a repeat with the same key is not run again.
func TestSubmitExecuteAllowed(t *testing.T) {
	t.Parallel()
	svc, st, _ := newService(t, nil)
	ctx := context.Background()
	a := action("staging")
	a.IdempotencyKey = "k-allow"
	r, created, executed, err := svc.SubmitExecute(ctx, bot, a)
	if err != nil || !created || !executed || r.State != countersign.StateExecuted {
		t.Fatalf("submit-execute: state %v created %v executed %v err %v, want executed", r, created, executed, err)
	}
	want := []string{countersign.EventSubmitted, countersign.EventDecided, countersign.EventGrantIssued, countersign.EventExecuted}
	if got := eventTypes(t, st, r.ID); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if r.Grant == nil || r.Grant.UsedAt == nil {
		t.Fatalf("grant %+v not marked used", r.Grant)
	}
	again, created, executed, err := svc.SubmitExecute(ctx, bot, a)
	if err != nil || created || executed || again.ID != r.ID || again.State != countersign.StateExecuted {
		t.Fatalf("repeat: %v created %v executed %v err %v, want the executed request, not run again", again, created, executed, err)
	}
	if _, err := svc.Execute(ctx, bot, r.ID, r.Digest); code(err) != countersign.EGrantUsed {
		t.Fatalf("execute after submit-execute: %v, want grant_used", err)
	}
	// Without execute, an allowed action is only approved.
	plain, _, err := svc.Submit(ctx, bot, action("staging"))
	if err != nil || plain.State != countersign.StateApproved {
		t.Fatalf("plain submit: %v %v, want approved", plain, err)
	}
}

// A held action is not executed; once reviewers approve it, the same
// submission (same key) takes the grant, once.
func TestSubmitExecuteAfterApproval(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	a := action("production")
	a.IdempotencyKey = "k-held"
	r, _, executed, err := svc.SubmitExecute(ctx, bot, a)
	if err != nil || executed || r.State != countersign.StatePending {
		t.Fatalf("held: %v executed %v err %v, want pending", r, executed, err)
	}
	if _, err := svc.Review(ctx, dana, r.ID, gateway.ReviewInput{Verdict: countersign.VerdictApprove}); err != nil {
		t.Fatal(err)
	}
	got, created, executed, err := svc.SubmitExecute(ctx, bot, a)
	if err != nil || created || !executed || got.ID != r.ID || got.State != countersign.StateExecuted {
		t.Fatalf("after approval: %v created %v executed %v err %v, want executed now", got, created, executed, err)
	}
	if _, _, executed, err := svc.SubmitExecute(ctx, bot, a); err != nil || executed {
		t.Fatalf("third time: executed %v err %v, want not executed again", executed, err)
	}
}

// Denied and frozen agents' actions are never executed.
func TestSubmitExecuteDeniedAndFrozen(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t, nil)
	ctx := context.Background()
	r, _, executed, err := svc.SubmitExecute(ctx, bot, action("dev")) // no rule: default deny
	if err != nil || executed || r.State != countersign.StateDenied {
		t.Fatalf("denied: %v executed %v err %v", r, executed, err)
	}
	admin := countersign.Principal{Kind: countersign.KindAdmin, Name: "root"}
	if err := svc.SetFrozen(ctx, admin, "bot", true); err != nil {
		t.Fatal(err)
	}
	r, _, executed, err = svc.SubmitExecute(ctx, bot, action("staging"))
	if err != nil || executed || r.State != countersign.StateDenied || r.Reason != countersign.ReasonAgentFrozen {
		t.Fatalf("frozen: %v executed %v err %v, want denied agent_frozen", r, executed, err)
	}
}
