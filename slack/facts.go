package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// readable lays out a (masked) JSON payload for reading: a payload of one
// string member ({"sql": "..."}, {"command": "..."}) as that string under
// its name, so that multi-line statements read as written, and anything
// else indented.
func readable(js []byte) string {
	var one map[string]json.RawMessage
	if json.Unmarshal(js, &one) == nil && len(one) == 1 {
		for k, v := range one {
			var s string
			if json.Unmarshal(v, &s) == nil {
				return k + ":\n" + s
			}
		}
	}
	var buf bytes.Buffer
	if json.Indent(&buf, js, "", "  ") != nil {
		return string(js)
	}
	return buf.String()
}

// factsText renders the analysers' facts ({"sql": {"is_export": true,
// "tables_read": ["orders"]}}) one analyser a line: the facts that are true
// by name, then the others that say something as name: value, then the
// analyser's reasons one a line. Facts that are false, empty or null are
// left out.
func factsText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return string(raw)
	}
	var lines []string
	for _, an := range sortedKeys(all) {
		var facts map[string]json.RawMessage
		if err := json.Unmarshal(all[an], &facts); err != nil {
			lines = append(lines, an+": "+string(all[an]))
			continue
		}
		var yes, other, why []string
		for _, k := range sortedKeys(facts) {
			v := bytes.TrimSpace(facts[k])
			if k == "reasons" && json.Unmarshal(v, &why) == nil {
				continue
			}
			switch string(v) {
			case "true":
				yes = append(yes, k)
			case "false", "null", "[]", "{}", `""`, "0":
			default:
				other = append(other, fmt.Sprintf("%s: %s", k, compact(v)))
			}
		}
		if len(yes)+len(other) > 0 {
			lines = append(lines, an+": "+strings.Join(append(yes, other...), ", "))
		}
		for _, w := range why {
			lines = append(lines, "  - "+w)
		}
	}
	return strings.Join(lines, "\n")
}

func compact(v []byte) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
