package policy

import (
	"fmt"
	"slices"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/countersign/countersign"
)

// Input is what policy judges: the action (with Agent set), its agent's
// owner, and the facts the analysers found in its payload.
type Input struct {
	Action     countersign.Action
	AgentOwner string
	// Payload is the action's payload already decoded (Action.Check gives
	// it), or nil to have Evaluate decode Action.Payload itself.
	Payload map[string]any
	// Facts holds each analyser's facts under its name: "sql", "shell",
	// "mcp", "http". It may be nil. A rule that reads facts that are absent
	// fails to evaluate, and so fails closed.
	Facts map[string]map[string]any
	// Count, when set, counts one match of a rule that has a limit of max
	// per window per, for the action's agent, and returns how many of the
	// agent's actions the rule decided within per, this one included; only
	// matches within the limit are kept (countersign.Store.Hit). When nil,
	// limits are not counted: no rule passes its limit.
	Count func(rule string, per time.Duration, max int) (int, error)
}

// Evaluate judges in against the policy. Every rule whose match is true
// applies; deny overrides review overrides allow; when none matches, the
// policy's default applies.
//
// The decision's Rules and Reasons name only the rules that gave its effect,
// in file order (for a denial, the deny rules that matched); Reasons holds
// one entry per such rule: its reason, or the evaluation error that made it
// match. With no rule matching, Rules is empty and Reasons says the default
// applied. GrantTTL is the least grant_ttl of those rules, else
// countersign.DefaultGrantTTL; it is 0 for a denial, which issues no grant.
//
// Evaluation fails closed: when a match cannot be evaluated (absent facts, a
// missing key, the cost limit, a result that is not a bool), an allow rule
// does not match, while a review or deny rule does, with reason
// "rule NAME: evaluation error: ...". An error never leads to allow.
//
// Evaluate is safe for concurrent use.
func (p *Policy) Evaluate(in Input) countersign.Decision {
	act := newActivation(&in)
	d := countersign.Decision{PolicyDigest: p.digest, Rules: []string{}, Reasons: []string{}}

	for _, r := range p.deny {
		if ok, why := r.match(act); ok {
			d.Rules = append(d.Rules, r.name)
			d.Reasons = append(d.Reasons, why)
		}
	}
	if len(d.Rules) > 0 {
		d.Effect = countersign.EffectDeny
		return d
	}

	// A review rule past its limit denies; an allow rule past its limit
	// gives its limit's then. Only rules that were reached count.
	var specs []*reviewSpec
	var over, overWhy []string
	for _, r := range p.review {
		if ok, why := r.match(act); ok {
			if o, oWhy := r.over(&in); o {
				over, overWhy = append(over, r.name), append(overWhy, oWhy)
				continue
			}
			d.Rules = append(d.Rules, r.name)
			d.Reasons = append(d.Reasons, why)
			specs = append(specs, r.review)
		}
	}
	if len(over) > 0 {
		d.Effect, d.Rules, d.Reasons = countersign.EffectDeny, over, overWhy
		return d
	}
	if len(specs) > 0 {
		d.Effect = countersign.EffectReview
		d.Review, d.GrantTTL = requirement(d.Rules, specs)
		return d
	}

	var held, heldWhy []string
	for _, r := range p.allow {
		if ok, why := r.match(act); ok {
			if o, oWhy := r.over(&in); o {
				if r.limit.then == countersign.EffectDeny {
					over, overWhy = append(over, r.name), append(overWhy, oWhy)
				} else {
					held, heldWhy = append(held, r.name), append(heldWhy, oWhy)
				}
				continue
			}
			d.Rules = append(d.Rules, r.name)
			d.Reasons = append(d.Reasons, why)
			d.GrantTTL = least(d.GrantTTL, or(r.grantTTL, countersign.DefaultGrantTTL))
		}
	}
	switch {
	case len(over) > 0:
		return countersign.Decision{Effect: countersign.EffectDeny, Rules: over, Reasons: overWhy, PolicyDigest: p.digest}
	case len(held) > 0:
		// The rule's limit holds the action for the policy's default review.
		specs := make([]*reviewSpec, len(held))
		for i := range specs {
			specs[i] = p.defReview
		}
		d := countersign.Decision{Effect: countersign.EffectReview, Rules: held, Reasons: heldWhy, PolicyDigest: p.digest}
		d.Review, d.GrantTTL = requirement(held, specs)
		return d
	case len(d.Rules) > 0:
		d.Effect = countersign.EffectAllow
		return d
	}

	d.Effect = p.def
	d.Reasons = append(d.Reasons, "no rule matched; the policy's default is "+string(p.def))
	switch p.def {
	case countersign.EffectReview:
		d.Review, d.GrantTTL = requirement([]string{DefaultRule}, []*reviewSpec{p.defReview})
	case countersign.EffectAllow:
		d.GrantTTL = countersign.DefaultGrantTTL
	}
	return d
}

