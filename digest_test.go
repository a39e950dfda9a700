package countersign

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"testing"
)

// exampleAction is the action of docs/design.md, as the server stores it.
func exampleAction() Action {
	return Action{
		Kind:           ActionSQL,
		Agent:          "etl-bot",
		OnBehalfOf:     "alice@example.com",
		Environment:    "production",
		Resource:       "postgres://orders-db/orders",
		Summary:        "Export last month's orders for finance",
		Payload:        json.RawMessage(`{"sql": "COPY orders TO STDOUT"}`),
		Labels:         map[string]string{"ticket": "OPS-123"},
		IdempotencyKey: "retry-1",
	}
}

func mustDigest(t *testing.T, a Action) string {
	t.Helper()
	d, err := a.Digest()
	if err != nil {
		t.Fatalf("Digest(%+v): %v", a, err)
	}
	return d
}

var digestFormat = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// TestActionCanonicalGolden pins the exact bytes that approvals bind, so a
// second implementation can check itself against them.
func TestActionCanonicalGolden(t *testing.T) {
	t.Parallel()
	const want = `{"agent":"etl-bot","environment":"production","kind":"sql","labels":{"ticket":"OPS-123"},` +
		`"on_behalf_of":"alice@example.com","payload":{"sql":"COPY orders TO STDOUT"},` +
		`"resource":"postgres://orders-db/orders","summary":"Export last month's orders for finance"}`
	a := exampleAction()
	got, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("Canonical()\n got %s\nwant %s", got, want)
	}
	sum := sha256.Sum256([]byte(want))
	wantDigest := "sha256:" + hex.EncodeToString(sum[:])
	if d := mustDigest(t, a); d != wantDigest {
		t.Errorf("Digest() = %s, want %s", d, wantDigest)
	}
	if !digestFormat.MatchString(wantDigest) {
		t.Errorf("digest %q does not match %s", wantDigest, digestFormat)
	}
}

func TestActionCanonicalUndoesGoEscaping(t *testing.T) {
	t.Parallel()
	// encoding/json escapes <, >, & and U+2028; RFC 8785 writes them raw.
	a := Action{Kind: ActionCustom, Summary: "a<b>&c\u2028", Payload: json.RawMessage(`{"q":"<&>"}`)}
	got, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"kind\":\"custom\",\"payload\":{\"q\":\"<&>\"},\"summary\":\"a<b>&c\u2028\"}"
	if string(got) != want {
		t.Errorf("Canonical() = %s, want %s", got, want)
	}
}

