package countersign

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/gowebpki/jcs"
)

// FuzzActionDigest checks that Validate, Canonical and Digest never panic,
// that Digest is deterministic, and that for a valid action it is invariant
// under re-marshalling the payload (key order, whitespace, escapes) and under
// a JSON round trip of the whole action, as the API decodes it. The seed
// corpus is in testdata/fuzz/FuzzActionDigest.
func FuzzActionDigest(f *testing.F) {
	f.Add("sql", []byte(`{"sql":"SELECT 1"}`), "read one row", "ticket", "OPS-1")
	f.Fuzz(func(t *testing.T, kind string, payload []byte, summary, labelKey, labelValue string) {
		a := Action{Kind: ActionKind(kind), Agent: "fuzz-bot", Summary: summary,
			Payload: json.RawMessage(payload), IdempotencyKey: "k1"}
		if labelKey != "" || labelValue != "" {
			a.Labels = map[string]string{labelKey: labelValue}
		}
		validErr := a.Validate()
		d1, err1 := a.Digest()
		d2, err2 := a.Digest()
		if d1 != d2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("Digest not deterministic: %q, %v then %q, %v", d1, err1, d2, err2)
		}
		if err1 != nil {
			return
		}
		if !digestFormat.MatchString(d1) {
			t.Fatalf("Digest() = %q, want sha256: and 64 lowercase hex", d1)
		}
		canon, err := a.Canonical()
		if err != nil {
			t.Fatalf("Digest succeeded but Canonical failed: %v", err)
		}
		if again, err := jcs.Transform(canon); err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("canonical form is not a fixed point: %s -> %s, %v", canon, again, err)
		}
		b := a
		b.IdempotencyKey = "k2"
		if d := mustDigest(t, b); d != d1 {
			t.Fatalf("idempotency key changed the digest: %s vs %s", d, d1)
		}
		if validErr != nil {
			return
		}

		// Re-marshal the payload: compact and sorted, then indented.
		var v any
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("Validate accepted a payload that does not decode: %v", err)
		}
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		indented, err := json.MarshalIndent(v, " ", "\t")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][]byte{compact, indented} {
			b := a
			b.Payload = p
			if d, err := b.Digest(); err != nil || d != d1 {
				t.Fatalf("re-marshalled payload %s: Digest = %q, %v; want %s (from %s)", p, d, err, d1, payload)
			}
		}

		// Round trip the whole action through JSON, as the API does.
		wire, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Action
		if err := json.Unmarshal(wire, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", wire, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid action invalid after a JSON round trip: %v", err)
		}
		if d, err := back.Digest(); err != nil || d != d1 {
			t.Fatalf("JSON round trip: Digest = %q, %v; want %s (wire %s)", d, err, d1, wire)
		}
	})
}
