// Package dlp finds secrets and personal data in text and masks them before
// the text leaves the gateway.
//
// Detectors are compiled once into a Scanner. A scan makes one pass over the
// input with an Aho-Corasick automaton over every detector's keywords (and a
// digit-run tracker for detectors that have no keyword, such as payment
// cards); each detector's validating regular expression (RE2) then runs only
// in a window around its candidates, and a validator (checksum, entropy,
// structure) accepts or rejects each match.
//
// Decisions worth knowing:
//
//   - Windows are cut at line breaks unless a detector is Multiline (private
//     keys, Twilio's context word), so a keyword in a long log does not make
//     the pattern run over the whole log.
//   - Documented sample credentials (values containing EXAMPLE, such as
//     AWS's AKIAIOSFODNN7EXAMPLE) are not reported: they grant nothing and
//     masking them only damages documentation. Stripe test keys (sk_test_)
//     are not reported by the Stripe detector either.
//   - Of overlapping findings the one with the higher confidence wins, then
//     the longer, and takes the other's bytes into its span, so no byte of
//     an overlapped credential leaks; personal data overlapped by a
//     credential (user:password@host read as an email) is dropped. Mask
//     still merges any overlap it is given.
//   - The labelled corpus is in testdata/dlp/ at the root of the repository:
//     one file per theme, read together by TestCorpus.
package dlp

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type names the kind of data a finding holds, e.g. EMAIL or AWS_ACCESS_KEY.
// It is also the label used by redaction ("[EMAIL]").
type Type string

// Finding is one match: Input[Start:End] holds data of type Type, found by the
// detector named Detector with a confidence in (0, 1].
type Finding struct {
	Type       Type
	Start, End int
	Confidence float64
	Detector   string
}

// Detector describes one kind of secret or personal data.
type Detector struct {
	// Name identifies the detector in findings, e.g. "github-pat".
	Name string
	// Type is the type reported for its findings.
	Type Type
	// Keywords are anchors (ASCII case-insensitive): the pattern is tried
	// only in a window around an occurrence of one of them.
	Keywords []string
	// Digits, if non-zero, also makes a run of at least Digits digits
	// (single spaces, dashes or dots allowed between them) a candidate.
	Digits int
	// Dots, with Digits, makes a digit run a candidate only if at least
	// Dots of its separators are dots (a dotted quad has three).
	Dots int
	// Run, with Digits, is a cheap test of a digit run input[start:end]
	// (first to last digit) before it becomes a candidate; it may look at
	// the bytes around the run. It keeps frequent runs (timestamps, ids)
	// from costing a window each.
	Run func(input []byte, start, end int) bool
	// Colons, if non-zero, also makes a candidate of Colons colons in a row
	// at most five bytes apart, or of two adjacent colons: the shape of an
	// IPv6 address. The window is Before bytes before the first colon to
	// After bytes after the one that made the candidate and, as for digit
	// detectors, a match touching a letter or digit outside it is rejected.
	Colons int
	// Pattern is the validating RE2 expression.
	Pattern string
	// Group selects the submatch that is the finding; 0 is the whole match.
	Group int
	// Before and After widen the window around a candidate, in bytes.
	// For keyword detectors both zero means 64 before and 256 after (for
	// anchored ones, the keyword's token), and the window is then widened to
	// token boundaries. For digit detectors
	// the window is the digit run plus exactly Before and After bytes, and
	// a match touching a letter or digit outside it is rejected.
	Before, After int
	// Anchored says a match starts exactly at the keyword (or at the start
	// of the digit run): the pattern is tried once there instead of at
	// every position of a window, which is much cheaper when candidates are
	// frequent. A pattern that starts with \b must then not follow a letter
	// or digit.
	Anchored bool
	// Precheck, if set, is a cheap test a window must pass before the
	// pattern is tried in it.
	Precheck func(window []byte) bool
	// Match, if set on an Anchored detector, replaces the pattern: it
	// returns the span of the finding (the group Pattern selects) in the
	// match that starts at window[0], or -1, -1; the match ends where the
	// finding does. Pattern still documents the format, and tests hold
	// Match to it.
	Match func(window []byte) (start, end int)
	// Multiline lets the window cross line breaks; otherwise it is cut at
	// the line holding the candidate, which keeps windows small in logs.
	Multiline bool
	// Confidence is the confidence of a match that Validate does not change.
	Confidence float64
	// Validate, if set, returns the confidence of value (the selected group)
	// given the whole match, or false to reject it.
	Validate func(value, match []byte) (float64, bool)
	// WholeWord rejects a match with a letter, digit or _ of any script
	// right before or after it.
	WholeWord bool
	// Context, if set, adjusts the confidence by words near the match.
	Context *Context
}

