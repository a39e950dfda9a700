package dlp

import (
	"bytes"
	"regexp/syntax"
	"slices"
	"unicode"
)

// A seqMatcher is a hand-compiled form of the simple patterns most
// credential detectors use: an optional \b, then literals and runs of a
// character class ("ghp_" [A-Za-z0-9]{36}), then an optional \b, the whole
// optionally captured. It matches anchored at the start of its input, like
// the anchored regexp it replaces, in one pass with no backtracking and no
// allocation. compileSeq builds one only when greedy matching is provably
// what the regexp does; TestSeqMatchesRegexp and FuzzSeqMatcher check it.
type seqMatcher struct {
	lead, trail bool // \b at the start, at the end
	elems       []seqElem
	captured    bool // the elements are capture group 1
}

// seqElem is one of: a set of literal alternatives (lits), or a run of
// class bytes of length min..max (max -1: unbounded).
type seqElem struct {
	lits     [][]byte // lower-cased when fold
	fold     bool
	class    asciiSet
	min, max int
}

type asciiSet [4]uint64

func (s *asciiSet) add(c byte)           { s[c>>6] |= 1 << (c & 63) }
func (s asciiSet) has(c byte) bool       { return s[c>>6]&(1<<(c&63)) != 0 }
func (s asciiSet) meets(o asciiSet) bool { return s[0]&o[0]|s[1]&o[1]|s[2]&o[2]|s[3]&o[3] != 0 }

var wordSet = func() (s asciiSet) {
	for c := 0; c < 128; c++ {
		if isWordByte(byte(c)) {
			s.add(byte(c))
		}
	}
	return s
}()

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// compileSeq returns a seqMatcher equivalent to the anchored pattern expr,
// or false if expr is not of the simple shape.
func compileSeq(expr string) (*seqMatcher, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	m := &seqMatcher{}
	if len(subs) > 0 && subs[0].Op == syntax.OpWordBoundary {
		m.lead, subs = true, subs[1:]
	}
	if n := len(subs); n > 0 && subs[n-1].Op == syntax.OpWordBoundary {
		m.trail, subs = true, subs[:n-1]
	}
	if len(subs) == 1 && subs[0].Op == syntax.OpCapture {
		m.captured = true
		subs = subs[0].Sub
		if len(subs) == 1 && subs[0].Op == syntax.OpConcat {
			subs = subs[0].Sub
		}
	}
	if len(subs) == 0 {
		return nil, false
	}
	for _, s := range subs {
		e, ok := seqElemOf(s)
		if !ok {
			return nil, false
		}
		m.elems = append(m.elems, e)
	}
	// Greedy runs are right only if the run cannot also match what can
	// follow it: the first bytes of the next elements up to the first one
	// that cannot be empty. A run of fixed length is always right.
	for i, e := range m.elems {
		if e.lits != nil || e.min == e.max {
			continue
		}
		var follow asciiSet
		j := i + 1
		for ; j < len(m.elems); j++ {
			f := m.elems[j].first()
			for k := range follow {
				follow[k] |= f[k]
			}
			if m.elems[j].lits != nil || m.elems[j].min > 0 {
				break
			}
		}
		if e.class.meets(follow) {
			return nil, false
		}
		if j == len(m.elems) && m.trail {
			// The run may end the match: with \b after it, it must hold
			// only word bytes and be last, or a shorter run could end at an
			// inner boundary.
			if i+1 < len(m.elems) || e.class[0]&^wordSet[0] != 0 || e.class[1]&^wordSet[1] != 0 {
				return nil, false
			}
		}
	}
	if m.lead && !m.elems[0].first().meets(wordSet) {
		return nil, false
	}
	return m, true
}

// first returns the bytes an element can start with.
func (e seqElem) first() asciiSet {
	if e.lits == nil {
		return e.class
	}
	var s asciiSet
	for _, l := range e.lits {
		s.add(l[0])
		if e.fold {
			s.add(byte(unicode.ToUpper(rune(l[0]))))
		}
	}
	return s
}

