package dlp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/countersign/countersign/internal/jsonstr"
)

// ErrNotJSON is returned by MaskJSON for input that is not one valid JSON
// value; the caller may mask it as text instead.
var ErrNotJSON = errors.New("dlp: not valid JSON")

// jsonToken is a string (member name or value) or number of a document.
type jsonToken struct {
	raw     span   // the token in the input, quotes included
	text    span   // its decoded content in the scanned text
	decoded []byte // decoded content (strings) or the number as written
	number  bool
}

// MaskJSON masks a JSON document (a tool result, an API response) and keeps
// it valid JSON. String values and member names are decoded before they
// are scanned, so escapes (\u0040, \n) hide nothing, and are scanned as one
// text laid out like the document ("name": "value" on a line), so a
// detector sees a value next to its member name. A masked number (a card
// number stored as a JSON number) becomes a string. Everything else is
// copied byte for byte. On error nothing is returned: withhold the input.
func (m *Masker) MaskJSON(ctx context.Context, in []byte) ([]byte, Counts, error) {
	if !json.Valid(in) {
		return nil, nil, ErrNotJSON
	}
	toks, text, err := jsonTokens(in)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrWithheld, err)
	}
	fs, err := m.Scan(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	counts := Counts{}
	out := make([]byte, 0, len(in)+len(in)/8)
	pos, fi := 0, 0
	for _, tok := range toks {
		// Findings are ordered by Start and do not overlap; a finding may
		// cover several tokens, so fi only moves past those that end before
		// this token.
		for fi < len(fs) && fs[fi].End <= tok.text.start {
			fi++
		}
		var mine []Finding
		for j := fi; j < len(fs) && fs[j].Start < tok.text.end; j++ {
			f := fs[j]
			f.Start = max(f.Start, tok.text.start) - tok.text.start
			f.End = min(f.End, tok.text.end) - tok.text.start
			if f.Start < f.End {
				mine = append(mine, f)
			}
		}
		if len(mine) == 0 {
			continue
		}
		masked, _, err := Mask(tok.decoded, mine, m.policy)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrWithheld, err)
		}
		out = append(out, in[pos:tok.raw.start]...)
		out = jsonstr.Append(out, string(masked))
		pos = tok.raw.end
	}
	out = append(out, in[pos:]...)
	for _, f := range fs {
		if coversToken(toks, f) {
			counts[f.Type]++
		}
	}
	return out, counts, nil
}

// coversToken reports whether f overlaps the content of some token (and not
// only the punctuation between them in the scanned text).
func coversToken(toks []jsonToken, f Finding) bool {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].text.end > f.Start })
	return i < len(toks) && toks[i].text.start < f.End
}

// jsonTokens lists the strings and numbers of a valid JSON document and lays
// them out as text to scan: `"name": "value"` and one value per line.
func jsonTokens(in []byte) ([]jsonToken, []byte, error) {
	var toks []jsonToken
	text := make([]byte, 0, len(in))
	for i := 0; i < len(in); {
		c := in[i]
		switch {
		case c == '"':
			end, escaped := stringEnd(in, i)
			raw := in[i:end]
			var dec []byte
			if escaped {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return nil, nil, fmt.Errorf("decode JSON string at %d: %w", i, err)
				}
				dec = []byte(s)
			} else {
				dec = raw[1 : len(raw)-1]
			}
			text = append(text, '"')
			tok := jsonToken{raw: span{i, end}, text: span{len(text), len(text) + len(dec)}, decoded: dec}
			// A quote inside a value would end it early for detectors
			// that read quoted values; an apostrophe, the same length,
			// stands in for it in the scanned text only.
			for _, c := range dec {
				if c == '"' {
					c = '\''
				}
				text = append(text, c)
			}

			text = append(text, '"')
			if isMemberName(in, end) {
				text = append(text, ": "...)
			} else {
				text = append(text, '\n')
			}
			toks = append(toks, tok)
			i = end
		case c == '-' || '0' <= c && c <= '9':
			end := i + 1
			for end < len(in) && bytes.IndexByte([]byte("0123456789.eE+-"), in[end]) >= 0 {
				end++
			}
			tok := jsonToken{raw: span{i, end}, text: span{len(text), len(text) + end - i}, decoded: in[i:end], number: true}
			text = append(text, in[i:end]...)
			text = append(text, '\n')
			toks = append(toks, tok)
			i = end
		default:
			i++ // punctuation, white space, true, false, null
		}
	}
	return toks, text, nil
}

// stringEnd returns the index after the string that starts at in[i] (a
// quote) and whether it holds an escape.
func stringEnd(in []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(in); j++ {
		switch in[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return len(in), escaped
}

// isMemberName reports whether the string ending before in[end] is a member
// name, that is, a colon follows it.
func isMemberName(in []byte, end int) bool {
	for ; end < len(in); end++ {
		switch in[end] {
		case ' ', '\t', '\n', '\r':
		case ':':
			return true
		default:
			return false
		}
	}
	return false
}
