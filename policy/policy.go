// Package policy parses, validates and evaluates Countersign policy files:
// YAML documents of CEL rules that decide whether an agent's action is
// allowed, denied or held for human review. See docs/policy.md.
//
// The package is pure: apart from Load reading a file it does no I/O, and a
// *Policy is immutable and safe for concurrent use once parsed.
package policy

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"gopkg.in/yaml.v3"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/dlp"
)

// MaxSize is the largest policy source Parse accepts, in bytes.
const MaxSize = 1 << 20

// DefaultRule is the rule name a threshold carries when it comes from the
// policy's default_review rather than from a rule. No rule may take it.
const DefaultRule = "default"

// Policy is a parsed, validated and compiled policy.
type Policy struct {
	name   string
	src    []byte
	digest string

	def       countersign.Effect
	defReview *reviewSpec

	// rules in file order, and the same rules split by effect, each in file
	// order: evaluation looks at deny rules first and stops early.
	rules               []*rule
	deny, review, allow []*rule
	groups              map[string][]string
	analysis            Analysis
	dlp                 dlp.Config
	includes            []string // packs included, in order, each once
	offlineAllow        []countersign.ActionKind
	packDigests         []string // "NAME DIGEST" of each directly included pack
}

// rule is one compiled rule.
type rule struct {
	name     string
	line     int
	effect   countersign.Effect
	reason   string // what Reasons shows when the rule matches
	prg      cel.Program
	limited  bool          // prg runs under CostLimit
	grantTTL time.Duration // 0: not set (allow rules only)
	review   *reviewSpec   // review rules only
	limit    *limitSpec    // nil: no rate limit
	pack     string        // the pack the rule came from; "" for the file's own
	guards   []guard       // conjuncts that rule the match out cheaply
}

// reviewSpec is a review block as written; 0 or nil means not set.
type reviewSpec struct {
	approvers       []string
	groups          map[string][]string // members of each group the approvers name
	minApprovals    int
	ttl             time.Duration
	grantTTL        time.Duration
	requireReason   bool
	rejectThreshold int
	notify          []string
}

var defaultPolicy = func() *Policy {
	p, err := Pack(DefaultPack)
	if err != nil {
		panic("policy: built-in default policy is invalid: " + err.Error())
	}
	return p
}()

// DefaultPack is the pack in force when no policy is configured.
const DefaultPack = "recommended"

// Default returns the policy used when none is configured: the built-in
// pack "recommended" (policy/packs/recommended.yaml), which lets read-only
// SQL and harmless shell commands pass, denies
// COPY ... PROGRAM and sending secrets over the network, and holds
// everything else for one or two humans.
func Default() *Policy { return defaultPolicy }

// Load reads the policy file at path and parses it; see Parse.
func Load(path string) (*Policy, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	return Parse(path, src)
}

// Name returns the file name the policy was parsed under.
func (p *Policy) Name() string { return p.name }

// Source returns a copy of the policy's source bytes.
func (p *Policy) Source() []byte { return slices.Clone(p.src) }

// Digest returns "sha256:" and the hex SHA-256 of the policy's source bytes.
// Every decision records it.
func (p *Policy) Digest() string { return p.digest }

// Rules returns the names of the policy's rules in file order.
func (p *Policy) Rules() []string {
	out := make([]string, len(p.rules))
	for i, r := range p.rules {
		out[i] = r.name
	}
	return out
}

// Parse validates and compiles a policy. name is the file name used in
// errors. On failure it returns every problem found: a single *Error, or
// several joined with errors.Join, each naming the file, the line and the
// rule. Each unwraps to a countersign.EPolicyInvalid error (see Error.Unwrap).
func Parse(name string, src []byte) (*Policy, error) {
	return parse(name, src, 0)
}

