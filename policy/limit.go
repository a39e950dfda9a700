package policy

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/countersign/countersign"
)

// MaxLimitWindow bounds a limit's per: counts are kept in the store for that
// long.
const MaxLimitWindow = 31 * 24 * time.Hour

// MaxLimitCount bounds a limit's count: the store reads up to count entries
// to count one action, inside its write transaction.
const MaxLimitCount = 10_000

// limitSpec is a rule's "limit: {count, per, then}": once the rule has matched
// more than count of one agent's actions within per, it gives then instead
// of its own effect.
type limitSpec struct {
	count int
	per   time.Duration
	then  countersign.Effect
}

// Limit describes a rule's rate limit, for display.
type Limit struct {
	Count int
	Per   time.Duration
	Then  countersign.Effect
}

// Limits returns the rate limits of the policy's rules by rule name.
func (p *Policy) Limits() map[string]Limit {
	out := map[string]Limit{}
	for _, r := range p.rules {
		if r.limit != nil {
			out[r.name] = Limit{Count: r.limit.count, Per: r.limit.per, Then: r.limit.then}
		}
	}
	return out
}

// strength orders effects: a limit may only make a rule stricter.
func strength(e countersign.Effect) int {
	switch e {
	case countersign.EffectAllow:
		return 1
	case countersign.EffectReview:
		return 2
	case countersign.EffectDeny:
		return 3
	}
	return 0
}

// limit decodes a rule's limit block; r.effect is already known.
func (d *decoder) limit(r *rule, key, n *yaml.Node) *limitSpec {
	if r.effect == countersign.EffectDeny {
		d.errorf(key, "a deny rule stops every action it matches, so a limit means nothing here")
		return nil
	}
	m := d.mapping(n, "limit", "count", "per", "then")
	if m == nil {
		return nil
	}
	nerr := len(d.errs)
	l := &limitSpec{}
	if e, ok := m["count"]; !ok {
		d.errorf(n, "limit: count is required (how many actions per window pass)")
	} else if v, ok := d.integer(e.val, "limit.count"); ok {
		if v < 1 || v > MaxLimitCount {
			d.errorf(e.val, "limit.count must be between 1 and %d, not %d", MaxLimitCount, v)
		}
		l.count = v
	}
	if e, ok := m["per"]; !ok {
		d.errorf(n, "limit: per is required (the window, e.g. 1m or 24h)")
	} else if v, ok := d.duration(e.val, "limit.per"); ok {
		if v < time.Second || v > MaxLimitWindow {
			d.errorf(e.val, "limit.per must be between 1s and %s, not %s", MaxLimitWindow, v)
		}
		l.per = v
	}
	if e, ok := m["then"]; !ok {
		d.errorf(n, "limit: then is required (review or deny)")
	} else if s, ok := d.str(e.val, "limit.then"); ok {
		eff, ok := effect(s)
		switch {
		case !ok || eff == countersign.EffectAllow:
			d.errorf(e.val, "limit.then must be review or deny, not %q", s)
		case strength(eff) <= strength(r.effect):
			d.errorf(e.val, "limit.then must be stricter than the rule's effect (%s), not %s", r.effect, eff)
		}
		l.then = eff
	}
	if len(d.errs) > nerr {
		return nil
	}
	return l
}

// over counts a match of a limited rule and reports whether it is over its
// limit, and why. With no counter, limits are not counted (policy test). A
// counting error is over the limit: fail closed.
func (r *rule) over(in *Input) (bool, string) {
	if r.limit == nil || in.Count == nil {
		return false, ""
	}
	n, err := in.Count(r.name, r.limit.per, r.limit.count)
	if err != nil {
		return true, fmt.Sprintf("rule %s: could not count its limit (%v), so it gives %s", r.name, err, r.limit.then)
	}
	if n > r.limit.count {
		return true, fmt.Sprintf("rule %s: agent %s is over its limit of %d per %s, so it gives %s",
			r.name, in.Action.Agent, r.limit.count, r.limit.per, r.limit.then)
	}
	return false, ""
}
