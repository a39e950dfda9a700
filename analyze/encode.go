package analyze

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/countersign/countersign/internal/jsonstr"
)

// Encode returns facts as RFC 8785 canonical JSON, the form the decision
// records them in, leaving out every false, empty or zero value: what is
// recorded is what the analysers found, and a fact that is absent from the
// record was false or empty. It writes the analysers' value types (maps,
// lists, strings, bools, integers) directly, without reflection: every
// decision carries its facts, so this is on the hot path. Anything else (a
// float from an MCP annotation, a non-ASCII key) goes through encoding/json
// and the strict canonicalizer.
func Encode(f Facts) (json.RawMessage, error) {
	if len(f) == 0 {
		return nil, nil
	}
	m := make(map[string]any, len(f))
	for k, v := range f {
		m[k] = v
	}
	b, ok := appendValue(make([]byte, 0, 1024), m, true)
	if ok {
		return b, nil
	}
	raw, err := json.Marshal(prune(m))
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	return jcs.Transform(raw)
}

// appendValue appends v's canonical JSON; ok is false when v holds something
// the fast path does not write.
func appendValue(b []byte, v any, pruning bool) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case string:
		return jsonstr.Append(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		if v > 1<<53 || v < -(1<<53) {
			return b, false // beyond exact doubles: let the canonicalizer decide
		}
		return strconv.AppendInt(b, v, 10), true
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, s)
		}
		return append(b, ']'), true
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendValue(b, x, pruning); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		return appendMap(b, v, pruning)
	case map[string]map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = x
		}
		return appendMap(b, m, pruning)
	}
	return b, false
}

// verbatim names the facts that hold what an agent sent (MCP's claimed
// annotations), written whole: a claimed false is not the same as no claim.
const verbatim = "claimed"

// appendMap writes a map with its keys in RFC 8785 order, which for ASCII
// keys is byte order; other keys take the slow path.
func appendMap(b []byte, m map[string]any, pruning bool) ([]byte, bool) {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if pruning && empty(v) {
			continue
		}
		for i := 0; i < len(k); i++ {
			if k[i] >= utf8.RuneSelf {
				return b, false
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendValue(b, m[k], pruning && k != verbatim); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// empty reports whether a fact's value is false, "", 0, or an empty list or
// map: left out of the record.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case int:
		return v == 0
	case int64:
		return v == 0
	case float64:
		return v == 0
	case []string:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	case map[string]map[string]any:
		return len(v) == 0
	}
	return false
}

// prune returns v without its empty values, as the fast path writes it.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			switch {
			case empty(x):
			case k == verbatim:
				out[k] = x
			default:
				out[k] = prune(x)
			}
		}
		return out
	case map[string]map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if !empty(x) {
				out[k] = prune(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = prune(x)
		}
		return out
	}
	return v
}
