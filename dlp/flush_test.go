package dlp

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Flush emits complete lines at once, masked, and keeps back an incomplete
// line and an unfinished private-key block, so that no secret is shown in
// part; what it emits equals masking each flushed piece whole.
func TestWriterFlush(t *testing.T) {
	m := DefaultMasker()
	var out bytes.Buffer
	w := m.NewWriter(context.Background(), &out)
	write := func(s string) {
		t.Helper()
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	flush := func() string {
		t.Helper()
		before := out.Len()
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return out.String()[before:]
	}
	write("deploying as jane.doe@acme-corp.io\nkey AKIAZ7VRSQ")
	got := flush()
	if !strings.HasPrefix(got, "deploying as ") || strings.Contains(got, "jane.doe") || strings.Contains(got, "AKIA") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("first flush %q: want the first line, masked, and nothing of the partial key", got)
	}
	write("4TLW2MXJ5K done\n")
	if got := flush(); strings.Contains(got, "Z7VRSQ") || strings.Contains(got, "4TLW2MXJ5K") || !strings.Contains(got, "done") {
		t.Fatalf("second flush %q: want the whole key masked", got)
	}
	pem := strings.SplitAfter(fixPEM, "\n")
	write("loaded\n" + pem[0] + pem[1])
	if got := flush(); got != "loaded\n" {
		t.Fatalf("flush inside a private key block: %q, want only the line before it", got)
	}
	write(strings.Join(pem[2:], "") + "\nbye\n")
	got = flush()
	if strings.Contains(got, "MIIEpAIB") || strings.Contains(got, "Qw8Er7") || !strings.Contains(got, "bye") {
		t.Fatalf("flush after the block ends: %q, want the block masked", got)
	}
	if got := flush(); got != "" {
		t.Fatalf("flush with nothing pending wrote %q", got)
	}
	write("tail without newline jane.doe@acme-corp.io")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, "jane.doe") || !strings.Contains(s, "bye\ntail without newline ") {
		t.Fatalf("close: %q", s)
	}
	if c := w.Counts(); c[Email] != 2 || c[AWSAccessKey] != 1 || c[PrivateKey] != 1 {
		t.Fatalf("counts %v", c)
	}
}
