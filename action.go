package countersign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// ActionKind names what an action does.
type ActionKind string

// The kinds of action Countersign understands.
const (
	ActionSQL    ActionKind = "sql"
	ActionShell  ActionKind = "shell"
	ActionMCP    ActionKind = "mcp.tool"
	ActionHTTP   ActionKind = "http"
	ActionCustom ActionKind = "custom"
)

// Limits on an action's fields.
const (
	maxShortField = 1024
	maxSummary    = 4096
	maxLabels     = 64
	// MaxPayload bounds an action's payload, whichever way it came in; policy
	// cost estimates rely on it.
	MaxPayload = 1 << 20
)

// Action is what an agent asks to do. The server sets Agent from the caller's
// key. Payload is a JSON object whose shape depends on Kind.
type Action struct {
	Kind           ActionKind        `json:"kind"`
	Agent          string            `json:"agent,omitempty"`
	OnBehalfOf     string            `json:"on_behalf_of,omitempty"`
	Environment    string            `json:"environment,omitempty"`
	Resource       string            `json:"resource,omitempty"`
	Summary        string            `json:"summary,omitempty"`
	Payload        json.RawMessage   `json:"payload"`
	Labels         map[string]string `json:"labels,omitempty"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
}

// Validate checks the action's fields and the payload's shape for its kind.
// It returns an EInvalid error naming the first problem.
func (a Action) Validate() error {
	_, err := a.Check()
	return err
}

// Check validates the action like Validate and returns its payload decoded,
// numbers as float64 (exact, since Check refuses inexact ones), so that
// policy need not decode it again.
func (a Action) Check() (map[string]any, error) {
	for name, v := range map[string]string{"on_behalf_of": a.OnBehalfOf, "environment": a.Environment,
		"resource": a.Resource, "idempotency_key": a.IdempotencyKey, "agent": a.Agent} {
		if len(v) > maxShortField {
			return nil, Errorf(EInvalid, "%s is longer than %d bytes", name, maxShortField)
		}
	}
	if strings.TrimSpace(a.OnBehalfOf) != a.OnBehalfOf {
		return nil, Errorf(EInvalid, "on_behalf_of has surrounding spaces")
	}
	if len(a.Payload) > MaxPayload {
		return nil, Errorf(EInvalid, "payload is larger than %d bytes", MaxPayload)
	}
	if len(a.Summary) > maxSummary {
		return nil, Errorf(EInvalid, "summary is longer than %d bytes", maxSummary)
	}
	if len(a.Labels) > maxLabels {
		return nil, Errorf(EInvalid, "more than %d labels", maxLabels)
	}
	for k, v := range a.Labels {
		if k == "" || len(k) > 128 || len(v) > maxShortField {
			return nil, Errorf(EInvalid, "label %q: keys are 1 to 128 bytes, values at most %d", k, maxShortField)
		}
	}
	for name, v := range map[string]string{"on_behalf_of": a.OnBehalfOf, "environment": a.Environment,
		"resource": a.Resource, "summary": a.Summary, "agent": a.Agent, "kind": string(a.Kind)} {
		if !utf8.ValidString(v) {
			return nil, Errorf(EInvalid, "%s is not valid UTF-8", name)
		}
	}
	for k, v := range a.Labels {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, Errorf(EInvalid, "labels must be valid UTF-8")
		}
	}
	var payload map[string]any
	if len(bytes.TrimSpace(a.Payload)) == 0 {
		return nil, Errorf(EInvalid, "payload is required")
	}
	if !utf8.Valid(a.Payload) {
		return nil, Errorf(EInvalid, "payload is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(a.Payload))
	dec.UseNumber()
	if err := dec.Decode(&payload); err != nil || payload == nil {
		return nil, Errorf(EInvalid, "payload must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Errorf(EInvalid, "payload must be a JSON object with nothing after it")
	}
	if err := exactNumbers(payload); err != nil {
		return nil, err
	}
	if err := checkShape(a.Kind, payload); err != nil {
		return nil, err
	}
	return payload, nil
}

// canonicalObject returns the RFC 8785 form of a JSON object from outside
// (an agent's result), refusing what the evidence could not record exactly:
// invalid UTF-8, duplicate members, lone surrogates, inexact numbers.
func canonicalObject(raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	if err := exactNumbers(obj); err != nil {
		return nil, err
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkShape checks the payload's shape for its kind.
func checkShape(kind ActionKind, payload map[string]any) error {
	switch kind {
	case ActionSQL:
		return requireString(payload, "sql")
	case ActionShell:
		_, hasCmd := payload["command"]
		_, hasArgv := payload["argv"]
		switch {
		case hasCmd && hasArgv:
			return Errorf(EInvalid, "shell payload takes command or argv, not both")
		case hasCmd:
			return requireString(payload, "command")
		case hasArgv:
			argv, ok := payload["argv"].([]any)
			if !ok || len(argv) == 0 {
				return Errorf(EInvalid, "payload.argv must be a non-empty array of strings")
			}
			for _, w := range argv {
				if _, ok := w.(string); !ok {
					return Errorf(EInvalid, "payload.argv must be a non-empty array of strings")
				}
			}
			return nil
		default:
			return Errorf(EInvalid, "shell payload needs command or argv")
		}
	case ActionMCP:
		if err := requireString(payload, "server"); err != nil {
			return err
		}
		if err := requireString(payload, "tool"); err != nil {
			return err
		}
		for _, f := range []string{"arguments", "annotations"} {
			if v, ok := payload[f]; ok && v != nil {
				if _, ok := v.(map[string]any); !ok {
					return Errorf(EInvalid, "payload.%s must be an object", f)
				}
			}
		}
		// sql and command carry an argument the SQL or shell analyser reads.
		for _, f := range []string{"sql", "command"} {
			if v, ok := payload[f]; ok {
				if _, ok := v.(string); !ok {
					return Errorf(EInvalid, "payload.%s must be a string", f)
				}
			}
		}
		return nil
	case ActionHTTP:
		if err := requireString(payload, "method"); err != nil {
			return err
		}
		if err := requireString(payload, "url"); err != nil {
			return err
		}
		if v, ok := payload["headers"]; ok && v != nil {
			if _, ok := v.(map[string]any); !ok {
				return Errorf(EInvalid, "payload.headers must be an object")
			}
		}
		return nil
	case ActionCustom:
		return nil
	case "":
		return Errorf(EInvalid, "kind is required (sql, shell, mcp.tool, http or custom)")
	default:
		return Errorf(EInvalid, "unknown kind %q (want sql, shell, mcp.tool, http or custom)", kind)
	}
}

// exactNumbers refuses numbers that RFC 8785 would round (integers beyond
// 2^53, decimals finer than float64, overflow): two different actions must
// never share a digest, so a number must mean exactly its canonical form.
// It replaces every json.Number in maps and arrays by its float64.
func exactNumbers(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if err := exactNumbers(x); err != nil {
				return err
			}
			if n, ok := x.(json.Number); ok {
				v[k], _ = strconv.ParseFloat(string(n), 64)
			}
		}
	case []any:
		for i, x := range v {
			if err := exactNumbers(x); err != nil {
				return err
			}
			if n, ok := x.(json.Number); ok {
				v[i], _ = strconv.ParseFloat(string(n), 64)
			}
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return Errorf(EInvalid, "payload must be a JSON object of representable numbers: %s is out of range; send it as a string", v)
		}
		want, ok1 := new(big.Rat).SetString(string(v))
		got, ok2 := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
		if !ok1 || !ok2 || want.Cmp(got) != 0 {
			return Errorf(EInvalid, "number %s cannot be represented exactly (IEEE-754 double, RFC 8785); send it as a string", v)
		}
	}
	return nil
}

func requireString(payload map[string]any, field string) error {
	s, ok := payload[field].(string)
	if !ok || strings.TrimSpace(s) == "" {
		return Errorf(EInvalid, "payload.%s must be a non-empty string", field)
	}
	return nil
}

// Canonical returns the RFC 8785 canonical JSON of the action as it is bound by
// approvals: every field but the idempotency key.
func (a Action) Canonical() ([]byte, error) {
	a.IdempotencyKey = ""
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("marshal action: %w", err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("canonicalize action: %w", err)
	}
	return out, nil
}

// Digest returns "sha256:" and the hex SHA-256 of the action's canonical JSON.
func (a Action) Digest() (string, error) {
	_, d, err := a.CanonicalDigest()
	return d, err
}

// CanonicalDigest returns the action's canonical JSON and its digest.
func (a Action) CanonicalDigest() ([]byte, string, error) {
	c, err := a.Canonical()
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(c)
	return c, "sha256:" + hex.EncodeToString(sum[:]), nil
}
