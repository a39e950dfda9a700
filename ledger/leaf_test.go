package ledger

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

func mustEvent(t *testing.T, leaf []byte) countersign.Event {
	t.Helper()
	_, e, err := ParseLeaf(leaf)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestLeaf(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name  string
		index uint64
		e     countersign.Event
		want  string // "" when refused
	}{
		{"no action, empty data", 0, countersign.Event{Seq: 9, Time: at, Type: "agent.frozen", Actor: "admin:root"},
			`{"actor":"admin:root","data":{},"index":0,"time":"2025-06-01T10:00:00Z","type":"agent.frozen"}`},
		{"keys sorted, escapes canonical", 5, countersign.Event{Time: at.Add(1500 * time.Microsecond), Type: "x", ActionID: "req_1", Actor: "system",
			Data: json.RawMessage(` {"b": "\u003c\u00e9", "a": 1.50} `)},
			`{"action_id":"req_1","actor":"system","data":{"a":1.5,"b":"<é"},"index":5,"time":"2025-06-01T10:00:00.0015Z","type":"x"}`},
		{"data not an object", 0, countersign.Event{Time: at, Type: "x", Actor: "system", Data: json.RawMessage(`[1]`)}, ""},
		{"no type", 0, countersign.Event{Time: at, Actor: "system"}, ""},
		{"no actor", 0, countersign.Event{Time: at, Type: "x"}, ""},
		{"index beyond 2^53", 1 << 53, countersign.Event{Time: at, Type: "x", Actor: "system"}, ""},
	}
	for _, tt := range tests {
		got, err := Leaf(tt.index, tt.e)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: got %s, want an error", tt.name, got)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestParseLeafRefuses(t *testing.T) {
	t.Parallel()
	good := `{"actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`
	if _, _, err := ParseLeaf([]byte(good)); err != nil {
		t.Fatalf("good leaf: %v", err)
	}
	tests := map[string]string{
		"whitespace":        `{"actor": "system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"unsorted":          `{"data":{},"actor":"system","index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"unknown member":    `{"actor":"system","data":{},"index":3,"seq":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"missing data":      `{"actor":"system","index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"empty action_id":   `{"action_id":"","actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"offset time":       `{"actor":"system","data":{},"index":3,"time":"2025-06-01T12:00:00+02:00","type":"x"}`,
		"trailing zeros":    `{"actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00.500Z","type":"x"}`,
		"index as float":    `{"actor":"system","data":{},"index":3.5,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"negative index":    `{"actor":"system","data":{},"index":-3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"duplicate key":     `{"actor":"system","actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"data array":        `{"actor":"system","data":[],"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"escaped slash":     `{"actor":"a\/b","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"trailing newline":  good + "\n",
		"number not canon":  `{"actor":"system","data":{"n":1.0},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"invalid utf-8":     `{"actor":"sys` + "\xff" + `","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`,
		"not json":          `index 3`,
		"type not a string": `{"actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":1}`,
	}
	for name, in := range tests {
		if _, _, err := ParseLeaf([]byte(in)); err == nil {
			t.Errorf("%s: accepted %s", name, in)
		}
	}
}

func TestCheckpointBody(t *testing.T) {
	t.Parallel()
	root := make([]byte, 32)
	c := Checkpoint{Origin: "countersign/host1", Size: 20852163, Root: root}
	want := "countersign/host1\n20852163\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	if got := string(c.Body()); got != want {
		t.Fatalf("Body: got %q, want %q", got, want)
	}
	if got, err := ParseCheckpoint([]byte(want + "ext line\n")); err != nil || got.Size != c.Size || got.Origin != c.Origin {
		t.Errorf("with extension line: got %+v, %v", got, err)
	}
	for _, bad := range []string{
		"countersign/host1\n020852163\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"countersign/host1\n+1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"countersign/host1\n1\nAAAA\n",
		"countersign/host1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",
		"countersign host1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"countersign/host1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
		"countersign/host1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"countersign/host1\n1\n",
	} {
		if _, err := ParseCheckpoint([]byte(bad)); err == nil {
			t.Errorf("ParseCheckpoint accepted %q", strings.ReplaceAll(bad, "\n", `\n`))
		}
	}
}
