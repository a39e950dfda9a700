package dlp

// matcher is an ASCII case-insensitive Aho-Corasick automaton compiled to a
// dense DFA over byte classes. It reports every (overlapping) occurrence of
// every pattern through a callback, without allocating.
//
// It is written here rather than taken from github.com/coregx/ahocorasick
// v0.3.1 because that module has no case-insensitive matching (keywords such
// as "password" or "Bearer" appear in any case) and its overlapping search
// returns a freshly allocated slice per call; what the scanner needs is about
// a hundred lines.
type matcher struct {
	class  [256]uint16 // byte -> class; upper-case ASCII folds to lower case
	nclass int
	trans  []int32 // state*nclass + class -> next state*nclass, | hasOut if it ends a pattern

	out  [][]int32 // state -> ids of patterns ending here (failure closure included)
	plen []int     // pattern id -> length
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newMatcher compiles patterns. Empty patterns are ignored.
func newMatcher(patterns []string) *matcher {
	m := &matcher{plen: make([]int, len(patterns))}
	// Class 0 is every byte no pattern uses.
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[lowerASCII(p[i])] = true
		}
	}
	m.nclass = 1
	for c := 0; c < 256; c++ {
		if used[c] {
			m.class[c] = uint16(m.nclass)
			m.nclass++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	newState := func() int32 {
		s := int32(len(m.out))
		m.out = append(m.out, nil)
		for range m.nclass {
			m.trans = append(m.trans, -1)
		}
		return s
	}
	newState() // root
	for id, p := range patterns {
		m.plen[id] = len(p)
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			k := int(s)*m.nclass + int(m.class[p[i]])
			if m.trans[k] < 0 {
				n := newState()
				m.trans[k] = n
			}
			s = m.trans[k]
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Breadth-first: fill failure transitions so trans is a complete DFA.
	fail := make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	for c := 0; c < m.nclass; c++ {
		if t := m.trans[c]; t < 0 {
			m.trans[c] = 0
		} else {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := 0; c < m.nclass; c++ {
			k := int(s)*m.nclass + c
			fk := int(fail[s])*m.nclass + c
			if t := m.trans[k]; t < 0 {
				m.trans[k] = m.trans[fk]
			} else {
				f := m.trans[fk]
				fail[t] = f
				m.out[t] = append(m.out[t], m.out[f]...)
				queue = append(queue, t)
			}
		}
	}
	// Transitions hold the next state's row offset (state*nclass), so the
	// scan loop adds a class instead of multiplying; a hit divides back.
	for k, t := range m.trans {
		v := t * int32(m.nclass)
		if len(m.out[t]) > 0 {
			v |= hasOut
		}
		m.trans[k] = v
	}
	return m
}

// hasOut flags a transition into a state where a pattern ends, so the scan
// loop reads the output list only then.
const hasOut = 1 << 30

// scan calls fn for every occurrence of every pattern in b, in order of end
// position.
func (m *matcher) scan(b []byte, fn func(id, start, end int)) {
	s := int32(0)
	for i, c := range b {
		s = m.trans[int(s)+int(m.class[c])]
		if s&hasOut != 0 {
			s &^= hasOut
			for _, id := range m.out[int(s)/m.nclass] {
				fn(int(id), i+1-m.plen[id], i+1)
			}
		}
	}
}
