package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// counter is an in-memory Input.Count: hits per rule, no window.
type counter struct {
	hits map[string]int
	per  map[string]time.Duration
	err  error
}

func (c *counter) count(rule string, per time.Duration, max int) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.hits == nil {
		c.hits, c.per = map[string]int{}, map[string]time.Duration{}
	}
	c.per[rule] = per
	if c.hits[rule] >= max {
		return max + 1, nil
	}
	c.hits[rule]++
	return c.hits[rule], nil
}

const limitPolicy = `version: 1
default: deny
default_review: {approvers: [group:oncall], min_approvals: 1}
groups: {oncall: [ana@example.com]}
rules:
  - name: reads
    match: action.labels.?op.orValue("") == "read"
    effect: allow
    limit: {count: 2, per: 1m, then: review}
  - name: exports
    match: action.labels.?op.orValue("") == "export"
    effect: review
    review: {approvers: [any_human], min_approvals: 2}
    limit: {count: 1, per: 1h, then: deny}
  - name: lists
    match: action.labels.?op.orValue("") == "list"
    effect: allow
    limit: {count: 1, per: 10s, then: deny}
  - name: never
    match: action.labels.?op.orValue("") == "drop"
    effect: deny
`

func labelled(op string) Input {
	in := sqlInput("prod", nil)
	in.Action.Labels = map[string]string{"op": op}
	return in
}

func TestLimitAllowThenReview(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	c := &counter{}
	for i := 1; i <= 2; i++ {
		in := labelled("read")
		in.Count = c.count
		if d := p.Evaluate(in); d.Effect != countersign.EffectAllow {
			t.Fatalf("read %d: %s %v, want allow", i, d.Effect, d.Reasons)
		}
	}
	in := labelled("read")
	in.Count = c.count
	d := p.Evaluate(in)
	if d.Effect != countersign.EffectReview || d.Review == nil {
		t.Fatalf("third read: %+v, want review", d)
	}
	if got := d.Review.Thresholds[0]; got.Rule != "reads" || got.Approvers[0] != "group:oncall" {
		t.Errorf("threshold %+v: want the default review under the rule's name", got)
	}
	if !strings.Contains(d.Reasons[0], "bot is over its limit of 2 per 1m0s, so it gives review") {
		t.Errorf("reason %q does not say which limit", d.Reasons[0])
	}
	if c.per["reads"] != time.Minute {
		t.Errorf("counted with per %s, want 1m", c.per["reads"])
	}
}

func TestLimitReviewThenDeny(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	c := &counter{}
	in := labelled("export")
	in.Count = c.count
	if d := p.Evaluate(in); d.Effect != countersign.EffectReview || d.Review.Thresholds[0].MinApprovals != 2 {
		t.Fatalf("first export: %+v", d)
	}
	d := p.Evaluate(in)
	if d.Effect != countersign.EffectDeny || d.Rules[0] != "exports" {
		t.Fatalf("second export: %+v, want deny by exports", d)
	}
	if d.GrantTTL != 0 || d.Review != nil {
		t.Errorf("a denial carries no grant or review: %+v", d)
	}
}

func TestLimitAllowThenDeny(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	c := &counter{}
	in := labelled("list")
	in.Count = c.count
	p.Evaluate(in)
	if d := p.Evaluate(in); d.Effect != countersign.EffectDeny {
		t.Fatalf("second list: %+v, want deny", d)
	}
}

func TestLimitCountErrorFailsClosed(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	in := labelled("read")
	in.Count = (&counter{err: errors.New("store down")}).count
	d := p.Evaluate(in)
	if d.Effect != countersign.EffectReview || !strings.Contains(d.Reasons[0], "store down") {
		t.Fatalf("count error: %+v, want review naming the error", d)
	}
}

func TestLimitNotCountedWithoutCounter(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	for range 5 {
		if d := p.Evaluate(labelled("read")); d.Effect != countersign.EffectAllow {
			t.Fatalf("without a counter: %+v", d)
		}
	}
}

func TestLimitOnlyCountsRulesReached(t *testing.T) {
	t.Parallel()
	p := mustParse(t, limitPolicy)
	c := &counter{}
	in := labelled("drop")
	in.Count = c.count
	p.Evaluate(in)
	if len(c.hits) != 0 {
		t.Errorf("a denied action counted %v", c.hits)
	}
	if got := p.Limits()["reads"]; got.Count != 2 || got.Per != time.Minute || got.Then != countersign.EffectReview {
		t.Errorf("Limits: %+v", got)
	}
}

func TestLimitParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rule, want string }{
		{`{name: a, match: "true", effect: deny, limit: {count: 1, per: 1m, then: deny}}`, "a deny rule stops every action"},
		{`{name: a, match: "true", effect: allow, limit: {count: 0, per: 1m, then: deny}}`, "limit.count must be between 1"},
		{`{name: a, match: "true", effect: allow, limit: {count: 10001, per: 1m, then: deny}}`, "limit.count must be between 1 and 10000"},
		{`{name: a, match: "true", effect: allow, limit: {count: 1, per: 10ms, then: deny}}`, "limit.per must be between 1s"},
		{`{name: a, match: "true", effect: allow, limit: {count: 1, per: 1m, then: allow}}`, "limit.then must be review or deny"},
		{`{name: a, match: "true", effect: review, review: {approvers: [any_human]}, limit: {count: 1, per: 1m, then: review}}`, "stricter than the rule's effect"},
		{`{name: a, match: "true", effect: allow, limit: {count: 1, then: deny}}`, "per is required"},
		{`{name: a, match: "true", effect: allow, limit: {count: 1, per: 1m, then: deny, burst: 3}}`, `unknown key "burst"`},
	} {
		_, err := Parse("t.yaml", []byte("version: 1\nrules:\n  - "+tc.rule+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.rule, err, tc.want)
		}
	}
}
