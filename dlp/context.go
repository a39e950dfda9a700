package dlp

// Context adjusts a detector's confidence by the words around a match: "SSN"
// before nine digits makes them likelier an SSN, "order" or "invoice" less.
// Words match ASCII case-insensitively and as whole words (no letter or
// digit right before or after them), within Window bytes of the match on
// either side.
type Context struct {
	// Words raise the confidence by Raise when one of them is near.
	Words []string
	Raise float64
	// Negative words lower the confidence by Lower when one of them is near
	// (and no word of Words is).
	Negative []string
	Lower    float64
	// Window is how far from the match to look, in bytes; 0 means 48.
	Window int
	// Required drops a match when none of Words is near: for formats that
	// are too common to report on their own, such as a date of birth.
	Required bool
}

// apply returns the confidence of the match input[start:end] given its
// context, or false if the match is dropped. Confidence stays in (0, 1].
func (c *Context) apply(input []byte, start, end int, conf float64) (float64, bool) {
	w := c.Window
	if w == 0 {
		w = 48
	}
	before := input[max(0, start-w):start]
	after := input[end:min(len(input), end+w)]
	near := func(words []string) bool {
		for _, word := range words {
			if hasWord(before, word) || hasWord(after, word) {
				return true
			}
		}
		return false
	}
	switch {
	case near(c.Words):
		conf += c.Raise
	case c.Required:
		return 0, false
	case near(c.Negative):
		conf -= c.Lower
	}
	if conf <= 0 {
		return 0, false
	}
	return min(conf, 1), true
}

// hasWord reports whether word occurs in text, ASCII case-insensitively, as
// a whole word. word must be lower case.
func hasWord(text []byte, word string) bool {
	n := len(word)
	if n == 0 {
		return false
	}
	for i := 0; i+n <= len(text); i++ {
		if lowerASCII(text[i]) != word[0] {
			continue
		}
		j := 1
		for j < n && lowerASCII(text[i+j]) == word[j] {
			j++
		}
		if j == n && (i == 0 || !isAlnum(text[i-1])) && (i+n == len(text) || !isAlnum(text[i+n])) {
			return true
		}
	}
	return false
}

func lowerAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = string(lowerBytes([]byte(w)))
	}
	return out
}