type compiled struct {
	Detector
	re       *regexp.Regexp
	boundary bool // anchored pattern starts with \b
	// seq, if set, replaces re for an anchored pattern of the simple
	// shape compileSeq accepts: same matches, no backtracking.
	seq *seqMatcher
}

// Scanner is a compiled set of detectors. It is safe for concurrent use.
type Scanner struct {
	dets []compiled
	m    *matcher
	kw   [][]int // keyword id -> detector indexes
	// digitDets are detectors with Digits > 0. A run is looked at only if
	// it has minDigits digits (the least Digits of those without Dots), or
	// minDots dots and minDotDigits digits (of those with Dots).
	digitDets                        []int
	minDigits, minDots, minDotDigits int
	// colonDets are detectors with Colons > 0; minColons the least Colons.
	colonDets []int
	minColons int
	// kind sorts bytes for digit runs and colon chains.
	kind [256]uint8
}

// Byte kinds for the digit-run and colon-chain trackers.
const (
	kindOther = iota
	kindDigit
	kindSep // space, dash or dot: may continue a digit run
	kindColon
)

// maxExtend bounds how far a window is widened to reach a token boundary.
const maxExtend = 256

// maxToken bounds how far an anchored detector's window is read to the end
// of its token. It stays below the stream overlap, so a token is never
// longer than a stream keeps in view.
const maxToken = 16 << 10

// NewScanner compiles detectors into a Scanner. It returns an error if a
// pattern does not compile or a detector has no keywords, Digits or Colons.
func NewScanner(detectors []Detector) (*Scanner, error) {
	s := &Scanner{minDigits: math.MaxInt, minDots: math.MaxInt, minDotDigits: math.MaxInt, minColons: math.MaxInt}
	index := map[string]int{}
	var words []string
	for i, d := range detectors {
		expr := d.Pattern
		if d.Anchored {
			expr = `^(?:` + expr + `)`
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("compile detector %s: %w", d.Name, err)
		}
		if len(d.Keywords) == 0 && d.Digits == 0 && d.Colons == 0 {
			return nil, fmt.Errorf("compile detector %s: no keywords, digits or colons", d.Name)
		}
		if d.Group > re.NumSubexp() {
			return nil, fmt.Errorf("compile detector %s: group %d out of range", d.Name, d.Group)
		}
		if d.Context != nil {
			c := *d.Context
			c.Words, c.Negative = lowerAll(c.Words), lowerAll(c.Negative)
			d.Context = &c
		}
		if d.Anchored && d.After == 0 {
			// The window is widened to the end of the token anyway.
			d.After = 1
		}
		if d.Before == 0 && d.After == 0 && d.Digits == 0 && d.Colons == 0 {
			d.Before, d.After = 64, 256
		}
		c := compiled{Detector: d, re: re, boundary: strings.HasPrefix(d.Pattern, `\b`)}
		if d.Anchored {
			c.seq, _ = compileSeq(d.Pattern)
		}
		s.dets = append(s.dets, c)
		for _, k := range d.Keywords {
			lk := string(lowerBytes([]byte(k)))
			id, ok := index[lk]
			if !ok {
				id = len(words)
				index[lk] = id
				words = append(words, lk)
				s.kw = append(s.kw, nil)
			}
			s.kw[id] = append(s.kw[id], i)
		}
		switch {
		case d.Digits > 0 && d.Dots > 0:
			s.digitDets = append(s.digitDets, i)
			s.minDots, s.minDotDigits = min(s.minDots, d.Dots), min(s.minDotDigits, d.Digits)
		case d.Digits > 0:
			s.digitDets = append(s.digitDets, i)
			s.minDigits = min(s.minDigits, d.Digits)
		}
		if d.Colons > 0 {
			s.colonDets = append(s.colonDets, i)
			s.minColons = min(s.minColons, d.Colons)
		}
	}
	s.m = newMatcher(words)
	for c := '0'; c <= '9'; c++ {
		s.kind[c] = kindDigit
	}
	s.kind[' '], s.kind['-'], s.kind['.'], s.kind[':'] = kindSep, kindSep, kindSep, kindColon

	return s, nil
}

