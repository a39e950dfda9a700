package dlp

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
)

// Config is the dlp section of a policy: how each type is masked, which
// built-in detectors are off, the policy's own detectors and column rules.
// The zero Config is the default profile.
type Config struct {
	// Default is the strategy for types not in Mask; empty means redact.
	Default Strategy
	// Mask chooses a strategy per type.
	Mask map[Type]Strategy
	// Disable turns off built-in detectors, by detector name or by type.
	Disable []string
	// MinConfidence drops findings below it (0 keeps all).
	MinConfidence float64
	// Timeout bounds one scan; 0 means 10 seconds.
	Timeout time.Duration
	// Detectors are the policy's own.
	Detectors []CustomDetector
	// Columns are checked before the default column rules.
	Columns []ColumnRule
}

// CustomDetector is a detector written in a policy: a regular expression
// (RE2 syntax) near keywords, or a dictionary of words and phrases.
type CustomDetector struct {
	Name string
	Type Type
	// Regex is the pattern; with Group, the submatch that is the finding.
	Regex string
	Group int
	// Keywords anchor the regex: it is tried only near one of them. When
	// empty, the regex's literal prefix (at least 3 bytes) is used.
	Keywords []string
	// Dictionary lists words or phrases reported wherever they occur as
	// whole words, case-insensitively. A detector has Regex or Dictionary.
	Dictionary []string
	// Confidence of a match; 0 means 0.9.
	Confidence float64
	// Context words raise (and, if Required, are needed for) a match.
	Context  []string
	Required bool
}

var detectorName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// Build compiles the configuration into a Masker. key is the HMAC key for
// the hash strategy; it may be nil when no type is hashed.
func (c Config) Build(key []byte) (*Masker, error) {
	dets, err := c.detectors()
	if err != nil {
		return nil, err
	}
	s, err := NewScanner(dets)
	if err != nil {
		return nil, fmt.Errorf("dlp: %w", err)
	}
	p := Policy{Default: c.Default, PerType: c.Mask, Key: key}
	m, err := NewMasker(s, p)
	if err != nil {
		return nil, err
	}
	if err := validColumns(c.Columns); err != nil {
		return nil, err
	}
	m.columns = append(slices.Clone(c.Columns), DefaultColumns()...)
	m.minConfidence = c.MinConfidence
	if c.Timeout > 0 {
		m.timeout = c.Timeout
	}
	// A strategy for a type nothing reports is most likely a misspelling
	// (EMAL): say so rather than leave the real type on the default.
	known := map[Type]bool{}
	for _, d := range dets {
		known[d.Type] = true
	}
	for _, r := range m.columns {
		known[r.Type] = true
	}
	for t := range c.Mask {
		if !known[t] {
			return nil, fmt.Errorf("dlp: mask: no detector or column rule reports type %s", t)
		}
	}
	return m, nil
}

// Validate reports what is wrong with c, the hash key aside: it is what
// policy validation runs.
func (c Config) Validate() error {
	_, err := c.Build([]byte("a key stands in for the real one"))
	return err
}

