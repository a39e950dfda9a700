package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

func mustParse(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func sqlInput(env string, facts map[string]any) Input {
	in := Input{
		Action: countersign.Action{
			Kind: countersign.ActionSQL, Agent: "bot", Environment: env,
			Payload: json.RawMessage(`{"sql":"SELECT 1"}`),
		},
		AgentOwner: "olga@example.com",
	}
	if facts != nil {
		in.Facts = map[string]map[string]any{"sql": facts}
	}
	return in
}

func TestEvaluatePrecedence(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: deny
rules:
  - name: allow-a
    match: action.labels.?a.orValue("") == "y"
    effect: allow
  - name: review-b
    match: action.labels.?b.orValue("") == "y"
    effect: review
    reason: b needs a look
    review: {approvers: [any_human]}
  - name: deny-c
    match: action.labels.?c.orValue("") == "y"
    effect: deny
    reason: c is forbidden
  - name: allow-a2
    match: '"a" in action.labels'
    effect: allow
    reason: a is fine
  - name: deny-c2
    match: '"c" in action.labels'
    effect: deny
`)
	tests := []struct {
		labels  string
		effect  countersign.Effect
		rules   []string
		reasons []string
	}{
		{"", countersign.EffectDeny, []string{}, []string{"no rule matched; the policy's default is deny"}},
		{"a", countersign.EffectAllow, []string{"allow-a", "allow-a2"}, []string{"matched rule allow-a", "a is fine"}},
		{"b", countersign.EffectReview, []string{"review-b"}, []string{"b needs a look"}},
		{"ab", countersign.EffectReview, []string{"review-b"}, []string{"b needs a look"}},
		{"c", countersign.EffectDeny, []string{"deny-c", "deny-c2"}, []string{"c is forbidden", "matched rule deny-c2"}},
		{"abc", countersign.EffectDeny, []string{"deny-c", "deny-c2"}, []string{"c is forbidden", "matched rule deny-c2"}},
		{"ac", countersign.EffectDeny, []string{"deny-c", "deny-c2"}, []string{"c is forbidden", "matched rule deny-c2"}},
	}
	for _, tt := range tests {
		labels := map[string]string{}
		for _, c := range tt.labels {
			labels[string(c)] = "y"
		}
		d := p.Evaluate(Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{}`), Labels: labels}})
		if d.Effect != tt.effect || !slices.Equal(d.Rules, tt.rules) || !slices.Equal(d.Reasons, tt.reasons) {
			t.Errorf("labels %q: got %s %q %q, want %s %q %q", tt.labels, d.Effect, d.Rules, d.Reasons, tt.effect, tt.rules, tt.reasons)
		}
		if (d.Review != nil) != (d.Effect == countersign.EffectReview) {
			t.Errorf("labels %q: effect %s with Review %+v", tt.labels, d.Effect, d.Review)
		}
	}
}