func lowerBytes(b []byte) []byte {
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return b
}

type span struct{ start, end int }

// Scan returns the findings in input, ordered by Start, with overlaps
// resolved: of two overlapping findings the one with the higher confidence
// wins, then the longer. It cannot be cancelled; code that passes text on
// uses ScanContext and withholds the text on error.
func (s *Scanner) Scan(input []byte) []Finding {
	fs, _ := s.ScanContext(context.Background(), input)
	return fs
}

// checkEvery is how many bytes (or windows) a scan handles between two looks
// at its context.
const checkEvery = 64 << 10

// ScanContext is Scan that stops when ctx is done. An error (the context's,
// or a detector that panicked) means the findings are incomplete: the caller
// must withhold the input, never pass it on unmasked.
func (s *Scanner) ScanContext(ctx context.Context, input []byte) (found []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			found, err = nil, fmt.Errorf("dlp: scan failed: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dlp: scan stopped: %w", err)
	}
	wins := make([][]span, len(s.dets))
	add := func(d, start, end int) {
		det := &s.dets[d]
		ws, we := max(0, start-det.Before), min(len(input), end+det.After)
		if det.Anchored {
			ws = start
		}
		if !det.Multiline {
			if i := bytes.LastIndexByte(input[ws:start], '\n'); i >= 0 {
				ws += i + 1
			}
			if i := bytes.IndexByte(input[end:we], '\n'); i >= 0 {
				we = end + i
			}
		}
		w := wins[d]
		if n := len(w); n > 0 && ws <= w[n-1].end && !det.Anchored {
			w[n-1].end = max(w[n-1].end, we)
			return
		}
		wins[d] = append(w, span{ws, we})
	}

	m := s.m
	st := int32(0)
	runStart, digits, dots, lastDigit := -1, 0, 0, -2
	endRun := func() {
		if digits >= s.minDigits || dots >= s.minDots && digits >= s.minDotDigits {
			end := lastDigit + 1
			for _, d := range s.digitDets {
				det := &s.dets[d]
				if digits >= det.Digits && dots >= det.Dots && (det.Run == nil || det.Run(input, runStart, end)) {
					add(d, runStart, end)
				}
				if det.Anchored && digits > det.Digits {
					// A run joins groups over single separators, so a card
					// or SSN can start at a later group: "2024-03-05
					// 4111111111111111". Try each group that leaves enough
					// digits.
					left := digits
					for p := runStart; p < end; p++ {
						c := input[p]
						if c >= '0' && c <= '9' {
							left--
							continue
						}
						if left < det.Digits {
							break
						}
						if det.Run == nil || det.Run(input, p+1, end) {
							add(d, p+1, end)
						}
					}
				}
			}
		}

		runStart, digits, dots = -1, 0, 0
	}
	// A chain is colons at most five bytes apart (an IPv6 group has at most
	// four hex digits); it becomes a candidate once, at minColons colons
	// or at a "::".
	chainStart, chainColons, lastColon, chainDone := 0, 0, -8, false
	colon := func(i int) {
		if i-lastColon > 5 {
			chainStart, chainColons, chainDone = i, 0, false
		}
		chainColons++
		adjacent := i-lastColon == 1
		lastColon = i
		if !chainDone && (chainColons >= s.minColons || adjacent) {
			chainDone = true
			for _, d := range s.colonDets {
				if chainColons >= s.dets[d].Colons || adjacent {
					add(d, chainStart, i+1)
				}
			}
		}
	}
	track := len(s.digitDets) > 0 || len(s.colonDets) > 0
	trans, class, kind := m.trans, &m.class, &s.kind

	checked := 0
	// The input is read in blocks: candidates of one block are checked
	// before the next is read, so the windows held stay few whatever the
	// input's size. A window may reach past its block; a digit run or colon
	// chain still open at a block's end becomes a candidate in the next.
	for block := 0; block < len(input); block += checkEvery {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("dlp: scan stopped: %w", err)
		}
		blockEnd := min(len(input), block+checkEvery)
		for j, c := range input[block:blockEnd] {
			i := block + j
			st = trans[int(st)+int(class[c])]
			if st&hasOut != 0 {
				st &^= hasOut
				for _, id := range m.out[int(st)/m.nclass] {
					start := i + 1 - m.plen[id]
					for _, d := range s.kw[id] {
						add(d, start, i+1)
					}
				}
			}
			if !track {
				continue
			}
			switch kind[c] {
			case kindOther:
				if runStart >= 0 {
					endRun()
				}
			case kindDigit:
				if runStart < 0 {
					runStart = i
				}
				digits++
				lastDigit = i
			case kindSep:
				switch {
				case runStart >= 0 && lastDigit == i-1:
					// a single separator may continue the run
					if c == '.' {
						dots++
					}
				case runStart >= 0:
					endRun()
				}
			case kindColon:
				if runStart >= 0 {
					endRun()
				}
				if s.colonDets != nil {
					colon(i)
				}
			}
		}
		if blockEnd == len(input) && runStart >= 0 {
			endRun()
		}
		from := len(found)
		if found, err = s.check(ctx, input, wins, found, &checked); err != nil {
			return nil, err
		}
		// Sorting each block's findings while they are in cache leaves
		// resolve a nearly sorted slice, which it sorts in close to one pass.
		slices.SortFunc(found[from:], compareFindings)
		for d := range wins {
			wins[d] = wins[d][:0]
		}
	}
	return resolve(found), nil
}