// detectors returns the built-in detectors less the disabled ones, then the
// custom ones.
func (c Config) detectors() ([]Detector, error) {
	if !(c.MinConfidence >= 0 && c.MinConfidence <= 1) { // NaN too
		return nil, fmt.Errorf("dlp: min_confidence %v must be between 0 and 1", c.MinConfidence)
	}
	if c.Timeout < 0 {
		return nil, fmt.Errorf("dlp: timeout %v must not be negative", c.Timeout)
	}
	for t := range c.Mask {
		if !validType(t) {
			return nil, fmt.Errorf("dlp: mask: %q is not a type name (upper-case letters, digits and _)", t)
		}
	}
	builtin := DefaultDetectors()
	used := map[string]bool{}
	for _, name := range c.Disable {
		found := false
		for _, d := range builtin {
			if d.Name == name || string(d.Type) == name {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("dlp: disable: no built-in detector or type named %q", name)
		}
	}
	var out []Detector
	for _, d := range builtin {
		if slices.Contains(c.Disable, d.Name) || slices.Contains(c.Disable, string(d.Type)) {
			continue
		}
		used[d.Name] = true
		out = append(out, d)
	}
	for _, cd := range c.Detectors {
		d, err := cd.compile()
		if err != nil {
			return nil, err
		}
		if used[d.Name] {
			return nil, fmt.Errorf("dlp: detector %q: the name is taken", d.Name)
		}
		used[d.Name] = true
		out = append(out, d)
	}
	return out, nil
}

func (cd CustomDetector) compile() (Detector, error) {
	fail := func(format string, args ...any) (Detector, error) {
		return Detector{}, fmt.Errorf("dlp: detector %q: "+format, append([]any{cd.Name}, args...)...)
	}
	if !detectorName.MatchString(cd.Name) {
		return fail("the name must be lower-case letters, digits, _ . and -")
	}
	if !validType(cd.Type) {
		return fail("type %q must be upper-case letters, digits and _", cd.Type)
	}
	if cd.Required && len(cd.Context) == 0 {
		return fail("required needs context words to require")
	}
	if !(cd.Confidence >= 0 && cd.Confidence <= 1) { // NaN too

		return fail("confidence %v must be between 0 and 1", cd.Confidence)
	}
	d := Detector{Name: cd.Name, Type: cd.Type, Confidence: cd.Confidence}
	if d.Confidence == 0 {
		d.Confidence = 0.9
	}
	if len(cd.Context) > 0 {
		d.Context = &Context{Words: cd.Context, Raise: 0.1, Required: cd.Required}
	}
	switch {
	case cd.Regex != "" && len(cd.Dictionary) > 0:
		return fail("has both regex and dictionary; write two detectors")
	case cd.Regex != "":
		re, err := regexp.Compile(cd.Regex)
		if err != nil {
			return fail("regex: %v", err)
		}
		if cd.Group < 0 || cd.Group > re.NumSubexp() {
			return fail("group %d: the regex has %d groups", cd.Group, re.NumSubexp())
		}
		d.Pattern, d.Group = cd.Regex, cd.Group
		d.Keywords = cd.Keywords
		if len(d.Keywords) == 0 {
			prefix := literalPrefix(cd.Regex)
			if len(prefix) < 3 {
				return fail("needs keywords: the regex has no literal prefix of 3 bytes or more to find candidates by")
			}
			d.Keywords = []string{prefix}
			d.Anchored = true
		}
		for _, k := range d.Keywords {
			if len(strings.TrimSpace(k)) < 2 {
				return fail("keyword %q is too short (2 bytes at least)", k)
			}
		}
		if d.Before == 0 {
			d.Before, d.After = 128, 256
		}
	case len(cd.Dictionary) > 0:
		var words []string
		for _, w := range cd.Dictionary {
			w = strings.TrimSpace(w)
			if len(w) < 2 {
				return fail("dictionary word %q is too short (2 bytes at least)", w)
			}
			words = append(words, w)
			// The keyword automaton folds ASCII only: give it the word's
			// lower- and upper-case forms for letters beyond ASCII.
			d.Keywords = append(d.Keywords, strings.ToLower(w), strings.ToUpper(w))
		}
		// Longer words first, so "bluebird" is tried before "blue" at the
		// same place; whole words are checked by the scanner (WholeWord),
		// since RE2's \b knows only ASCII letters.
		slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
		alts := make([]string, len(words))
		for i, w := range words {
			alts[i] = regexp.QuoteMeta(w)
		}
		d.Pattern = `(?i)(?:` + strings.Join(alts, "|") + `)`
		d.WholeWord = true
		d.Before, d.After = 1, 1

	default:
		return fail("needs a regex or a dictionary")
	}
	return d, nil
}

// literalPrefix returns the literal text every match of expr starts with,
// ignoring a leading \b, or "" if it is case-insensitive or there is none.
func literalPrefix(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	for re.Op == syntax.OpConcat && len(re.Sub) > 0 && re.Sub[0].Op == syntax.OpWordBoundary {
		re.Sub = re.Sub[1:]
	}
	if re.Op == syntax.OpConcat && len(re.Sub) > 0 {
		re = re.Sub[0]
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
		if re.Op == syntax.OpConcat && len(re.Sub) > 0 {
			re = re.Sub[0]
		}
	}
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase == 0 {
		return string(re.Rune)
	}
	return ""
}
