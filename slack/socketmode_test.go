package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/slack"
	"github.com/gorilla/websocket"
)

// Socket Mode: the fake answers apps.connections.open with its own
// WebSocket, says hello as Slack does, and sends interactions in envelopes;
// the handler acknowledges each envelope and does the same work as over
// HTTP.
func TestSocketModeFeedsTheSameInteractions(t *testing.T) {
	e := newEnv(t)
	r := e.submit("production", "COPY orders TO STDOUT")
	e.deliver()
	e.slack.take()

	acks := make(chan map[string]any, 4)
	envelopes := []map[string]any{
		{"envelope_id": "env-1", "type": "interactive", "accepts_response_payload": false,
			"payload": blockAction("UDANA", "CPRODAPPROVALS", slack.ActionApprove, r.ID, "1767323100.000001")},
		{"envelope_id": "env-2", "type": "interactive", "accepts_response_payload": true,
			"payload": viewSubmission("UDAVE", `{"request":"`+r.ID+`","verdict":"reject","channel":"CPRODAPPROVALS"}`, "", "trig-1")},
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // Slack's client sends Origin https://api.slack.com
	socket := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		conn, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
			"connection_info": map[string]any{"app_id": "A0COUNTER"}, "debug_info": map[string]any{"host": "fake"}})
		for _, env := range envelopes {
			if err := conn.WriteJSON(env); err != nil {
				return
			}
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			acks <- ack
		}
		_, _, _ = conn.ReadMessage() // hold the connection until the client closes it
	})
	e.slack.mu.Lock()
	e.slack.socket = socket
	e.slack.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.ix.RunSocketMode(ctx, "xapp-1-test") }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("RunSocketMode did not return after its context ended")
		}
	}()

	var got []map[string]any
	for len(got) < 2 {
		select {
		case a := <-acks:
			got = append(got, a)
		case <-time.After(10 * time.Second):
			t.Fatalf("acknowledged %d of 2 envelopes; calls %+v", len(got), e.slack.take())
		}
	}
	if got[0]["envelope_id"] != "env-1" || got[0]["payload"] != nil {
		t.Fatalf("click ack %v, want the envelope id alone", got[0])
	}
	if p, _ := json.Marshal(got[1]["payload"]); got[1]["envelope_id"] != "env-2" || !strings.Contains(string(p), `"response_action":"errors"`) {
		t.Fatalf("dialog ack %v, want the reason error", got[1])
	}
	e.ix.Wait()
	req := e.request(r.ID)
	if len(req.Reviews) != 1 || req.Reviews[0].Reviewer != "dana@example.com" || req.State != countersign.StatePending {
		t.Fatalf("after socket mode: %s %+v", req.State, req.Reviews)
	}
	if eph := ephemerals(e.slack.take(), "UDANA"); len(eph) != 1 {
		t.Fatalf("Dana was told %q", eph)
	}
}