// check runs each detector's matcher in its candidate windows and appends
// what it finds to found.
func (s *Scanner) check(ctx context.Context, input []byte, wins [][]span, found []Finding, checked *int) ([]Finding, error) {
	var seqLoc [4]int
	var locs [][]int
	for d, w := range wins {
		det := &s.dets[d]
		for _, sp := range w {
			if *checked++; *checked%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("dlp: scan stopped: %w", err)
				}
			}
			if det.Anchored {
				if det.boundary && sp.start > 0 && isAlnum(input[sp.start-1]) {
					continue
				}
				// A token found by its prefix is read to its end, however
				// long (OIDC tokens run to kilobytes), up to maxToken.
				for n := 0; sp.end < len(input) && n < maxToken && !isSpace(input[sp.end]); n++ {
					sp.end++
				}
			} else if det.Digits == 0 && det.Colons == 0 {
				sp = widen(input, sp)
			}
			text := input[sp.start:sp.end]
			if det.Precheck != nil && !det.Precheck(text) {
				continue
			}
			locs = locs[:0]
			if det.Anchored {
				if det.Match != nil {
					if vs, ve := det.Match(text); ve > 0 {
						seqLoc = [4]int{0, ve, vs, ve}
						locs = append(locs[:0], seqLoc[:])
					}
				} else if det.seq != nil {
					if loc := det.seq.loc(text, seqLoc[:]); loc != nil {
						locs = append(locs[:0], loc)
					}
				} else if loc := det.re.FindSubmatchIndex(text); loc != nil {
					locs = append(locs, loc)
				}
			} else {
				locs = det.re.FindAllSubmatchIndex(text, -1)
			}
			for _, loc := range locs {
				vs, ve := loc[2*det.Group], loc[2*det.Group+1]
				if vs < 0 || ve <= vs {
					continue
				}
				if (det.Digits > 0 || det.Colons > 0) && !isolated(input, sp.start+loc[0], sp.start+loc[1]) {
					continue
				}
				if det.WholeWord && !wholeWord(input, sp.start+loc[0], sp.start+loc[1]) {
					continue
				}
				conf := det.Confidence
				if det.Validate != nil {
					var ok bool
					conf, ok = det.Validate(text[vs:ve], text[loc[0]:loc[1]])
					if !ok {
						continue
					}
				}
				if det.Context != nil {
					var ok bool
					if conf, ok = det.Context.apply(input, sp.start+vs, sp.start+ve, conf); !ok {
						continue
					}
				}
				found = append(found, Finding{
					Type: det.Type, Start: sp.start + vs, End: sp.start + ve,
					Confidence: conf, Detector: det.Name,
				})
			}
		}
	}
	return found, nil
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isolated reports whether input[start:end] has no letter or digit right
// before or after it.
func isolated(input []byte, start, end int) bool {
	return (start == 0 || !isAlnum(input[start-1])) && (end == len(input) || !isAlnum(input[end]))
}