func TestEvaluateFailsClosed(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: allow
rules:
  - name: reads
    match: sql.read_only
    effect: allow
  - name: exports
    match: sql.is_export
    effect: review
    review: {approvers: [any_human]}
  - name: programs
    match: sql.copy_program
    effect: deny
`)
	tests := []struct {
		name    string
		facts   map[string]any
		effect  countersign.Effect
		rules   []string
		reasons []string
	}{
		{"no facts: deny rule errs and matches", nil, countersign.EffectDeny, []string{"programs"},
			[]string{"rule programs: evaluation error: no such attribute"}},
		{"missing key in deny rule", map[string]any{"read_only": true, "is_export": false}, countersign.EffectDeny, []string{"programs"},
			[]string{"rule programs: evaluation error: no such key: copy_program"}},
		{"non-bool in deny rule", map[string]any{"read_only": true, "is_export": false, "copy_program": "no"}, countersign.EffectDeny, []string{"programs"},
			[]string{"rule programs: evaluation error: match gave string, not a bool"}},
		{"missing key in review rule", map[string]any{"read_only": true, "copy_program": false}, countersign.EffectReview, []string{"exports"},
			[]string{"rule exports: evaluation error: no such key: is_export"}},
		{"missing key in allow rule: no match, default", map[string]any{"is_export": false, "copy_program": false}, countersign.EffectAllow, []string{},
			[]string{"no rule matched; the policy's default is allow"}},
		{"non-bool in allow rule: no match", map[string]any{"read_only": 1, "is_export": false, "copy_program": false}, countersign.EffectAllow, []string{},
			[]string{"no rule matched; the policy's default is allow"}},
		{"all good", map[string]any{"read_only": true, "is_export": false, "copy_program": false}, countersign.EffectAllow, []string{"reads"},
			[]string{"matched rule reads"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(sqlInput("production", tt.facts))
			if d.Effect != tt.effect || !slices.Equal(d.Rules, tt.rules) || len(d.Reasons) != len(tt.reasons) {
				t.Fatalf("got %s %q %q, want %s %q %q", d.Effect, d.Rules, d.Reasons, tt.effect, tt.rules, tt.reasons)
			}
			for i := range tt.reasons {
				if !strings.HasPrefix(d.Reasons[i], tt.reasons[i]) {
					t.Errorf("reason %q, want it to start %q", d.Reasons[i], tt.reasons[i])
				}
			}
		})
	}
}

func TestEvaluateErrorNeverAllows(t *testing.T) {
	t.Parallel()
	// With only allow rules and an allow default, an evaluation error in an
	// allow rule must not be what allows: the default does, and says so.
	p := mustParse(t, `version: 1
default: deny
rules:
  - name: reads
    match: sql.read_only
    effect: allow
`)
	if d := p.Evaluate(sqlInput("", nil)); d.Effect != countersign.EffectDeny {
		t.Errorf("allow rule without facts: %s %q, want deny by default", d.Effect, d.Reasons)
	}
}

func TestEvaluateCostLimit(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: allow
rules:
  - name: quadratic
    match: sql.tables.exists(a, sql.tables.exists(b, a + b == "never"))
    effect: deny
  - name: quadratic-allow
    match: sql.tables.all(a, sql.tables.all(b, a + b != "never"))
    effect: allow
`)
	if !p.rules[0].limited || !p.rules[1].limited {
		t.Fatal("comprehensions over facts run without the cost limit")
	}
	small := []any{"a", "b"}
	if d := p.Evaluate(sqlInput("", map[string]any{"tables": small})); d.Effect != countersign.EffectAllow || !slices.Equal(d.Rules, []string{"quadratic-allow"}) {
		t.Errorf("small input: %s %q %q, want allow by quadratic-allow", d.Effect, d.Rules, d.Reasons)
	}
	big := make([]any, 3000)
	for i := range big {
		big[i] = fmt.Sprint(i)
	}
	start := time.Now()
	d := p.Evaluate(sqlInput("", map[string]any{"tables": big}))
	if d.Effect != countersign.EffectDeny || len(d.Reasons) != 1 || !strings.Contains(d.Reasons[0], "cost limit") {
		t.Errorf("big input: %s %q, want deny with a cost limit error", d.Effect, d.Reasons)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("evaluation took %v despite the cost limit", el)
	}
}

func TestEvaluateActionVariables(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: allow
rules:
  - name: fields
    match: >-
      action.kind == "http" && action.agent == "bot" && action.agent_owner == "olga@example.com" &&
      action.on_behalf_of == "alice@example.com" && action.environment == "production" &&
      action.resource == "https://api.example.com" && action.summary.contains("refund") &&
      action.labels.ticket == "OPS-1" && action.payload.method == "POST" &&
      action.payload.amount > 100 && action.payload.headers["x-trace"] == "t1" &&
      size(action.payload.items) == 2 && http.external
    effect: deny
    reason: all fields seen
  - name: missing-fields-are-empty
    match: action.on_behalf_of == "" && action.environment == "" && size(action.labels) == 0
    effect: deny
    reason: empty
`)
	in := Input{
		Action: countersign.Action{
			Kind: countersign.ActionHTTP, Agent: "bot", OnBehalfOf: "alice@example.com", Environment: "production",
			Resource: "https://api.example.com", Summary: "issue a refund", Labels: map[string]string{"ticket": "OPS-1"},
			Payload: json.RawMessage(`{"method":"POST","url":"https://api.example.com/refunds","amount":150.5,"headers":{"x-trace":"t1"},"items":[1,2]}`),
		},
		AgentOwner: "olga@example.com",
		Facts:      map[string]map[string]any{"http": {"external": true}},
	}
	if d := p.Evaluate(in); d.Effect != countersign.EffectDeny || !slices.Equal(d.Reasons, []string{"all fields seen"}) {
		t.Errorf("got %s %q, want deny: all fields seen", d.Effect, d.Reasons)
	}
	empty := Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{}`)}}
	if d := p.Evaluate(empty); d.Effect != countersign.EffectDeny || !slices.Equal(d.Rules, []string{"missing-fields-are-empty"}) {
		t.Errorf("empty action: got %s %q %q, want deny by missing-fields-are-empty", d.Effect, d.Rules, d.Reasons)
	}
}

