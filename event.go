package countersign

import (
	"bytes"
	"encoding/json"
	"time"
)

// Event types. Every state change writes at least one event in the same
// transaction as the change; docs/evidence-format.md describes their data.
const (
	EventSubmitted     = "action.submitted"
	EventDecided       = "policy.decided"
	EventReviewed      = "review.recorded"
	EventApproved      = "request.approved"
	EventRejected      = "request.rejected"
	EventGrantIssued   = "grant.issued"
	EventExecuted      = "action.executed"
	EventResult        = "result.recorded"
	EventExpired       = "request.expired"
	EventCancelled     = "request.cancelled"
	EventAgentFrozen   = "agent.frozen"
	EventAgentUnfrozen = "agent.unfrozen"
	EventKeyCreated    = "key.created"
	EventKeyRevoked    = "key.revoked"
	EventPolicyLoaded  = "policy.loaded"
)

// Event is one entry of the record. Seq is assigned by the store.
type Event struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Type     string          `json:"type"`
	ActionID string          `json:"action_id,omitempty"`
	Actor    string          `json:"actor"`
	Data     json.RawMessage `json:"data"`
}

// NewEvent builds an event; data is marshalled to JSON (nil becomes {}).
// Data that cannot be marshalled is recorded as {"marshal_error": ...} so
// that the loss is visible in the evidence, never silent.
func NewEvent(typ, actionID, actor string, at time.Time, data any) Event {
	raw := json.RawMessage(`{}`)
	if data != nil {
		b, err := marshalData(data)
		if err != nil {
			b, _ = marshalData(map[string]string{"marshal_error": err.Error()})
		}
		raw = b
	}
	return Event{Time: at.UTC(), Type: typ, ActionID: actionID, Actor: actor, Data: raw}
}

// marshalData is json.Marshal without HTML escaping, so that raw JSON inside
// data (the canonical action) keeps its exact bytes.
func marshalData(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
