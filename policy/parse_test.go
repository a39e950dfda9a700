package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/countersign/countersign"
)

// head is a valid start that cases append rules to; its groups are on lines
// 3 and 4, so the first rule starts on line 6.
const head = `version: 1
groups:
  dba: [dana@example.com, dave@example.com]
  sre: [sam@example.com]
rules:
`

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		line     int
		rule     string
		contains string
	}{
		{"bad CEL", head + `  - name: r1
    match: action.kind ==
    effect: deny
`, 7, "r1", "Syntax error"},
		{"bad CEL in block scalar names its line", head + `  - name: r1
    match: |
      action.kind == "sql" &&
      action.kind ==
    effect: deny
`, 9, "r1", "Syntax error"},
		{"undeclared variable", head + `  - name: r1
    match: request.kind == "sql"
    effect: deny
`, 7, "r1", "undeclared reference to 'request'"},
		{"non-bool match", head + `  - name: r1
    match: action.kind + "x"
    effect: allow
`, 7, "r1", "true/false expression"},
		{"int match", head + `  - name: r1
    match: "1 + 2"
    effect: deny
`, 7, "r1", "gives a int"},
		{"unknown action field", head + `  - name: r1
    match: action.envirnoment == "production"
    effect: deny
`, 7, "r1", "action has no field envirnoment"},
		{"unknown action field by index", head + `  - name: r1
    match: action["knd"] == "sql"
    effect: deny
`, 7, "r1", "action has no field knd"},
		{"unknown top-level key", "version: 1\ndefualt: deny\n", 2, "", `unknown key "defualt"`},
		{"unknown rule key", head + `  - name: r1
    match: "true"
    effect: deny
    approvers: [any_human]
`, 9, "r1", `unknown key "approvers"`},
		{"unknown review key", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], min_approval: 1}
`, 9, "r1", `unknown key "min_approval"`},
		{"unknown group", head + `  - name: r1
    match: "true"
    effect: review
    review:
      approvers: [group:dba, group:ops]
`, 10, "r1", `group "ops" is not defined`},
		{"bad approver", head + `  - name: r1
    match: "true"
    effect: review
    review:
      approvers: [dba]
`, 10, "r1", `approver "dba" must be group:NAME`},
		{"empty approvers", head + `  - name: r1
    match: "true"
    effect: review
    review:
      approvers: []
`, 10, "r1", "approvers must not be empty"},
		{"bad effect", head + `  - name: r1
    match: "true"
    effect: permit
`, 8, "r1", `effect must be deny, review or allow, not "permit"`},
		{"missing effect", head + `  - name: r1
    match: "true"
`, 6, "r1", "effect is required"},
		{"duplicate name", head + `  - name: r1
    match: "true"
    effect: deny
  - name: r1
    match: "false"
    effect: allow
`, 9, "r1", "already used by the rule on line 6"},
		{"missing name", head + `  - match: "true"
    effect: deny
`, 6, "#1", "name is required"},
		{"empty name", head + `  - name: ""
    match: "true"
    effect: deny
`, 6, "#1", `name "" must be`},
		{"reserved name", head + `  - name: default
    match: "true"
    effect: deny
`, 6, "#1", "reserved"},
		{"min_approvals too high", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [group:dba, dana@example.com, sam@example.com], min_approvals: 4}
`, 9, "r1", "only 3 people can approve"},
		{"min_approvals zero", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], min_approvals: 0}
`, 9, "r1", "min_approvals must be at least 1"},
		{"bad duration", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], ttl: 30}
`, 9, "r1", `review.ttl: "30" is not a duration`},
		{"negative duration", head + `  - name: r1
    match: "true"
    effect: allow
    grant_ttl: -5m
`, 9, "r1", "grant_ttl must be positive"},
		{"grant_ttl on deny", head + `  - name: r1
    match: "true"
    effect: deny
    grant_ttl: 5m
`, 9, "r1", "a deny rule issues no grant"},
		{"review without block", head + `  - name: r1
    match: "true"
    effect: review
`, 6, "r1", "needs a review block"},
		{"review block on allow", head + `  - name: r1
    match: "true"
    effect: allow
    review: {approvers: [any_human]}
`, 9, "r1", "only a review rule takes a review block"},
		{"bad notify", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], notify: ["email:x"]}
