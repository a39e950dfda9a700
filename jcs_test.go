package countersign

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

// TestJCSTransformRFC8785Vectors runs every NAME.input.json in testdata/jcs
// through jcs.Transform and compares it byte for byte with NAME.output.json.
func TestJCSTransformRFC8785Vectors(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "jcs", "*.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 2 {
		t.Fatalf("got %d input vectors in testdata/jcs, want at least 2 (sample, sorting)", len(inputs))
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input.json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			input := readFile(t, in)
			want := readFile(t, filepath.Join("testdata", "jcs", name+".output.json"))
			got, err := jcs.Transform(input)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Transform(%s)\n got %s\nwant %s", in, got, want)
			}
			// Canonical form is a fixed point.
			again, err := jcs.Transform(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("Transform(canonical) = %s, %v; want it unchanged", again, err)
			}
		})
	}
}

// TestJCSSampleUTF8Bytes checks §3.2.4: the canonical sample as UTF-8 bytes.
func TestJCSSampleUTF8Bytes(t *testing.T) {
	t.Parallel()
	hexText := strings.Join(strings.Fields(string(readFile(t, "testdata/jcs/sample.output.hex"))), "")
	want, err := hex.DecodeString(hexText)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jcs.Transform(readFile(t, "testdata/jcs/sample.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("canonical sample bytes\n got % x\nwant % x", got, want)
	}
}

type numberVector struct {
	line    int
	bits    uint64
	want    string // "" when the value has no JSON form (N/A)
	comment string
}

func readNumberVectors(t *testing.T) []numberVector {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "jcs", "numbers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []numberVector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, ",", 3)
		if len(fields) != 3 {
			t.Fatalf("numbers.csv:%d: got %d fields, want 3", n, len(fields))
		}
		bits, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil {
			t.Fatalf("numbers.csv:%d: %v", n, err)
		}
		v := numberVector{line: n, bits: bits, want: fields[1], comment: fields[2]}
		if v.want == "N/A" {
			v.want = ""
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 26 {
		t.Fatalf("got %d number vectors, want the 26 rows of RFC 8785 Appendix B", len(out))
	}
	return out
}

// TestJCSNumberSerializationAppendixB checks every row of RFC 8785 Appendix B,
// both through jcs.NumberToJSON and through jcs.Transform of a JSON number
// that parses to the same double.
func TestJCSNumberSerializationAppendixB(t *testing.T) {
	t.Parallel()
	for _, v := range readNumberVectors(t) {
		t.Run(strconv.FormatUint(v.bits, 16), func(t *testing.T) {
			t.Parallel()
			f := math.Float64frombits(v.bits)
			got, err := jcs.NumberToJSON(f)
			if v.want == "" {
				if err == nil {
					t.Errorf("NumberToJSON(%016x %s) = %q, nil; want an error", v.bits, v.comment, got)
				}
				return
			}
			if err != nil || got != v.want {
				t.Errorf("NumberToJSON(%016x) = %q, %v; want %q", v.bits, got, err, v.want)
			}
			// Any JSON spelling of the same double canonicalizes alike.
			for _, text := range []string{
				strconv.FormatFloat(f, 'g', -1, 64),
				strconv.FormatFloat(f, 'e', -1, 64),
				v.want,
			} {
				out, err := jcs.Transform([]byte("[" + text + "]"))
				if err != nil || string(out) != "["+v.want+"]" {
					t.Errorf("Transform([%s]) = %s, %v; want [%s]", text, out, err, v.want)
				}
			}
		})
	}
}

// TestJCSTransformRefuses pins inputs that are not I-JSON and must not get a
// canonical form (and so never a digest).
func TestJCSTransformRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
	}{
		{"duplicate key", `{"a":1,"a":2}`},
		{"duplicate key after escape", `{"a":1,"\u0061":2}`},
		{"lone high surrogate", `["\ud800"]`},
		{"lone low surrogate", `["\udc00"]`},
		{"invalid utf-8", "[\"\xff\"]"},
		{"number out of range", `[1e400]`},
		{"NaN literal", `[NaN]`},
		{"Infinity literal", `[Infinity]`},
		{"leading zero", `[01]`},
		{"hex number", `[0x10]`},
		{"trailing data", `{} {}`},
		{"unterminated", `{"a":`},
		{"empty", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := jcs.Transform([]byte(tt.input))
			if err == nil {
				t.Errorf("Transform(%q) = %q, nil; want an error", tt.input, got)
			}
		})
	}
}

// TestJCSTransformExamples pins a few more canonical forms the digest relies on.
func TestJCSTransformExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, want string
	}{
		{"whitespace", " { \"b\" : 1 ,\n\t\"a\" : [ 1 , 2 ] } ", `{"a":[1,2],"b":1}`},
		{"nested sort", `{"b":{"z":1,"y":2},"a":0}`, `{"a":0,"b":{"y":2,"z":1}}`},
		{"arrays keep order", `[3,1,2]`, `[3,1,2]`},
		{"minus zero", `-0`, `0`},
		{"integer spellings", `[1.0,1e0,10e-1,100E-2]`, `[1,1,1,1]`},
		{"html escapes undone", `"\u003c\u003e\u0026"`, `"<>&"`},
		{"line separator raw", `"\u2028\u2029"`, "\"\u2028\u2029\""},
		{"solidus unescaped", `"\/"`, `"/"`},
		{"control escaped", "\"\\u001f\\u007f\"", "\"\\u001f\u007f\""},
		{"short escapes", `"\b\f\n\r\t"`, `"\b\f\n\r\t"`},
		{"utf-16 order", `{"\ufb33":1,"\ud83d\ude00":2}`, "{\"\U0001F600\":2,\"\ufb33\":1}"},
		{"prefix sorts first", `{"ab":1,"a":2}`, `{"a":2,"ab":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := jcs.Transform([]byte(tt.input))
			if err != nil || string(got) != tt.want {
				t.Errorf("Transform(%q) = %q, %v; want %q", tt.input, got, err, tt.want)
			}
		})
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