// parse is Parse for a policy included depth packs deep.
func parse(name string, src []byte, depth int) (*Policy, error) {
	d := &decoder{file: name, depth: depth}
	if len(src) > MaxSize {
		return nil, &Error{File: name, Message: fmt.Sprintf("the policy is %d bytes; the limit is %d", len(src), MaxSize)}
	}
	sum := sha256.Sum256(src)
	p := &Policy{
		name:   name,
		src:    slices.Clone(src),
		digest: "sha256:" + hex.EncodeToString(sum[:]),
		def:    countersign.EffectDeny,
		groups: map[string][]string{},
	}
	if root := d.document(src); root != nil {
		d.policy(p, root)
	}
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b error) int {
			return cmp.Compare(a.(*Error).Line, b.(*Error).Line)
		})
		if len(d.errs) == 1 {
			return nil, d.errs[0]
		}
		return nil, errors.Join(d.errs...)
	}
	p.sealDigest()
	for _, r := range p.rules {
		switch r.effect {
		case countersign.EffectDeny:
			p.deny = append(p.deny, r)
		case countersign.EffectReview:
			p.review = append(p.review, r)
		default:
			p.allow = append(p.allow, r)
		}
	}
	return p, nil
}

var (
	groupName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	ruleName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
)

// policy decodes the top-level mapping into p.
func (d *decoder) policy(p *Policy, root *yaml.Node) {
	top := d.mapping(root, "policy", "version", "default", "default_review", "include", "analysis", "dlp", "groups", "rules", "offline_allow")
	if top == nil {
		return
	}
	if e, ok := top["include"]; ok {
		d.include(p, e.val)
	}
	if e, ok := top["analysis"]; ok {
		d.analysis(p, e.val)
	}
	if e, ok := top["dlp"]; ok {
		d.dlpSection(p, e.val)
	}
	if e, ok := top["version"]; !ok {
		d.errorf(root, "version is required; write \"version: 1\"")
	} else if v, ok := d.integer(e.val, "version"); ok && v != 1 {
		d.errorf(e.val, "version %d is not supported; this Countersign reads version 1", v)
	}
	if e, ok := top["groups"]; ok {
		d.groups(p, e.val)
	}
	if e, ok := top["offline_allow"]; ok {
		d.offlineAllow(p, e.val)
	}
	if e, ok := top["default"]; ok {
		if s, ok := d.str(e.val, "default"); ok {
			if eff, ok := effect(s); ok {
				p.def = eff
			} else {
				d.errorf(e.val, "default must be deny, review or allow, not %q", s)
			}
		}
	}
	p.defReview = &reviewSpec{approvers: []string{countersign.AnyHuman}, minApprovals: 1}
	if e, ok := top["default_review"]; ok {
		if r := d.review(p, e.val, "default_review"); r != nil {
			p.defReview = r
		}
	}
	if e, ok := top["rules"]; ok && d.plain(e.val, "rules") {
		if e.val.Kind != yaml.SequenceNode {
			d.errorf(e.val, "rules must be a list")
			return
		}
		seen := map[string]int{}
		for i, n := range e.val.Content {
			if r := d.ruleAt(p, n, i); r != nil {
				if line, dup := seen[r.name]; dup {
					d.rule = r.name
					d.errorf(n, "the name is already used by the rule on line %d", line)
					d.rule = ""
					continue
				}
				if slices.ContainsFunc(p.rules, func(x *rule) bool { return x.name == r.name }) {
					d.rule = r.name
					d.errorf(n, "the name is already used by a rule of an included pack (%s)", strings.Join(p.includes, ", "))
					d.rule = ""
					continue
				}
				seen[r.name] = r.line
				p.rules = append(p.rules, r)
			}
		}
	}
}

func effect(s string) (countersign.Effect, bool) {
	switch e := countersign.Effect(s); e {
	case countersign.EffectAllow, countersign.EffectReview, countersign.EffectDeny:
		return e, true
	}
	return "", false
}

// groups decodes "groups: {NAME: [email, ...]}".
func (d *decoder) groups(p *Policy, n *yaml.Node) {
	if !d.plain(n, "groups") {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "groups must be a mapping of group names to lists of emails")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, ok := d.str(k, "group name")
		if !ok {
			continue
		}
		if !groupName.MatchString(name) {
			d.errorf(k, "group name %q must be letters, digits, '_', '.' or '-'", name)
			continue
		}
		if _, dup := p.groups[name]; dup {
			d.errorf(k, "group %q is defined twice", name)
			continue
		}
		members := []string{}
		if !isNull(v) {
			items, _ := d.list(v, "group "+name)
			for _, m := range items {
				switch {
				case !emailLike(m.Value):
					d.errorf(m, "group %s: member %q is not an email address", name, m.Value)
				case contains(members, m.Value):
					d.errorf(m, "group %s: member %q is listed twice", name, m.Value)
				default:
					members = append(members, m.Value)
				}
			}
		}
		p.groups[name] = members
	}
}