// TestActionDigestStable: what does not change the action's meaning does not
// change its digest.
func TestActionDigestStable(t *testing.T) {
	t.Parallel()
	base := mustDigest(t, exampleAction())
	tests := []struct {
		name   string
		mutate func(*Action)
	}{
		{"unchanged", func(a *Action) {}},
		{"idempotency key changed", func(a *Action) { a.IdempotencyKey = "retry-2" }},
		{"idempotency key removed", func(a *Action) { a.IdempotencyKey = "" }},
		{"payload whitespace", func(a *Action) { a.Payload = json.RawMessage("\n{ \"sql\"\t:  \"COPY orders TO STDOUT\" }\n") }},
		{"payload escapes", func(a *Action) { a.Payload = json.RawMessage(`{"\u0073ql":"COPY orders TO \u0053TDOUT"}`) }},
		{"labels rebuilt", func(a *Action) { a.Labels = map[string]string{"ticket": "OPS-123"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := exampleAction()
			tt.mutate(&a)
			if got := mustDigest(t, a); got != base {
				t.Errorf("Digest() = %s, want %s", got, base)
			}
		})
	}
}

func TestActionDigestPayloadKeyOrderAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
	}{
		{"key order", `{"server":"fs","tool":"rm","arguments":{"path":"/tmp","recursive":true}}`,
			`{"arguments":{"recursive":true,"path":"/tmp"},"tool":"rm","server":"fs"}`},
		{"number spelling", `{"n":[1,0.5,100]}`, `{"n":[1.0,5e-1,1E2]}`},
		{"minus zero", `{"n":-0}`, `{"n":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := Action{Kind: ActionCustom, Agent: "bot", Payload: json.RawMessage(tt.a)}
			b := a
			b.Payload = json.RawMessage(tt.b)
			if da, db := mustDigest(t, a), mustDigest(t, b); da != db {
				t.Errorf("Digest(%s) = %s, Digest(%s) = %s; want equal", tt.a, da, tt.b, db)
			}
		})
	}
}

// TestActionDigestBindsEveryField: changing any bound field changes the digest.
func TestActionDigestBindsEveryField(t *testing.T) {
	t.Parallel()
	base := mustDigest(t, exampleAction())
	tests := []struct {
		name   string
		mutate func(*Action)
	}{
		{"kind", func(a *Action) { a.Kind = ActionCustom }},
		{"agent", func(a *Action) { a.Agent = "other-bot" }},
		{"agent removed", func(a *Action) { a.Agent = "" }},
		{"on_behalf_of", func(a *Action) { a.OnBehalfOf = "bob@example.com" }},
		{"environment", func(a *Action) { a.Environment = "staging" }},
		{"resource", func(a *Action) { a.Resource = "postgres://orders-db/archive" }},
		{"summary", func(a *Action) { a.Summary = "Export orders" }},
		{"payload value", func(a *Action) { a.Payload = json.RawMessage(`{"sql":"COPY orders TO STDOUT;"}`) }},
		{"payload extra field", func(a *Action) { a.Payload = json.RawMessage(`{"sql":"COPY orders TO STDOUT","x":null}`) }},
		{"payload value type", func(a *Action) { a.Payload = json.RawMessage(`{"sql":["COPY orders TO STDOUT"]}`) }},
		{"label value", func(a *Action) { a.Labels = map[string]string{"ticket": "OPS-124"} }},
		{"label key", func(a *Action) { a.Labels = map[string]string{"Ticket": "OPS-123"} }},
		{"label added", func(a *Action) { a.Labels = map[string]string{"ticket": "OPS-123", "team": "data"} }},
		{"labels removed", func(a *Action) { a.Labels = nil }},
		{"label value emptied", func(a *Action) { a.Labels = map[string]string{"ticket": ""} }},
		{"field moved", func(a *Action) { a.Summary, a.Environment = a.Environment, a.Summary }},
	}
	seen := map[string]string{base: "base"}
	for _, tt := range tests {
		a := exampleAction()
		tt.mutate(&a)
		got := mustDigest(t, a)
		if !digestFormat.MatchString(got) {
			t.Errorf("%s: Digest() = %q, want sha256: and 64 lowercase hex", tt.name, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("%s: Digest() = %s, same as %s; want a different digest", tt.name, got, prev)
		}
		seen[got] = tt.name
	}
}

// TestActionDigestEmptyIsAbsent documents the omitempty behaviour: an empty
// optional field and an absent one are the same action. This is deliberate:
// the API cannot tell "" from a missing field once decoded, so they must bind
// alike. An empty label value is not an empty field and does count.
func TestActionDigestEmptyIsAbsent(t *testing.T) {
	t.Parallel()
	minimal := Action{Kind: ActionSQL, Payload: json.RawMessage(`{"sql":"SELECT 1"}`)}
	want := mustDigest(t, minimal)
	canon, err := minimal.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if got := `{"kind":"sql","payload":{"sql":"SELECT 1"}}`; string(canon) != got {
		t.Errorf("Canonical() = %s, want %s", canon, got)
	}
	tests := []struct {
		name   string
		mutate func(*Action)
	}{
		{"empty labels map", func(a *Action) { a.Labels = map[string]string{} }},
		{"empty strings", func(a *Action) { a.Agent, a.OnBehalfOf, a.Environment, a.Resource, a.Summary = "", "", "", "", "" }},
		{"idempotency key", func(a *Action) { a.IdempotencyKey = "k" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := minimal
			tt.mutate(&a)
			if got := mustDigest(t, a); got != want {
				t.Errorf("Digest() = %s, want %s (same as absent)", got, want)
			}
		})
	}
	// Decoding JSON with the field present but empty gives the same digest.
	var decoded Action
	if err := json.Unmarshal([]byte(`{"kind":"sql","summary":"","labels":{},"payload":{"sql":"SELECT 1"}}`), &decoded); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, decoded); got != want {
		t.Errorf("Digest(decoded with empty fields) = %s, want %s", got, want)
	}
}

// TestActionDigestRefusesNonIJSON: a payload that Validate lets through but
// that has no canonical form gets no digest (the gateway turns this into
// invalid_argument), so nothing ambiguous is ever approved.
func TestActionDigestRefusesNonIJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
	}{
		{"duplicate key", `{"sql":"SELECT 1","sql":"DROP TABLE orders"}`},
		{"invalid utf-8", "{\"sql\":\"SELECT '\xff'\"}"},
		{"lone surrogate", `{"sql":"SELECT '\ud800'"}`},
		{"not json", `{"sql":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := Action{Kind: ActionSQL, Payload: json.RawMessage(tt.payload)}
			if d, err := a.Digest(); err == nil {
				t.Errorf("Digest(payload %q) = %s, nil; want an error", tt.payload, d)
			}
		})
	}
}