func TestEvaluateBadPayloadFailsClosed(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: allow
rules:
  - name: big
    match: action.payload.amount > 1000
    effect: review
    review: {approvers: [any_human]}
  - name: small
    match: action.payload.amount <= 1000
    effect: allow
`)
	for _, payload := range []string{``, `null`, `[1]`, `{"amount":`} {
		d := p.Evaluate(Input{Action: countersign.Action{Kind: "custom", Payload: []byte(payload)}})
		if d.Effect != countersign.EffectReview || len(d.Reasons) != 1 || !strings.Contains(d.Reasons[0], "evaluation error") {
			t.Errorf("payload %q: got %s %q, want review with an evaluation error", payload, d.Effect, d.Reasons)
		}
	}
	if d := p.Evaluate(Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{"amount":5}`)}}); d.Effect != countersign.EffectAllow {
		t.Errorf("good payload: got %s %q, want allow", d.Effect, d.Reasons)
	}
}

func TestEvaluateReviewRequirement(t *testing.T) {
	t.Parallel()
	p, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A production export that writes matches prod-exports and prod-writes.
	d := p.Evaluate(sqlInput("production", map[string]any{"copy_program": false, "is_export": true, "read_only": false}))
	if d.Effect != countersign.EffectReview || !slices.Equal(d.Rules, []string{"prod-exports", "prod-writes"}) {
		t.Fatalf("got %s %q %q, want review by prod-exports, prod-writes", d.Effect, d.Rules, d.Reasons)
	}
	r := d.Review
	want := &countersign.ReviewRequirement{
		Thresholds: []countersign.Threshold{
			{Rule: "prod-exports", Approvers: []string{"group:dba", "group:sre"}, MinApprovals: 2, ApprovedBy: []string{},
				Groups: map[string][]string{"dba": {"dana@example.com", "dave@example.com"}, "sre": {"sam@example.com", "sue@example.com"}}},
			{Rule: "prod-writes", Approvers: []string{"group:dba", "alice@example.com"}, MinApprovals: 1, ApprovedBy: []string{},
				Groups: map[string][]string{"dba": {"dana@example.com", "dave@example.com"}}},
		},
		RejectThreshold: 1,
		RequireReason:   true,
		TTL:             30 * time.Minute,
		Notify:          []string{"slack:#prod-approvals", "webhook:oncall", "slack:#dba"},
	}
	gotJSON, _ := json.Marshal(r)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("review requirement\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if d.GrantTTL != 5*time.Minute {
		t.Errorf("GrantTTL = %v, want 5m (least of 5m and the default 15m)", d.GrantTTL)
	}
	if r.Thresholds[0].ApprovedBy == nil {
		t.Error("ApprovedBy is nil; it must be an empty list")
	}

	// The snapshot admits members of the policy's groups.
	dave := countersign.Principal{Kind: countersign.KindHuman, Name: "dave@example.com"}
	alice := countersign.Principal{Kind: countersign.KindHuman, Name: "alice@example.com"}
	if !r.Thresholds[0].Admits(dave) || r.Thresholds[0].Admits(alice) || !r.Thresholds[1].Admits(alice) {
		t.Error("thresholds do not admit the policy's approvers")
	}

	// Changing one decision's snapshot changes neither the policy nor the next decision.
	r.Thresholds[0].Groups["dba"][0] = "mallory@example.com"
	r.Thresholds[0].Approvers[0] = "any_human"
	r.Notify[0] = "webhook:evil"
	d2 := p.Evaluate(sqlInput("production", map[string]any{"copy_program": false, "is_export": true, "read_only": false}))
	again, _ := json.Marshal(d2.Review)
	if string(again) != string(wantJSON) {
		t.Errorf("a decision shares memory with the policy: next decision\n got %s\nwant %s", again, wantJSON)
	}

	// Only prod-writes: its own ttl, default grant TTL and reject threshold.
	d = p.Evaluate(sqlInput("production", map[string]any{"copy_program": false, "is_export": false, "read_only": false}))
	if d.Effect != countersign.EffectReview || d.Review.TTL != 2*time.Hour || d.GrantTTL != countersign.DefaultGrantTTL ||
		d.Review.RejectThreshold != countersign.DefaultRejectThreshold || d.Review.RequireReason {
		t.Errorf("prod-writes alone: %s ttl %v grant %v reject %d reason %v", d.Effect, d.Review.TTL, d.GrantTTL, d.Review.RejectThreshold, d.Review.RequireReason)
	}

	// any_human with defaults.
	shell := Input{Action: countersign.Action{Kind: "shell", Payload: []byte(`{"command":"ls"}`), Labels: map[string]string{"ticket": "OPS-9"}}}
	d = p.Evaluate(shell)
	if d.Effect != countersign.EffectReview || d.Review.TTL != countersign.DefaultTTL || d.Review.Thresholds[0].MinApprovals != 1 ||
		d.Review.Thresholds[0].Groups != nil || d.Review.Notify != nil {
		t.Errorf("ticketed-shell: %s %+v", d.Effect, d.Review)
	}
}

