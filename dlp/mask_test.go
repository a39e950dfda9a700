package dlp

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestMaskRedactDefault(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	in := "mail jane.doe@acme-corp.io key " + fixAWSID + " card 4111111111111111 and bob@acme-corp.io"
	out, counts, err := Mask([]byte(in), s.Scan([]byte(in)), DefaultPolicy())
	if err != nil {
		t.Fatalf("Mask: %v", err)
	}
	want := "mail [EMAIL] key [AWS_ACCESS_KEY] card [PAYMENT_CARD] and [EMAIL]"
	if string(out) != want {
		t.Errorf("Mask = %q, want %q", out, want)
	}
	if counts[Email] != 2 || counts[AWSAccessKey] != 1 || counts[PaymentCard] != 1 || len(counts) != 3 {
		t.Errorf("counts = %v, want EMAIL:2 AWS_ACCESS_KEY:1 PAYMENT_CARD:1", counts)
	}
}

func TestMaskStrategies(t *testing.T) {
	t.Parallel()
	in := []byte("a 4111111111111111 b short c x@y.io d")
	fs := []Finding{
		{Type: PaymentCard, Start: 2, End: 18},
		{Type: GenericSecret, Start: 21, End: 26},
		{Type: Email, Start: 29, End: 35},
	}
	p := Policy{Default: Drop, PerType: map[Type]Strategy{PaymentCard: Partial, GenericSecret: Partial}}
	out, _, err := Mask(in, fs, p)
	if err != nil {
		t.Fatalf("Mask: %v", err)
	}
	if want := "a ************1111 b ***** c  d"; string(out) != want {
		t.Errorf("Mask = %q, want %q", out, want)
	}
}

func TestMaskHashDeterministicPerKey(t *testing.T) {
	t.Parallel()
	in := []byte("x@y.io and x@y.io and z@y.io")
	fs := []Finding{{Type: Email, Start: 0, End: 6}, {Type: Email, Start: 11, End: 17}, {Type: Email, Start: 22, End: 28}}
	p := Policy{Default: Hash, Key: []byte("k1-a-test-key-of-32-bytes-length")}
	out, counts, err := Mask(in, fs, p)
	if err != nil {
		t.Fatalf("Mask: %v", err)
	}
	tok := regexp.MustCompile(`\[EMAIL:h:[0-9a-f]{16}\]`).FindAllString(string(out), -1)
	if len(tok) != 3 || tok[0] != tok[1] || tok[0] == tok[2] {
		t.Fatalf("Mask = %q: want three tokens, first two equal, third different", out)
	}
	if counts[Email] != 3 {
		t.Errorf("counts[EMAIL] = %d, want 3", counts[Email])
	}
	out2, _, _ := Mask(in, fs, p)
	if string(out2) != string(out) {
		t.Errorf("same key gave %q then %q", out, out2)
	}
	p.Key = []byte("k2-a-test-key-of-32-bytes-length")
	out3, _, _ := Mask(in, fs, p)
	if strings.Contains(string(out3), tok[0]) {
		t.Errorf("another key gave the same token %s", tok[0])
	}
	if strings.Contains(string(out), "x@y.io") {
		t.Errorf("hashed output %q still holds the value", out)
	}
}

func TestMaskFailsClosed(t *testing.T) {
	t.Parallel()
	in := []byte("x@y.io")
	fs := []Finding{{Type: Email, Start: 0, End: 6}}
	if out, _, err := Mask(in, fs, Policy{Default: Hash}); !errors.Is(err, errNoKey) || out != nil {
		t.Errorf("hash without key: got %q, %v; want nil, errNoKey", out, err)
	}
	if out, _, err := Mask(in, []Finding{{Type: Email, Start: 0, End: 7}}, DefaultPolicy()); err == nil || out != nil {
		t.Errorf("finding past end: got %q, %v; want nil and an error", out, err)
	}
	if out, _, err := Mask(in, fs, Policy{Default: "rot13"}); err == nil || out != nil {
		t.Errorf("unknown strategy: got %q, %v; want nil and an error", out, err)
	}
}

func TestMaskOverlappingFindingsLeakNothing(t *testing.T) {
	t.Parallel()
	in := []byte("pre SECRETVALUE post")
	fs := []Finding{{Type: GenericSecret, Start: 4, End: 10}, {Type: JWT, Start: 8, End: 15}}
	out, counts, err := Mask(in, fs, DefaultPolicy())
	if err != nil {
		t.Fatalf("Mask: %v", err)
	}
	if want := "pre [GENERIC_SECRET] post"; string(out) != want {
		t.Errorf("Mask = %q, want %q", out, want)
	}
	if counts[GenericSecret] != 1 {
		t.Errorf("counts = %v, want GENERIC_SECRET:1", counts)
	}
}

func TestMaskNoFindings(t *testing.T) {
	t.Parallel()
	out, counts, err := Mask([]byte("clean"), nil, DefaultPolicy())
	if err != nil || string(out) != "clean" || len(counts) != 0 {
		t.Errorf("Mask(clean) = %q, %v, %v; want clean, no counts, nil", out, counts, err)
	}
}