// TestActionDigestIsInjectiveOnValidActions: two actions that both pass
// Validate and mean different things must not share a digest, or an approval
// of one lets the other run. Either Validate refuses what Digest cannot bind,
// or the digests differ.
//
// This failed at ae53bb1: payload numbers beyond 2^53 were rounded to
// float64 by RFC 8785, and Go strings with invalid UTF-8 coerced to U+FFFD by
// json.Marshal, so distinct valid actions shared a digest. Validate now
// refuses both (c605ad2).
func TestActionDigestIsInjectiveOnValidActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b Action
	}{
		{
			name: "integers beyond 2^53",
			a:    Action{Kind: ActionMCP, Payload: json.RawMessage(`{"server":"bank","tool":"transfer","arguments":{"cents":9007199254740993}}`)},
			b:    Action{Kind: ActionMCP, Payload: json.RawMessage(`{"server":"bank","tool":"transfer","arguments":{"cents":9007199254740992}}`)},
		},
		{
			name: "decimal beyond float64 precision",
			a:    Action{Kind: ActionCustom, Payload: json.RawMessage(`{"amount":0.10000000000000000001}`)},
			b:    Action{Kind: ActionCustom, Payload: json.RawMessage(`{"amount":0.1}`)},
		},
		{
			name: "invalid utf-8 in resource",
			a:    Action{Kind: ActionSQL, Resource: "postgres://db/\xff", Payload: json.RawMessage(`{"sql":"SELECT 1"}`)},
			b:    Action{Kind: ActionSQL, Resource: "postgres://db/\xfe", Payload: json.RawMessage(`{"sql":"SELECT 1"}`)},
		},
		{
			name: "invalid utf-8 in label",
			a:    Action{Kind: ActionSQL, Labels: map[string]string{"ticket": "\xff"}, Payload: json.RawMessage(`{"sql":"SELECT 1"}`)},
			b:    Action{Kind: ActionSQL, Labels: map[string]string{"ticket": "\uFFFD"}, Payload: json.RawMessage(`{"sql":"SELECT 1"}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.a.Validate() != nil || tt.b.Validate() != nil {
				return // refused: nothing ambiguous can be approved
			}
			da, db := mustDigest(t, tt.a), mustDigest(t, tt.b)
			if da == db {
				t.Errorf("two different valid actions share digest %s; want Validate to refuse one or the digests to differ", da)
			}
		})
	}
}
