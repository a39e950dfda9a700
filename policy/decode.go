package policy

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a policy's YAML nodes, collecting every error it meets with
// the line and rule it belongs to.
type decoder struct {
	file  string
	rule  string // the rule being decoded, "" outside rules
	errs  []error
	depth int // how many packs deep this policy is included
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Rule: d.rule, Message: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses src into its single YAML document's root node. A syntax
// error is reported with the line yaml.v3 names.
func (d *decoder) document(src []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 is third-party code fed untrusted input; a panic in it
		// must not take the server down with it.
		if r := recover(); r != nil {
			root = nil
			d.errs = append(d.errs, &Error{File: d.file, Message: fmt.Sprintf("invalid YAML: %v", r)})
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errs = append(d.errs, &Error{File: d.file, Message: "the policy is empty; it needs at least \"version: 1\""})
			return nil
		}
		d.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "a policy file holds one YAML document; remove the second")
		return nil
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.errorf(&doc, "the policy must be a YAML mapping")
		return nil
	}
	return doc.Content[0]
}

func (d *decoder) yamlError(err error) {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Message: "invalid YAML: " + msg})
}

// entry is one key and its value in a mapping.
type entry struct {
	key, val *yaml.Node
}

// mapping returns the entries of mapping node n by key, refusing keys not in
// allowed, repeated keys, aliases and anything that is not a mapping. A key
// whose value is null counts as absent.
func (d *decoder) mapping(n *yaml.Node, what string, allowed ...string) map[string]entry {
	if !d.plain(n, what) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return nil
	}
	prefix := what + ": "
	if what == "policy" || what == "rule" {
		prefix = "" // the error already says where
	}
	out := make(map[string]entry, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%skeys must be plain strings", prefix)
			continue
		}
		if !contains(allowed, k.Value) {
			d.errorf(k, "%sunknown key %q (known: %s)", prefix, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errorf(k, "%skey %q is repeated", prefix, k.Value)
			continue
		}
		if isNull(v) {
			continue
		}
		out[k.Value] = entry{k, v}
	}
	return out
}

// plain refuses aliases, anchors and merge keys: they hide what a rule says
// from the person reading it, and unbounded expansion is an old YAML attack.
func (d *decoder) plain(n *yaml.Node, what string) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.errorf(n, "%s: YAML anchors and aliases are not allowed in a policy", what)
		return false
	}
	return true
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str returns a scalar's text.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if !d.plain(n, what) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

// integer returns a scalar integer.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	if !d.plain(n, what) {
		return 0, false
	}
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		d.errorf(n, "%s must be a whole number, not %q", what, n.Value)
		return 0, false
	}
	return v, true
}

// boolean returns a scalar true or false.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if !d.plain(n, what) {
		return false, false
	}
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.errorf(n, "%s must be true or false, not %q", what, n.Value)
		return false, false
	}
	return v, true
}

// duration returns a positive Go duration such as 30m or 1h30m.
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(n, "%s: %q is not a duration (write it like 90s, 30m or 1h)", what, s)
		return 0, false
	}
	if v <= 0 {
		d.errorf(n, "%s must be positive, not %s", what, s)
		return 0, false
	}
	return v, true
}

// list returns the items of a sequence of strings.
func (d *decoder) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if !d.plain(n, what) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list", what)
		return nil, false
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	ok := true
	for _, c := range n.Content {
		if _, good := d.str(c, what); !good {
			ok = false
			continue
		}
		out = append(out, c)
	}
	return out, ok
}
