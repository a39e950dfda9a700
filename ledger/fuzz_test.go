package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLeaf: whatever ParseLeaf accepts, Leaf writes back byte for byte.
func FuzzParseLeaf(f *testing.F) {
	events, err := os.ReadFile(filepath.Join(vectorDir, "events.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(bytes.TrimSpace(events), []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"actor":"system","data":{},"index":3,"time":"2025-06-01T10:00:00Z","type":"x"}`))
	f.Add([]byte(`{"actor":"system","data":{"n":1e21,"s":"\u0000"},"index":0,"time":"2025-06-01T10:00:00.1Z","type":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		index, e, err := ParseLeaf(b)
		if err != nil {
			return
		}
		again, err := Leaf(index, e)
		if err != nil {
			t.Fatalf("Leaf refused what ParseLeaf accepted: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip: got %s, want %s", again, b)
		}
	})
}

// FuzzParseProof: whatever ParseProof accepts, FormatProof writes back byte
// for byte.
func FuzzParseProof(f *testing.F) {
	receipt, err := os.ReadFile(filepath.Join(vectorDir, "receipt.tlog-proof"))
	if err != nil {
		f.Fatal(err)
	}
	parts, err := SplitReceipts(receipt)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range parts {
		f.Add(p)
	}
	f.Add([]byte("c2sp.org/tlog-proof@v1\nindex 0\n\nx\n"))
	f.Add([]byte("c2sp.org/tlog-proof@v1\nextra AA==\nindex 01\n\nx\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProof(b)
		if err != nil {
			return
		}
		if got := FormatProof(p); !bytes.Equal(got, b) {
			t.Fatalf("round trip: got %q, want %q", got, b)
		}
	})
}
