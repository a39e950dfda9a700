package dlp

import (
	"bytes"
	"strings"
	"testing"
)

// TestFoundAnywhere embeds every true positive in the middle of clean text,
// at several offsets, on its own line and inside a long line: windows,
// merging and line clipping must not lose it.
func TestFoundAnywhere(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	clean := string(mixedText(8<<10, 0))
	for _, c := range []struct{ in, value string }{
		{"token: " + fixGitHub, fixGitHub},
		{"aws_secret_access_key = " + fixAWSSecret, fixAWSSecret},
		{"key " + fixSendGrid, fixSendGrid},
		{fixPEM, fixPEM},
		{"postgres://app:Zk8q2LmR7v@db.internal:5432/app", "Zk8q2LmR7v"},
		{"mail jane.doe@acme-corp.io", "jane.doe@acme-corp.io"},
		{"card 4111 1111 1111 1111", "4111 1111 1111 1111"},
		{"IBAN DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"},
		{"ssn 536-22-1234", "536-22-1234"},
		{"Bearer " + fixJWT, fixJWT},
	} {
		for _, off := range []int{0, 1, 777, 4096, len(clean)} {
			for _, sep := range []string{"\n", " "} {
				in := clean[:off] + sep + c.in + sep + clean[off:]
				found := false
				for _, f := range s.Scan([]byte(in)) {
					if in[f.Start:f.End] == c.value {
						found = true
					}
				}
				if !found {
					t.Errorf("%q at offset %d (sep %q): not found", c.value, off, sep)
				}
			}
		}
	}
}

// FuzzScanMask checks on any input that findings are in bounds, ordered and
// disjoint, and that masking with the default policy removes every found
// value and keeps every byte outside findings.
func FuzzScanMask(f *testing.F) {
	s := newDefault(f)
	for _, seed := range []string{
		"", "token=" + fixGitHub, "mail a@b.io card 4111111111111111",
		fixPEM, "postgres://u:Zk8q2LmR7v@h/db", "DE89 3704 0044 0532 0130 00 536-22-1234",
		strings.Repeat("password=", 50), "@@@@", "-----BEGIN PRIVATE KEY-----",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fs := s.Scan(in)
		prev := 0
		for _, x := range fs {
			if x.Start < prev || x.End <= x.Start || x.End > len(in) {
				t.Fatalf("finding %+v out of order or bounds (prev end %d, len %d)", x, prev, len(in))
			}
			prev = x.End
		}
		out, counts, err := Mask(in, fs, DefaultPolicy())
		if err != nil {
			t.Fatalf("Mask: %v", err)
		}
		n := 0
		for _, c := range counts {
			n += c
		}
		if n != len(fs) {
			t.Fatalf("counts sum %d, want %d findings", n, len(fs))
		}
		// Rebuild the expected output independently.
		var want bytes.Buffer
		pos := 0
		for _, x := range fs {
			want.Write(in[pos:x.Start])
			want.WriteString("[" + string(x.Type) + "]")
			pos = x.End
		}
		want.Write(in[pos:])
		if !bytes.Equal(out, want.Bytes()) {
			t.Fatalf("Mask = %q, want %q", out, want.Bytes())
		}
	})
}
