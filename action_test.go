package countersign

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestActionValidatePayloadShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kind    ActionKind
		payload string
		wantErr string // substring of the message; "" for valid
	}{
		// sql {sql}
		{"sql", ActionSQL, `{"sql":"SELECT 1"}`, ""},
		{"sql with extra fields", ActionSQL, `{"sql":"SELECT 1","params":[1]}`, ""},
		{"sql missing", ActionSQL, `{}`, "payload.sql must be a non-empty string"},
		{"sql blank", ActionSQL, `{"sql":"  \n"}`, "payload.sql must be a non-empty string"},
		{"sql not a string", ActionSQL, `{"sql":42}`, "payload.sql must be a non-empty string"},
		{"sql null", ActionSQL, `{"sql":null}`, "payload.sql must be a non-empty string"},
		// shell {command} or {argv}
		{"shell command", ActionShell, `{"command":"ls -la"}`, ""},
		{"shell argv", ActionShell, `{"argv":["ls","-la"]}`, ""},
		{"shell both", ActionShell, `{"command":"ls","argv":["ls"]}`, "not both"},
		{"shell neither", ActionShell, `{"cwd":"/"}`, "needs command or argv"},
		{"shell blank command", ActionShell, `{"command":" "}`, "payload.command must be a non-empty string"},
		{"shell command array", ActionShell, `{"command":["ls"]}`, "payload.command must be a non-empty string"},
		{"shell empty argv", ActionShell, `{"argv":[]}`, "non-empty array of strings"},
		{"shell argv not array", ActionShell, `{"argv":"ls"}`, "non-empty array of strings"},
		{"shell argv number", ActionShell, `{"argv":["ls",1]}`, "non-empty array of strings"},
		{"shell argv null", ActionShell, `{"argv":null}`, "non-empty array of strings"},
		// mcp.tool {server, tool, arguments, annotations}
		{"mcp", ActionMCP, `{"server":"github","tool":"create_issue","arguments":{"title":"x"},"annotations":{"destructiveHint":false}}`, ""},
		{"mcp minimal", ActionMCP, `{"server":"github","tool":"list"}`, ""},
		{"mcp null arguments", ActionMCP, `{"server":"github","tool":"list","arguments":null}`, ""},
		{"mcp missing server", ActionMCP, `{"tool":"list"}`, "payload.server"},
		{"mcp missing tool", ActionMCP, `{"server":"github"}`, "payload.tool"},
		{"mcp arguments array", ActionMCP, `{"server":"github","tool":"list","arguments":[1]}`, "payload.arguments must be an object"},
		{"mcp annotations string", ActionMCP, `{"server":"github","tool":"list","annotations":"x"}`, "payload.annotations must be an object"},
		// http {method, url, headers, body}
		{"http", ActionHTTP, `{"method":"POST","url":"https://api.example.com/v1/refunds","headers":{"content-type":"application/json"},"body":{"amount":5}}`, ""},
		{"http string body", ActionHTTP, `{"method":"GET","url":"https://example.com","body":"raw"}`, ""},
		{"http missing method", ActionHTTP, `{"url":"https://example.com"}`, "payload.method"},
		{"http missing url", ActionHTTP, `{"method":"GET"}`, "payload.url"},
		{"http headers array", ActionHTTP, `{"method":"GET","url":"https://example.com","headers":["a"]}`, "payload.headers must be an object"},
		// custom: any object
		{"custom empty object", ActionCustom, `{}`, ""},
		{"custom nested", ActionCustom, `{"a":{"b":[1,true,null]}}`, ""},
		// kind
		{"unknown kind", "ftp", `{"path":"/"}`, `unknown kind "ftp"`},
		{"kind case matters", "SQL", `{"sql":"SELECT 1"}`, "unknown kind"},
		{"missing kind", "", `{"sql":"SELECT 1"}`, "kind is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := Action{Kind: tt.kind, Payload: json.RawMessage(tt.payload)}
			checkValidate(t, a, tt.wantErr)
		})
	}
}

func TestActionValidatePayloadNotObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload json.RawMessage
		wantErr string
	}{
		{"absent", nil, "payload is required"},
		{"empty", json.RawMessage(``), "payload is required"},
		{"whitespace", json.RawMessage(" \n\t"), "payload is required"},
		{"null", json.RawMessage(`null`), "payload must be a JSON object"},
		{"array", json.RawMessage(`[{"sql":"SELECT 1"}]`), "payload must be a JSON object"},
		{"string", json.RawMessage(`"SELECT 1"`), "payload must be a JSON object"},
		{"number", json.RawMessage(`1`), "payload must be a JSON object"},
		{"bool", json.RawMessage(`true`), "payload must be a JSON object"},
		{"bad json", json.RawMessage(`{"sql":`), "payload must be a JSON object"},
		{"trailing data", json.RawMessage(`{"sql":"SELECT 1"} {}`), "payload must be a JSON object"},
		{"number out of range", json.RawMessage(`{"sql":"SELECT 1","n":1e400}`), "payload must be a JSON object"},
	}
	for _, kind := range []ActionKind{ActionSQL, ActionCustom} {
		for _, tt := range tests {
			t.Run(string(kind)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				checkValidate(t, Action{Kind: kind, Payload: tt.payload}, tt.wantErr)
			})
		}
	}
}

func TestActionValidateSizeLimits(t *testing.T) {
	t.Parallel()
	ok := func() Action {
		return Action{Kind: ActionSQL, Payload: json.RawMessage(`{"sql":"SELECT 1"}`)}
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	manyLabels := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("k%d", i)] = "v"
		}
		return m
	}
	tests := []struct {
		name    string
		mutate  func(*Action)
		wantErr string
	}{
		{"on_behalf_of at limit", func(a *Action) { a.OnBehalfOf = long(1024) }, ""},
		{"on_behalf_of over", func(a *Action) { a.OnBehalfOf = long(1025) }, "on_behalf_of is longer than 1024 bytes"},
		{"environment over", func(a *Action) { a.Environment = long(1025) }, "environment is longer than 1024 bytes"},
		{"resource over", func(a *Action) { a.Resource = long(1025) }, "resource is longer than 1024 bytes"},
		{"idempotency_key over", func(a *Action) { a.IdempotencyKey = long(1025) }, "idempotency_key is longer than 1024 bytes"},
		{"agent over", func(a *Action) { a.Agent = long(1025) }, "agent is longer than 1024 bytes"},
		{"limit is bytes not runes", func(a *Action) { a.Resource = strings.Repeat("é", 513) }, "resource is longer than 1024 bytes"},
		{"summary at limit", func(a *Action) { a.Summary = long(4096) }, ""},
		{"summary over", func(a *Action) { a.Summary = long(4097) }, "summary is longer than 4096 bytes"},
		{"64 labels", func(a *Action) { a.Labels = manyLabels(64) }, ""},
		{"65 labels", func(a *Action) { a.Labels = manyLabels(65) }, "more than 64 labels"},
		{"label key at limit", func(a *Action) { a.Labels = map[string]string{long(128): "v"} }, ""},
		{"label key over", func(a *Action) { a.Labels = map[string]string{long(129): "v"} }, "keys are 1 to 128 bytes"},
		{"label key empty", func(a *Action) { a.Labels = map[string]string{"": "v"} }, "keys are 1 to 128 bytes"},
		{"label value at limit", func(a *Action) { a.Labels = map[string]string{"k": long(1024)} }, ""},
		{"label value over", func(a *Action) { a.Labels = map[string]string{"k": long(1025)} }, "values at most 1024"},
		{"label value empty", func(a *Action) { a.Labels = map[string]string{"k": ""} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := ok()
			tt.mutate(&a)
			checkValidate(t, a, tt.wantErr)
		})
	}
}

// TestActionValidateFieldsBeforeKind documents the order of checks: field
// limits first, then the payload, then the kind.
func TestActionValidateFieldsBeforeKind(t *testing.T) {
	t.Parallel()
	a := Action{Kind: "nope", Summary: strings.Repeat("x", 5000), Payload: json.RawMessage(`[]`)}
	checkValidate(t, a, "summary is longer")
	a.Summary = ""
	checkValidate(t, a, "payload must be a JSON object")
	a.Payload = json.RawMessage(`{}`)
	checkValidate(t, a, "unknown kind")
}

