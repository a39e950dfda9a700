package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

func newAllowed(id string) countersign.CreateRequestParams {
	a := countersign.Action{Kind: countersign.ActionSQL, Agent: "bot", Payload: json.RawMessage(`{"sql":"select 1"}`)}
	d, _ := a.Digest()
	return countersign.CreateRequestParams{Agent: "bot", Build: func(frozen bool, _ []int) (*countersign.Request, []countersign.Event, error) {
		r, ev := countersign.NewRequest(countersign.NewRequestParams{ID: id, Action: a, Owner: "o@example.com", Digest: d,
			Decision: countersign.Decision{Effect: countersign.EffectAllow}, Frozen: frozen, Now: time.Now()})
		return r, ev, nil
	}}
}

// A write whose callback panics fails alone; the writer and the other
// writes of its batch go on.
func TestWriterSurvivesPanics(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "cs.db"))
	ctx := context.Background()
	if _, _, err := s.CreateRequest(ctx, newAllowed("act_ok")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = s.UpdateRequest(ctx, "act_ok", func(*countersign.Request) ([]countersign.Event, error) { panic("boom") })
				return
			}
			_, _, errs[i] = s.CreateRequest(ctx, newAllowed(fmt.Sprintf("act_%d", i)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 0 && err == nil {
			t.Errorf("panicking write %d: nil error", i)
		}
		if i%2 == 1 && err != nil {
			t.Errorf("write %d beside panicking ones: %v", i, err)
		}
	}
	if n, err := s.CountRequests(ctx, countersign.StateApproved); err != nil || n != 11 {
		t.Fatalf("approved requests = %d, %v; want 11", n, err)
	}
}

// A caller whose context has ended is refused and writes nothing.
func TestWriterRefusesCancelledCallers(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "cs.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.CreateRequest(ctx, newAllowed("act_x")); err == nil {
		t.Fatal("cancelled CreateRequest: nil error")
	}
	if _, err := s.Request(context.Background(), "act_x"); countersign.ErrorCode(err) != countersign.ENotFound {
		t.Fatalf("cancelled write was stored: %v", err)
	}
}