func TestEvaluateGrantTTL(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
default: deny
rules:
  - name: short
    match: '"short" in action.labels'
    effect: allow
    grant_ttl: 1m
  - name: long
    match: '"long" in action.labels'
    effect: allow
    grant_ttl: 1h
  - name: plain
    match: '"plain" in action.labels'
    effect: allow
`)
	tests := []struct {
		labels []string
		want   time.Duration
	}{
		{[]string{"short"}, time.Minute},
		{[]string{"long"}, time.Hour},
		{[]string{"plain"}, countersign.DefaultGrantTTL},
		{[]string{"long", "plain"}, countersign.DefaultGrantTTL},
		{[]string{"short", "long", "plain"}, time.Minute},
		{nil, 0},
	}
	for _, tt := range tests {
		labels := map[string]string{}
		for _, l := range tt.labels {
			labels[l] = "1"
		}
		d := p.Evaluate(Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{}`), Labels: labels}})
		if d.GrantTTL != tt.want {
			t.Errorf("labels %v: GrantTTL %v (%s), want %v", tt.labels, d.GrantTTL, d.Effect, tt.want)
		}
	}
}

func TestEvaluateDefaults(t *testing.T) {
	t.Parallel()
	custom := Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{}`)}}
	tests := []struct {
		file   string
		effect countersign.Effect
		grant  time.Duration
		review *countersign.ReviewRequirement
	}{
		{"testdata/minimal.yaml", countersign.EffectDeny, 0, nil},
		{"testdata/review-default.yaml", countersign.EffectReview, 2 * time.Minute, &countersign.ReviewRequirement{
			Thresholds: []countersign.Threshold{{Rule: DefaultRule, Approvers: []string{"group:oncall", "root@example.com"},
				Groups: map[string][]string{"oncall": {"olive@example.com", "oscar@example.com"}}, MinApprovals: 2, ApprovedBy: []string{}}},
			RejectThreshold: 2, RequireReason: true, TTL: 10 * time.Minute, Notify: []string{"teams:ops"},
		}},
	}
	for _, tt := range tests {
		p, err := Load(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		d := p.Evaluate(custom)
		got, _ := json.Marshal(d.Review)
		want, _ := json.Marshal(tt.review)
		if d.Effect != tt.effect || d.GrantTTL != tt.grant || string(got) != string(want) || len(d.Rules) != 0 || d.Rules == nil {
			t.Errorf("%s: got %s grant %v rules %q review %s\nwant %s grant %v rules [] review %s", tt.file, d.Effect, d.GrantTTL, d.Rules, got, tt.effect, tt.grant, want)
		}
	}
	allow := mustParse(t, "version: 1\ndefault: allow\n")
	if d := allow.Evaluate(custom); d.Effect != countersign.EffectAllow || d.GrantTTL != countersign.DefaultGrantTTL {
		t.Errorf("default allow: %s grant %v", d.Effect, d.GrantTTL)
	}
	rev := mustParse(t, "version: 1\ndefault: review\n")
	d := rev.Evaluate(custom)
	if d.Review == nil || len(d.Review.Thresholds) != 1 || d.Review.Thresholds[0].Approvers[0] != countersign.AnyHuman ||
		d.Review.Thresholds[0].MinApprovals != 1 || d.Review.TTL != countersign.DefaultTTL || d.GrantTTL != countersign.DefaultGrantTTL ||
		d.Review.RejectThreshold != countersign.DefaultRejectThreshold {
		t.Errorf("default review without default_review: %+v grant %v", d.Review, d.GrantTTL)
	}
}

// TestEvaluateWithRequest runs decisions through the root package's request
// life cycle, which is what the gateway does with them.
func TestEvaluateWithRequest(t *testing.T) {
	t.Parallel()
	p, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := sqlInput("production", map[string]any{"copy_program": false, "is_export": true, "read_only": true})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, _ := countersign.NewRequest(countersign.NewRequestParams{ID: "r1", Action: in.Action, Owner: in.AgentOwner, Decision: p.Evaluate(in), Now: now})
	if r.State != countersign.StatePending || !r.ExpiresAt.Equal(now.Add(30*time.Minute)) {
		t.Fatalf("request %s expires %v, want pending for 30m", r.State, r.ExpiresAt)
	}
	for _, who := range []string{"dana@example.com", "sam@example.com"} {
		if _, err := r.Review(countersign.ReviewParams{Reviewer: countersign.Principal{Kind: countersign.KindHuman, Name: who},
			Verdict: countersign.VerdictApprove, Reason: "ok", Now: now}); err != nil {
			t.Fatalf("review by %s: %v", who, err)
		}
	}
	if r.State != countersign.StateApproved || !r.Grant.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Errorf("request %s grant %+v, want approved with a 5m grant", r.State, r.Grant)
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	t.Parallel()
	p, err := Load("testdata/bench50.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := benchInput()
	want := p.Evaluate(base)
	wantJSON, _ := json.Marshal(want)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				in := benchInput()
				if (g+i)%2 == 1 {
					in = benchAllowInput()
					if d := p.Evaluate(in); d.Effect != countersign.EffectAllow {
						errs <- fmt.Sprintf("goroutine %d: staging read %s %q", g, d.Effect, d.Reasons)
						return
					}
					continue
				}
				d := p.Evaluate(in)
				d.Review.Thresholds[0].ApprovedBy = append(d.Review.Thresholds[0].ApprovedBy, "x@example.com")
				d.Review.Thresholds[0].ApprovedBy = d.Review.Thresholds[0].ApprovedBy[:0]
				if got, _ := json.Marshal(d); string(got) != string(wantJSON) {
					errs <- fmt.Sprintf("goroutine %d: decision %s, want %s", g, got, wantJSON)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestEvaluateWholeAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		match   string
		payload string
		want    bool
	}{
		{`size(action) == 9`, `{"a":1}`, true},
		{`size(action) == 8`, `[1]`, true}, // a payload that is not an object is absent
		{`"payload" in action && "summary" in action`, `{}`, true},
		{`"payload" in action`, `"x"`, false},
		{`has(action.payload)`, `{}`, true},
		{`has(action.payload)`, `nope`, false},
		{`action.?payload.hasValue()`, `nope`, false},
		{`action.exists(k, k == "agent_owner")`, `{}`, true},
		{`action["kind"] == "custom" && action["labels"]["x"] == "1"`, `{}`, true},
		{`action.payload.a.b[1] == "c"`, `{"a":{"b":["x","c"]}}`, true},
		{`action == {"kind": "custom"}`, `{}`, false},
		{`action.filter(k, k.startsWith("a")).size() == 2`, `{}`, true},
	}
	for _, tt := range tests {
		p := mustParse(t, "version: 1\ndefault: deny\nrules:\n  - name: r\n    match: '"+strings.ReplaceAll(tt.match, "'", "''")+"'\n    effect: allow\n")
		in := Input{Action: countersign.Action{Kind: "custom", Payload: []byte(tt.payload), Labels: map[string]string{"x": "1"}}, AgentOwner: "o@example.com"}
		d := p.Evaluate(in)
		if got := d.Effect == countersign.EffectAllow; got != tt.want {
			t.Errorf("%s with payload %s: matched %v, want %v (%q)", tt.match, tt.payload, got, tt.want, d.Reasons)
		}
	}
}

// A payload decoded by Action.Check gives the same decisions as the raw one.
func TestEvaluateDecodedPayload(t *testing.T) {
	t.Parallel()
	p, err := Load("testdata/bench50.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{benchInput(), benchAllowInput()} {
		raw := p.Evaluate(in)
		payload, err := in.Action.Check()
		if err != nil {
			t.Fatal(err)
		}
		in.Payload = payload
		dec := p.Evaluate(in)
		if raw.Effect != dec.Effect || !slices.Equal(raw.Rules, dec.Rules) {
			t.Errorf("decoded payload: %s %v, raw: %s %v", dec.Effect, dec.Rules, raw.Effect, raw.Rules)
		}
	}
}
