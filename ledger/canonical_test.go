package ledger

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

var canonicalSeeds = []string{
	`{}`,
	`{"b":1,"a":2,"c":{"z":[3,2,1],"y":null,"x":true}}`,
	`{"numbers":[0,-0,1e21,1e+21,1e-7,5e-324,1.7976931348623157e308,9007199254740993,0.1,100,1.5e3,-12.0]}`,
	`{"s":"quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f nul \u0000 unit \u001f del \u007f"}`,
	`{"u":"\u2028\u2029 é 日本 😀 \ud83d\ude00 <>&"}`,
	`{"€":1,"\r":2,"1":3,"ö":4,"😀":5,"\ufb33":6,"\ud83d\ude02":7,"a":8}`,
	`{"nested":{"deep":[{"b":[],"a":{}}]}}`,
}

// canonicalData gives exactly what the general canonicalizer gives, for
// every object that one accepts.
func TestCanonicalDataMatchesJCS(t *testing.T) {
	t.Parallel()
	for _, s := range canonicalSeeds {
		want, err := jcs.Transform([]byte(s))
		if err != nil {
			t.Fatalf("jcs refuses seed %s: %v", s, err)
		}
		got, err := canonicalData([]byte(s))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("canonicalData(%s)\n got %s (%v)\nwant %s", s, got, err, want)
		}
	}
}

// Input the gateway never writes goes to the strict canonicalizer.
func TestCanonicalDataStrictFallback(t *testing.T) {
	t.Parallel()
	if _, err := canonicalData([]byte(`{"s":"\ud800"}`)); err == nil {
		t.Error("a lone surrogate was accepted")
	}
	got, err := canonicalData([]byte(`{"s":"\ud83d\ude00","a":1}`))
	if err != nil || string(got) != `{"a":1,"s":"😀"}` {
		t.Errorf("surrogate pair: %s, %v", got, err)
	}
	if _, err := canonicalData([]byte("{\"s\":\"\xff\"}")); err == nil {
		t.Error("invalid UTF-8 was accepted")
	}
}

func FuzzCanonicalData(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) || len(bytes.TrimSpace(b)) == 0 || bytes.TrimSpace(b)[0] != '{' {
			return
		}
		want, err := jcs.Transform(b)
		if err != nil {
			return // duplicate members, lone surrogates, ...: never in event data
		}
		got, err := canonicalData(b)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("canonicalData(%q)\n got %s (%v)\nwant %s", b, got, err, want)
		}
	})
}