// emailLike reports whether s looks like an email address: one '@' with text
// on both sides and no spaces. Principals are named by email.
func emailLike(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(s) > 256 {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// ruleAt decodes the i-th rule.
func (d *decoder) ruleAt(p *Policy, n *yaml.Node, i int) *rule {
	d.rule = fmt.Sprintf("#%d", i+1)
	defer func() { d.rule = "" }()
	// Name the rule in every error about it, even those found before its
	// name is read.
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if k, v := n.Content[j], n.Content[j+1]; k.Value == "name" && v.Kind == yaml.ScalarNode && ruleName.MatchString(v.Value) && v.Value != DefaultRule {
				d.rule = v.Value
			}
		}
	}
	m := d.mapping(n, "rule", "name", "match", "effect", "reason", "review", "grant_ttl", "limit")
	if m == nil {
		return nil
	}
	r := &rule{line: n.Line}
	nerr := len(d.errs)
	if e, ok := m["name"]; !ok {
		d.errorf(n, "name is required")
	} else if s, ok := d.str(e.val, "name"); ok {
		switch {
		case s == DefaultRule:
			d.errorf(e.val, "the name %q is reserved for the policy's default", s)
		case !ruleName.MatchString(s):
			d.errorf(e.val, "name %q must be 1 to 128 letters, digits, '_', '.', ':' or '-'", s)
		default:
			r.name = s
		}
	}
	if e, ok := m["effect"]; !ok {
		d.errorf(n, "effect is required (deny, review or allow)")
	} else if s, ok := d.str(e.val, "effect"); ok {
		if r.effect, ok = effect(s); !ok {
			d.errorf(e.val, "effect must be deny, review or allow, not %q", s)
		}
	}
	if e, ok := m["match"]; !ok {
		d.errorf(n, "match is required (a CEL expression; write \"match: true\" to match every action)")
	} else if s, ok := d.str(e.val, "match"); ok {
		r.prg, r.limited, r.guards = d.compile(e.val, s)
	}
	if e, ok := m["reason"]; ok {
		if s, ok := d.str(e.val, "reason"); ok {
			r.reason = strings.TrimSpace(s)
		}
	}
	if e, ok := m["grant_ttl"]; ok {
		switch r.effect {
		case countersign.EffectReview:
			d.errorf(e.key, "grant_ttl of a review rule goes in its review block")
		case countersign.EffectDeny:
			d.errorf(e.key, "a deny rule issues no grant, so grant_ttl means nothing here")
		default:
			r.grantTTL, _ = d.duration(e.val, "grant_ttl")
		}
	}
	e, hasReview := m["review"]
	switch {
	case r.effect == countersign.EffectReview && !hasReview:
		d.errorf(n, "a review rule needs a review block, e.g. review: {approvers: [any_human], min_approvals: 1}")
	case r.effect == countersign.EffectReview:
		r.review = d.review(p, e.val, "review")
	case hasReview && r.effect != "":
		d.errorf(e.key, "only a review rule takes a review block; this rule's effect is %s", r.effect)
	}
	if e, ok := m["limit"]; ok && r.effect != "" {
		r.limit = d.limit(r, e.key, e.val)
	}
	if r.reason == "" {
		r.reason = "matched rule " + r.name
	}
	if len(d.errs) > nerr {
		return nil
	}
	return r
}