func checkValidate(t *testing.T, a Action, wantErr string) {
	t.Helper()
	err := a.Validate()
	if wantErr == "" {
		if err != nil {
			t.Errorf("Validate() = %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Validate() = nil, want %s error containing %q", EInvalid, wantErr)
	}
	if got := ErrorCode(err); got != EInvalid {
		t.Errorf("ErrorCode(Validate()) = %q, want %q", got, EInvalid)
	}
	if got := ErrorMessage(err); !strings.Contains(got, wantErr) {
		t.Errorf("Validate() message = %q, want it to contain %q", got, wantErr)
	}
}

// TestActionValidateRefusesWhatDigestCannotBind pins the rules that keep the
// digest injective: payload numbers must survive RFC 8785's float64 form
// exactly, every bound string must be valid UTF-8, and nothing may follow the
// payload object.
func TestActionValidateRefusesWhatDigestCannotBind(t *testing.T) {
	t.Parallel()
	custom := func(payload string) Action { return Action{Kind: ActionCustom, Payload: json.RawMessage(payload)} }
	withField := func(f func(*Action)) Action {
		a := Action{Kind: ActionSQL, Payload: json.RawMessage(`{"sql":"SELECT 1"}`)}
		f(&a)
		return a
	}
	tests := []struct {
		name    string
		a       Action
		wantErr string
	}{
		{"max safe integer", custom(`{"n":9007199254740991}`), ""},
		{"2^53", custom(`{"n":9007199254740992}`), ""},
		{"2^53+1", custom(`{"n":9007199254740993}`), "cannot be represented exactly"},
		{"big negative", custom(`{"n":[-9007199254740993]}`), "cannot be represented exactly"},
		{"nested deep", custom(`{"a":{"b":[{"c":12345678901234567890}]}}`), "cannot be represented exactly"},
		{"too precise decimal", custom(`{"n":0.10000000000000000001}`), "cannot be represented exactly"},
		{"exact decimal", custom(`{"n":0.1}`), ""},
		{"trailing zeros", custom(`{"n":[1.50,1e2,100E-2,-0]}`), ""},
		{"exponent spelling", custom(`{"n":1e+21}`), ""},
		{"overflow", custom(`{"n":1e400}`), "out of range"},
		{"number as string", custom(`{"n":"9007199254740993"}`), ""},
		{"invalid utf-8 in payload", custom("{\"s\":\"\xff\"}"), "not valid UTF-8"},
		{"invalid utf-8 resource", withField(func(a *Action) { a.Resource = "db\xfe" }), "resource is not valid UTF-8"},
		{"invalid utf-8 summary", withField(func(a *Action) { a.Summary = "\xc3" }), "summary is not valid UTF-8"},
		{"invalid utf-8 on_behalf_of", withField(func(a *Action) { a.OnBehalfOf = "a\xffb" }), "on_behalf_of is not valid UTF-8"},
		{"invalid utf-8 environment", withField(func(a *Action) { a.Environment = "\xff" }), "environment is not valid UTF-8"},
		{"invalid utf-8 agent", withField(func(a *Action) { a.Agent = "\xff" }), "agent is not valid UTF-8"},
		{"invalid utf-8 label key", withField(func(a *Action) { a.Labels = map[string]string{"\xff": "v"} }), "labels must be valid UTF-8"},
		{"invalid utf-8 label value", withField(func(a *Action) { a.Labels = map[string]string{"k": "\xff"} }), "labels must be valid UTF-8"},
		{"valid non-ascii", withField(func(a *Action) { a.Summary = "Ré-export 😀 \u2028" }), ""},
		{"trailing object", custom(`{"a":1} {"b":2}`), "payload must be a JSON object"},
		{"trailing garbage", custom(`{"a":1} x`), "payload must be a JSON object"},
		{"trailing whitespace", custom("{\"a\":1} \n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt.a, tt.wantErr)
		})
	}
}
