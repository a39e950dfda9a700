// Package ledger is Countersign's tamper-evident record: events become leaves
// of an RFC 6962 Merkle log, whose tree heads are signed as C2SP checkpoints,
// and whose inclusion proofs are handed out as C2SP tlog-proof receipts.
// docs/evidence-format.md is the specification; this package is pure: it does
// no I/O of its own and keeps node hashes in a NodeStore given by the caller.
package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/countersign/countersign/internal/jsonstr"

	"github.com/countersign/countersign"
)

// MaxIndex is the largest leaf index: leaves are JSON, whose integers are
// exact only up to 2^53 (RFC 8785 numbers are IEEE-754 doubles).
const MaxIndex = 1<<53 - 1

// Leaf returns the leaf for the event at index: the RFC 8785 canonical JSON
// of {index, time, type, action_id, actor, data}. The event's Seq is not part
// of it. Empty data is recorded as {}; data that is not a JSON object, an
// empty type or actor, or strings that are not UTF-8 are refused.
func Leaf(index uint64, e countersign.Event) ([]byte, error) {
	if index > MaxIndex {
		return nil, fmt.Errorf("leaf: index %d is beyond 2^53-1", index)
	}
	if e.Type == "" || e.Actor == "" {
		return nil, errors.New("leaf: event type and actor are required")
	}
	for _, s := range []string{e.Type, e.ActionID, e.Actor} {
		if !utf8.ValidString(s) {
			return nil, errors.New("leaf: event strings must be valid UTF-8")
		}
	}
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 {
		data = []byte("{}")
	}
	if data[0] != '{' {
		return nil, errors.New("leaf: event data must be a JSON object")
	}
	cdata, err := canonicalData(data)
	if err != nil {
		return nil, fmt.Errorf("leaf: event data must be a JSON object: %w", err)
	}
	// The members in RFC 8785 order: action_id, actor, data, index, time, type.
	b := make([]byte, 0, len(cdata)+160)
	b = append(b, '{')
	if e.ActionID != "" {
		b = append(b, `"action_id":`...)
		b = jsonstr.Append(b, e.ActionID)
		b = append(b, ',')
	}
	b = append(b, `"actor":`...)
	b = jsonstr.Append(b, e.Actor)
	b = append(b, `,"data":`...)
	b = append(b, cdata...)
	b = append(b, `,"index":`...)
	b = strconv.AppendUint(b, index, 10)
	b = append(b, `,"time":`...)
	b = jsonstr.Append(b, e.Time.UTC().Format(time.RFC3339Nano))
	b = append(b, `,"type":`...)
	b = jsonstr.Append(b, e.Type)
	b = append(b, '}')
	return b, nil
}

// ParseLeaf parses a leaf and returns its index and event (Seq left 0, Data
// as the canonical bytes of the data object). It refuses a leaf that is not
// exactly what Leaf would write for that index and event: unknown or missing
// members, a time not in RFC 3339 UTC as time.RFC3339Nano prints it, or any
// byte that differs from the canonical form.
func ParseLeaf(b []byte) (uint64, countersign.Event, error) {
	var e countersign.Event
	if !utf8.Valid(b) {
		return 0, e, errors.New("parse leaf: not valid UTF-8")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, e, fmt.Errorf("parse leaf: %w", err)
	}
	for k := range m {
		switch k {
		case "index", "time", "type", "action_id", "actor", "data":
		default:
			return 0, e, fmt.Errorf("parse leaf: unknown member %q", k)
		}
	}
	for _, k := range []string{"index", "time", "type", "actor", "data"} {
		if _, ok := m[k]; !ok {
			return 0, e, fmt.Errorf("parse leaf: missing member %q", k)
		}
	}
	index, err := strconv.ParseUint(string(m["index"]), 10, 64)
	if err != nil || index > MaxIndex {
		return 0, e, fmt.Errorf("parse leaf: index %s is not an integer from 0 to 2^53-1", m["index"])
	}
	var ts string
	if err := json.Unmarshal(m["time"], &ts); err != nil {
		return 0, e, fmt.Errorf("parse leaf: time: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || t.UTC().Format(time.RFC3339Nano) != ts {
		return 0, e, fmt.Errorf("parse leaf: time %q is not RFC 3339 UTC as time.RFC3339Nano prints it", ts)
	}
	e.Time = t.UTC()
	for _, f := range []struct {
		key string
		dst *string
	}{{"type", &e.Type}, {"action_id", &e.ActionID}, {"actor", &e.Actor}} {
		raw, ok := m[f.key]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil || *f.dst == "" {
			return 0, e, fmt.Errorf("parse leaf: %s must be a non-empty string", f.key)
		}
	}
	data := m["data"]
	if len(data) == 0 || data[0] != '{' {
		return 0, e, errors.New("parse leaf: data must be a JSON object")
	}
	e.Data = append(json.RawMessage(nil), data...)
	// With the members checked above, b is what Leaf writes for (index, e)
	// exactly when it is its own RFC 8785 form (FuzzParseLeaf checks this).
	want, err := jcs.Transform(b)
	if err != nil || !bytes.Equal(b, want) {
		return 0, countersign.Event{}, errors.New("parse leaf: not in canonical form (RFC 8785)")
	}
	return index, e, nil
}

// LeafHash returns the RFC 6962 leaf hash: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(nil)
}