`, 9, "r1", `notify target "email:x"`},
		{"reject_threshold zero", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], reject_threshold: 0}
`, 9, "r1", "reject_threshold must be at least 1"},
		{"require_reason not bool", head + `  - name: r1
    match: "true"
    effect: review
    review: {approvers: [any_human], require_reason: "yes"}
`, 9, "r1", "must be true or false"},
		{"version 2", "version: 2\n", 1, "", "version 2 is not supported"},
		{"version string", "version: one\n", 1, "", "version must be a whole number"},
		{"missing version", "default: deny\n", 1, "", "version is required"},
		{"bad default", "version: 1\ndefault: maybe\n", 2, "", `default must be deny, review or allow`},
		{"bad default_review", "version: 1\ndefault: review\ndefault_review: {approvers: [group:nobody]}\n", 3, "", `group "nobody" is not defined`},
		{"group member not email", "version: 1\ngroups:\n  dba: [dana]\n", 3, "", `member "dana" is not an email address`},
		{"bad group name", "version: 1\ngroups:\n  'd b': [dana@example.com]\n", 3, "", `group name "d b"`},
		{"yaml syntax", "version: 1\nrules:\n  - name: [\n", 3, "", "invalid YAML"},
		{"tab indentation", "version: 1\nrules:\n\t- name: a\n", 3, "", "invalid YAML"},
		{"not a mapping", "- version: 1\n", 1, "", "policy must be a mapping"},
		{"empty", "", 0, "", "the policy is empty"},
		{"two documents", "version: 1\n---\nversion: 1\n", 2, "", "one YAML document"},
		{"anchors", head + `  - name: r1
    match: "true"
    effect: review
    review: &r {approvers: [any_human]}
  - name: r2
    match: "true"
    effect: review
    review: *r
`, 9, "r1", "anchors and aliases are not allowed"},
		{"repeated key", "version: 1\nversion: 1\n", 2, "", `key "version" is repeated`},
		{"rules not a list", "version: 1\nrules: {a: 1}\n", 2, "", "rules must be a list"},
		{"empty match", head + `  - name: r1
    match: "  "
    effect: deny
`, 7, "r1", "match is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded with %d rules, want an error containing %q", len(p.rules), tt.contains)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *policy.Error", err, err)
			}
			if pe.File != "p.yaml" || pe.Line != tt.line || pe.Rule != tt.rule || !strings.Contains(pe.Message, tt.contains) {
				t.Errorf("got error %q (file %q, line %d, rule %q)\nwant file p.yaml, line %d, rule %q, message containing %q",
					err, pe.File, pe.Line, pe.Rule, tt.line, tt.rule, tt.contains)
			}
			if got := countersign.ErrorCode(err); got != countersign.EPolicyInvalid {
				t.Errorf("ErrorCode = %q, want %q", got, countersign.EPolicyInvalid)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "p.yaml", Line: 7, Rule: "r1", Message: "bad"}, "p.yaml:7: rule r1: bad"},
		{Error{File: "p.yaml", Line: 2, Message: "bad"}, "p.yaml:2: bad"},
		{Error{File: "p.yaml", Message: "bad"}, "p.yaml: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if got := countersign.ErrorMessage(&tt.err); got != tt.want {
			t.Errorf("countersign.ErrorMessage = %q, want %q", got, tt.want)
		}
	}
}

func TestParseReportsEveryError(t *testing.T) {
	t.Parallel()
	src := `version: 1
rules:
  - name: a
    match: action.kind ==
    effect: deny
  - name: b
    match: "true"
    effect: nope
  - name: c
    match: "true"
    effect: review
    review: {approvers: [group:ghosts]}
`
	_, err := Parse("p.yaml", []byte(src))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v is not joined", err)
	}
	var got []string
	for _, e := range j.Unwrap() {
		pe, ok := e.(*Error)
		if !ok {
			t.Fatalf("%v (%T) is not a *policy.Error", e, e)
		}
		got = append(got, pe.Rule)
		if !strings.HasPrefix(pe.Error(), "p.yaml:") {
			t.Errorf("error %q does not start with the file name", pe)
		}
	}
	if want := []string{"a", "b", "c"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("errors are for rules %v, want %v in line order\n%v", got, want, err)
	}
	if countersign.ErrorCode(err) != countersign.EPolicyInvalid {
		t.Errorf("ErrorCode = %q, want %q", countersign.ErrorCode(err), countersign.EPolicyInvalid)
	}
}

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("glob testdata: %v, %d files", err, len(files))
	}
	for _, f := range files {
		p, err := Load(f)
		if err != nil {
			t.Errorf("Load(%s): %v", f, err)
			continue
		}
		if p.Name() != f {
			t.Errorf("Name() = %q, want %q", p.Name(), f)
		}
	}
	p, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "no-copy-program,prod-exports,prod-writes,reads,ticketed-shell"
	if got := strings.Join(p.Rules(), ","); got != want {
		t.Errorf("Rules() = %s, want %s", got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want a not-exist error", err)
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	src := "version: 1\n#" + strings.Repeat("x", MaxSize) + "\n"
	_, err := Parse("big.yaml", []byte(src))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "limit") {
		t.Fatalf("Parse of %d bytes: %v, want a size error", len(src), err)
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	want := "sha256:" + hex.EncodeToString(sum[:])
	p1, err := Parse("a.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Parse("b.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if p1.Digest() != want || p2.Digest() != want {
		t.Errorf("digests %s, %s; want %s for both (the name is not part of it)", p1.Digest(), p2.Digest(), want)
	}
	if d := p1.Evaluate(Input{Action: countersign.Action{Kind: "custom", Payload: []byte(`{}`)}}); d.PolicyDigest != want {
		t.Errorf("Decision.PolicyDigest = %s, want %s", d.PolicyDigest, want)
	}
	p3, err := Parse("a.yaml", append(src, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	if p3.Digest() == want {
		t.Error("digest did not change when the source did")
	}
	got := p1.Source()
	got[0] = 'X'
	if string(p1.Source()) != string(src) {
		t.Error("Source() shares memory with the policy")
	}
	src[0] = 'Y'
	if p1.Digest() != want || p1.Source()[0] == 'Y' {
		t.Error("the policy shares memory with the slice given to Parse")
	}
}

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	p := Default()
	rec, err := Pack(DefaultPack)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "pack:recommended" || p.Digest() != rec.Digest() {
		t.Errorf("Default() is %q (%s), want the recommended pack (%s)", p.Name(), p.Digest(), rec.Digest())
	}
	// Without the analysers' facts, every SQL action fails closed.
	d := p.Evaluate(Input{Action: countersign.Action{Kind: "sql", Agent: "bot", Payload: []byte(`{"sql":"SELECT 1"}`)}})
	if d.Effect != countersign.EffectDeny {
		t.Errorf("SQL without facts: %s %v, want deny", d.Effect, d.Reasons)
	}
}