// match evaluates the rule's match. An error makes an allow rule not match
// and a review or deny rule match. why is the reason to record on a match.
func (r *rule) match(act *activation) (matched bool, why string) {
	if r.skip(act.action.in) {
		return false, ""
	}
	out, _, err := r.prg.Eval(act)
	if err == nil {
		b, ok := out.(types.Bool)
		if ok {
			return bool(b), r.reason
		}
		err = fmt.Errorf("match gave %s, not a bool", out.Type().TypeName())
	}
	if r.effect == countersign.EffectAllow {
		return false, ""
	}
	return true, fmt.Sprintf("rule %s: evaluation error: %v", r.name, err)
}

// requirement merges the review blocks of the matching review rules (named in
// rules, in the same order): one threshold each; the least reject threshold,
// TTL and grant TTL; a reason required if any asks; every notify target once.
func requirement(rules []string, specs []*reviewSpec) (*countersign.ReviewRequirement, time.Duration) {
	req := &countersign.ReviewRequirement{
		Thresholds: make([]countersign.Threshold, 0, len(specs)),
	}
	var grant time.Duration
	for i, s := range specs {
		t := countersign.Threshold{
			Rule:         rules[i],
			Approvers:    slices.Clone(s.approvers),
			MinApprovals: s.minApprovals,
			ApprovedBy:   []string{},
		}
		if len(s.groups) > 0 {
			t.Groups = make(map[string][]string, len(s.groups))
			for g, m := range s.groups {
				t.Groups[g] = slices.Clone(m)
			}
		}
		req.Thresholds = append(req.Thresholds, t)
		req.RejectThreshold = least(req.RejectThreshold, or(s.rejectThreshold, countersign.DefaultRejectThreshold))
		req.TTL = least(req.TTL, or(s.ttl, countersign.DefaultTTL))
		grant = least(grant, or(s.grantTTL, countersign.DefaultGrantTTL))
		req.RequireReason = req.RequireReason || s.requireReason
		for _, n := range s.notify {
			if !slices.Contains(req.Notify, n) {
				req.Notify = append(req.Notify, n)
			}
		}
	}
	return req, grant
}

// or returns v, or def when v is unset (zero).
func or[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// least returns the smaller of cur and v, treating a zero cur as unset.
func least[T int | time.Duration](cur, v T) T {
	if cur == 0 || v < cur {
		return v
	}
	return cur
}

// activation binds the CEL variables for one evaluation. It is built once
// per Evaluate and read by every rule in turn.
type activation struct {
	action                actionVal
	sql, shell, mcp, http map[string]any // nil when the analyser gave no facts
}

var (
	emptyLabels = map[string]string{}
	emptyString = types.String("")
)

// str converts s to a CEL string, sharing one value for "".
func str(s string) ref.Val {
	if s == "" {
		return emptyString
	}
	return types.String(s)
}

func newActivation(in *Input) *activation {
	return &activation{
		action: actionVal{in: in},
		sql:    in.Facts[varSQL],
		shell:  in.Facts[varShell],
		mcp:    in.Facts[varMCP],
		http:   in.Facts[varHTTP],
	}
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	var v map[string]any
	switch name {
	case varAction:
		return &a.action, true
	case varSQL:
		v = a.sql
	case varShell:
		v = a.shell
	case varMCP:
		v = a.mcp
	case varHTTP:
		v = a.http
	}
	return v, v != nil
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

var _ interpreter.Activation = (*activation)(nil)
