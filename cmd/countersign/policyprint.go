package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/policy"
)

// printDecision shows a decision and the facts behind it for a person
// reviewing a policy.
func printDecision(w io.Writer, p *policy.Policy, a countersign.Action, d countersign.Decision) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "policy\t%s (%s)\n", p.Name(), d.PolicyDigest)
	fmt.Fprintf(tw, "action\t%s by %s\n", a.Kind, a.Agent)
	fmt.Fprintf(tw, "payload\t%s\n", oneLine(string(a.Payload), 200))
	fmt.Fprintf(tw, "decision\t%s\n", strings.ToUpper(string(d.Effect)))
	if r := d.Review; r != nil {
		for _, t := range r.Thresholds {
			fmt.Fprintf(tw, "  needs\t%d approval(s) from %s (rule %s)\n", t.MinApprovals, strings.Join(t.Approvers, ", "), t.Rule)
		}
		if r.RequireReason {
			fmt.Fprintf(tw, "  \tapprovers must give a reason\n")
		}
		fmt.Fprintf(tw, "  expires\tafter %s\n", r.TTL)
	}
	for i, rule := range d.Rules {
		fmt.Fprintf(tw, "rule\t%s: %s\n", rule, d.Reasons[i])
	}
	if len(d.Rules) == 0 {
		for _, why := range d.Reasons {
			fmt.Fprintf(tw, "why\t%s\n", why)
		}
	}
	limits := p.Limits()
	for _, rule := range d.Rules {
		if l, ok := limits[rule]; ok {
			fmt.Fprintf(tw, "limit\t%s: %d per %s per agent, then %s (not counted here)\n", rule, l.Count, l.Per, l.Then)
		}
	}
	facts := decodeFacts(d.Facts)
	names := slices.Sorted(maps.Keys(facts))
	for _, name := range names {
		printFacts(tw, name, facts[name])
	}
	if len(names) == 0 {
		fmt.Fprintf(tw, "facts\tnone (no analyser for kind %s)\n", a.Kind)
	}
}

// decodeFacts reads a decision's facts for display; nil when there are none
// or they do not decode.
func decodeFacts(raw json.RawMessage) map[string]map[string]any {
	var f map[string]map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &f) != nil {
		return nil
	}
	return f
}

// printFacts prints one analyser's facts: the true ones on a line, then
// every other fact with a value. The record leaves out false and empty
// facts, so whatever is not shown was false or empty.
func printFacts(w io.Writer, name string, facts map[string]any) {
	var yes, rest []string
	for k, v := range facts {
		if b, ok := v.(bool); ok {
			if b {
				yes = append(yes, k)
			}
			continue
		}
		rest = append(rest, k)
	}
	slices.Sort(yes)
	slices.Sort(rest)
	fmt.Fprintf(w, "facts.%s\n", name)
	fmt.Fprintf(w, "  true\t%s\n", orNone(strings.Join(yes, ", ")))
	for _, k := range rest {
		if s := factText(facts[k]); s != "" {
			fmt.Fprintf(w, "  %s\t%s\n", k, s)
		}
	}
}

// factText renders a fact's value on one line; "" for an empty one.
func factText(v any) string {
	switch v := v.(type) {
	case string:
		return oneLine(v, 200)
	case []string:
		return oneLine(strings.Join(v, "; "), 300)
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			if m, ok := x.(map[string]any); ok {
				parts = append(parts, summary(m))
			} else {
				parts = append(parts, fmt.Sprint(x))
			}
		}
		return oneLine(strings.Join(parts, "; "), 300)
	case map[string]any:
		if len(v) == 0 {
			return ""
		}
		return oneLine(summary(v), 300)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// summary renders a nested fact (a statement, a command) by its telling
// fields.
func summary(m map[string]any) string {
	for _, k := range []string{"type", "program"} {
		if s, ok := m[k].(string); ok && s != "" {
			if argv, ok := m["argv"].([]any); ok {
				words := make([]string, len(argv))
				for i, w := range argv {
					words[i] = fmt.Sprint(w)
				}
				return strings.Join(words, " ")
			}
			return s
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(printable(s)), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// printable replaces control characters (C0, DEL, C1, and the bidirectional
// overrides) with U+FFFD, so that text an agent wrote cannot move the
// cursor, recolour or rewrite what a reviewer's terminal shows. Tabs and
// newlines become spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f),
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return '\ufffd'
		}
		return r
	}, s)
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