// review decodes a review block (a rule's review or default_review).
func (d *decoder) review(p *Policy, n *yaml.Node, what string) *reviewSpec {
	m := d.mapping(n, what, "approvers", "min_approvals", "ttl", "grant_ttl", "require_reason", "reject_threshold", "notify")
	if m == nil {
		return nil
	}
	nerr := len(d.errs)
	r := &reviewSpec{minApprovals: 1}
	e, ok := m["approvers"]
	if !ok {
		d.errorf(n, "%s: approvers is required (group:NAME, an email, or any_human)", what)
	} else if items, _ := d.list(e.val, what+".approvers"); len(items) == 0 && len(d.errs) == nerr {
		d.errorf(e.val, "%s: approvers must not be empty", what)
	} else {
		d.approvers(p, r, items, what)
	}
	if e, ok := m["min_approvals"]; ok {
		if v, ok := d.integer(e.val, what+".min_approvals"); ok {
			if v < 1 {
				d.errorf(e.val, "%s: min_approvals must be at least 1, not %d", what, v)
			}
			r.minApprovals = v
		}
	}
	if max, finite := r.possibleApprovers(); finite && len(d.errs) == nerr && r.minApprovals > max {
		line := n
		if e, ok := m["min_approvals"]; ok {
			line = e.val
		}
		d.errorf(line, "%s: min_approvals is %d but only %d people can approve (%s), so it could never be met",
			what, r.minApprovals, max, strings.Join(r.approvers, ", "))
	}
	if e, ok := m["ttl"]; ok {
		r.ttl, _ = d.duration(e.val, what+".ttl")
	}
	if e, ok := m["grant_ttl"]; ok {
		r.grantTTL, _ = d.duration(e.val, what+".grant_ttl")
	}
	if e, ok := m["require_reason"]; ok {
		r.requireReason, _ = d.boolean(e.val, what+".require_reason")
	}
	if e, ok := m["reject_threshold"]; ok {
		if v, ok := d.integer(e.val, what+".reject_threshold"); ok {
			if v < 1 {
				d.errorf(e.val, "%s: reject_threshold must be at least 1, not %d", what, v)
			}
			r.rejectThreshold = v
		}
	}
	if e, ok := m["notify"]; ok {
		items, _ := d.list(e.val, what+".notify")
		for _, t := range items {
			kind, target, _ := strings.Cut(t.Value, ":")
			switch {
			case !contains(notifyKinds, kind) || strings.TrimSpace(target) == "":
				d.errorf(t, "%s: notify target %q must be KIND:TARGET with KIND one of %s", what, t.Value, strings.Join(notifyKinds, ", "))
			case !contains(r.notify, t.Value):
				r.notify = append(r.notify, t.Value)
			}
		}
	}
	if len(d.errs) > nerr {
		return nil
	}
	return r
}

// notifyKinds are the approval channels a notify target may name.
var notifyKinds = []string{"slack", "teams", "webhook"}

// approvers checks and records a review block's approvers.
func (d *decoder) approvers(p *Policy, r *reviewSpec, items []*yaml.Node, what string) {
	for _, it := range items {
		a := it.Value
		switch {
		case a == countersign.AnyHuman:
		case strings.HasPrefix(a, "group:"):
			g := strings.TrimPrefix(a, "group:")
			members, ok := p.groups[g]
			if !ok {
				d.errorf(it, "%s: group %q is not defined under groups", what, g)
				continue
			}
			if r.groups == nil {
				r.groups = map[string][]string{}
			}
			r.groups[g] = members
		case emailLike(a):
		default:
			d.errorf(it, "%s: approver %q must be group:NAME, an email address, or any_human", what, a)
			continue
		}
		if contains(r.approvers, a) {
			d.errorf(it, "%s: approver %q is listed twice", what, a)
			continue
		}
		r.approvers = append(r.approvers, a)
	}
}

// possibleApprovers counts the distinct people who could approve under r:
// the listed emails and the members the policy gives each named group. It is
// not finite when any_human is among the approvers.
func (r *reviewSpec) possibleApprovers() (n int, finite bool) {
	people := map[string]bool{}
	for _, a := range r.approvers {
		switch {
		case a == countersign.AnyHuman:
			return 0, false
		case strings.HasPrefix(a, "group:"):
			for _, m := range r.groups[strings.TrimPrefix(a, "group:")] {
				people[m] = true
			}
		default:
			people[a] = true
		}
	}
	return len(people), true
}