// wholeWord reports whether input[start:end] has no letter, digit or _ of
// any script right before or after it.
func wholeWord(input []byte, start, end int) bool {
	word := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	if start > 0 {
		if r, _ := utf8.DecodeLastRune(input[:start]); word(r) {
			return false
		}
	}
	if end < len(input) {
		if r, _ := utf8.DecodeRune(input[end:]); word(r) {
			return false
		}
	}
	return true
}

// isSpace reports whether c ends a token for window widening.

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '<', '>', '`', ',', ';', '(', ')', '[', ']', '{', '}':
		return true
	}
	return false
}

// widen moves the edges of sp outwards to token boundaries, at most
// maxExtend bytes each way, so a window never starts or ends inside a token.
func widen(input []byte, sp span) span {
	for n := 0; sp.start > 0 && n < maxExtend && !isSpace(input[sp.start-1]); n++ {
		sp.start--
	}
	for n := 0; sp.end < len(input) && n < maxExtend && !isSpace(input[sp.end]); n++ {
		sp.end++
	}
	return sp
}

// resolve merges findings that overlap into the better one (higher
// confidence, then longer, then earlier), which takes both spans, so no byte
// of either is left unmasked; it returns them ordered by Start. It works on

// clusters of transitively overlapping findings, so it stays linear when
// findings are many and mostly disjoint.
func resolve(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	slices.SortFunc(fs, compareFindings)
	out := make([]Finding, 0, len(fs))
	for i := 0; i < len(fs); {
		j, end := i+1, fs[i].End
		for j < len(fs) && fs[j].Start < end {
			end = max(end, fs[j].End)
			j++
		}
		out = append(out, resolveCluster(fs[i:j])...)
		i = j
	}
	return out
}

// compareFindings orders findings by start, longer first, then by detector.
func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End), strings.Compare(a.Detector, b.Detector))
}

// personalTypes are the built-in personal-data types; every other type,
// custom ones included, is treated as a credential by resolveCluster.
var personalTypes = func() map[Type]bool {
	m := map[Type]bool{}
	for _, d := range PersonalDetectors {
		m[d.Type] = true
	}
	return m
}()

func better(a, b Finding) bool {

	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
		return la > lb
	}
	return a.Start < b.Start
}

func resolveCluster(c []Finding) []Finding {
	if len(c) == 1 {
		return c
	}
	slices.SortStableFunc(c, func(a, b Finding) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
	var kept []Finding
	for _, f := range c {
		at := -1
		for i, k := range kept {
			if f.Start < k.End && k.Start < f.End {
				at = i
				break
			}
		}
		if at < 0 {
			kept = append(kept, f)
			continue
		}
		// The better finding takes a worse credential's bytes too: a
		// password that holds an email address is masked whole, not from
		// the "@". Personal data overlapped by a credential is a misreading
		// of it (user:password@host is not an email address) and is dropped.
		if personalTypes[f.Type] {
			continue
		}
		k := &kept[at]
		k.Start, k.End = min(k.Start, f.Start), max(k.End, f.End)
	}
	slices.SortFunc(kept, func(a, b Finding) int { return cmp.Compare(a.Start, b.Start) })
	// Widening can make kept findings overlap: merge them, the better
	// one's type and detector standing for both.
	out := kept[:1]
	for _, f := range kept[1:] {
		last := &out[len(out)-1]
		if f.Start < last.End {
			if better(f, *last) {
				f.Start, f.End = last.Start, max(last.End, f.End)
				*last = f
			} else {
				last.End = max(last.End, f.End)
			}
			continue
		}
		out = append(out, f)
	}
	return out
}