func seqElemOf(re *syntax.Regexp) (seqElem, bool) {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpAlternate, syntax.OpConcat:
		lits, ok := literalSet(re, 64)
		if !ok || len(lits) == 0 {
			return seqElem{}, false
		}
		anyFold, allFold := foldState(re)
		if anyFold != allFold {
			return seqElem{}, false // partly case-insensitive
		}
		fold := allFold
		if fold {
			for _, l := range lits {
				lowerBytes(l)
				// RE2 folds k to the Kelvin sign and s to the long s;
				// matching ASCII only would differ.
				if bytes.ContainsAny(l, "ks") {
					return seqElem{}, false
				}
			}

			slices.SortFunc(lits, bytes.Compare)
			lits = slices.CompactFunc(lits, bytes.Equal)
		}
		for _, l := range lits {
			if len(l) == 0 {
				return seqElem{}, false
			}
			for _, o := range lits {
				if len(o) > len(l) && string(o[:len(l)]) == string(l) {
					return seqElem{}, false // one a prefix of another: order matters
				}
			}
		}
		return seqElem{lits: lits, fold: fold}, true
	case syntax.OpCharClass:
		c, ok := classSet(re)
		return seqElem{class: c, min: 1, max: 1}, ok
	case syntax.OpRepeat, syntax.OpPlus, syntax.OpStar, syntax.OpQuest:
		if re.Flags&syntax.NonGreedy != 0 || re.Sub[0].Op != syntax.OpCharClass {
			return seqElem{}, false
		}
		c, ok := classSet(re.Sub[0])
		if !ok {
			return seqElem{}, false
		}
		e := seqElem{class: c}
		switch re.Op {
		case syntax.OpRepeat:
			e.min, e.max = re.Min, re.Max
		case syntax.OpPlus:
			e.min, e.max = 1, -1
		case syntax.OpStar:
			e.min, e.max = 0, -1
		case syntax.OpQuest:
			e.min, e.max = 0, 1
		}
		return e, true
	}
	return seqElem{}, false
}

// literalSet expands a tree of ASCII literals, single-byte classes,
// concatenations and alternations into its strings (lower-cased if
// case-folded), or false if it has another shape or more than limit.
func literalSet(re *syntax.Regexp, limit int) ([][]byte, bool) {
	fold := re.Flags&syntax.FoldCase != 0
	switch re.Op {
	case syntax.OpLiteral:
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false
			}
			if fold {
				r = unicode.ToLower(r)
			}
			b = append(b, byte(r))
		}
		return [][]byte{b}, true
	case syntax.OpCharClass:
		c, ok := classSet(re)
		if !ok {
			return nil, false
		}
		var out [][]byte
		for b := 0; b < 128; b++ {
			if c.has(byte(b)) {
				out = append(out, []byte{byte(b)})
			}
		}
		return out, len(out) <= 8
	case syntax.OpAlternate:
		var out [][]byte
		for _, s := range re.Sub {
			l, ok := literalSet(s, limit)
			if !ok {
				return nil, false
			}
			out = append(out, l...)
		}
		return out, len(out) <= limit
	case syntax.OpConcat:
		out := [][]byte{{}}
		for _, s := range re.Sub {
			l, ok := literalSet(s, limit)
			if !ok || len(out)*len(l) > limit {
				return nil, false
			}
			var next [][]byte
			for _, a := range out {
				for _, b := range l {
					next = append(next, append(slices.Clip(a), b...))
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// classSet returns a character class as a set of ASCII bytes, or false if
// it holds anything outside ASCII.
func classSet(re *syntax.Regexp) (asciiSet, bool) {
	var s asciiSet
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi >= 0x80 {
			return s, false
		}
		for r := lo; r <= hi; r++ {
			s.add(byte(r))
		}
	}
	return s, true
}

// match returns the end of the match anchored at text[0], or -1.
func (m *seqMatcher) match(text []byte) int {
	if m.lead && (len(text) == 0 || !isWordByte(text[0])) {
		return -1
	}
	i := 0
	for _, e := range m.elems {
		if e.lits != nil {
			n := e.matchLit(text[i:])
			if n < 0 {
				return -1
			}
			i += n
			continue
		}
		j := i
		for j < len(text) && (e.max < 0 || j-i < e.max) && text[j] < 0x80 && e.class.has(text[j]) {
			j++
		}
		if j-i < e.min {
			return -1
		}
		i = j
	}
	if m.trail {
		prev := i > 0 && isWordByte(text[i-1])
		next := i < len(text) && isWordByte(text[i])
		if prev == next {
			return -1
		}
	}
	return i
}

func (e *seqElem) matchLit(text []byte) int {
	for _, l := range e.lits {
		if len(text) < len(l) {
			continue
		}
		ok := true
		for k, c := range l {
			t := text[k]
			if e.fold {
				t = lowerASCII(t)
			}
			if t != c {
				ok = false
				break
			}
		}
		if ok {
			return len(l)
		}
	}
	return -1
}

// loc returns the match as regexp's FindSubmatchIndex would for the
// pattern: the whole match, then group 1 if captured.
func (m *seqMatcher) loc(text []byte, dst []int) []int {
	end := m.match(text)
	if end < 0 {
		return nil
	}
	dst = append(dst[:0], 0, end)
	if m.captured {
		dst = append(dst, 0, end)
	}
	return dst
}

// foldState reports whether any and whether all literals of re are
// case-insensitive. Classes carry no flag that matters: (?i) already
// expanded them.
func foldState(re *syntax.Regexp) (anyFold, allFold bool) {
	allFold = true
	var walk func(*syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral {
			f := r.Flags&syntax.FoldCase != 0
			anyFold = anyFold || f
			allFold = allFold && f
		}
		for _, s := range r.Sub {
			walk(s)
		}
	}
	walk(re)
	return anyFold, allFold
}
