package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign"
)

func TestPacksParse(t *testing.T) {
	t.Parallel()
	names := Packs()
	for _, want := range []string{"databases", "shell", "mcp", "recommended"} {
		if !slices.Contains(names, want) {
			t.Fatalf("Packs() = %v, missing %s", names, want)
		}
	}
	for _, name := range names {
		p, err := LoadRef(PackPrefix + name)
		if err != nil {
			t.Fatalf("pack %s: %v", name, err)
		}
		if p.Name() != "pack:"+name || len(p.Rules()) == 0 && name != "recommended" {
			t.Errorf("pack %s: name %q rules %v", name, p.Name(), p.Rules())
		}
	}
	if _, err := Pack("nope"); err == nil || !strings.Contains(err.Error(), "the packs are") {
		t.Errorf("unknown pack: %v", err)
	}
}

func TestIncludeMergesPacks(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `version: 1
include: [recommended, databases]
analysis:
  sql: {sensitive_tables: [Public.Users, "billing.*"], max_rows: 50}
  mcp: {trusted_servers: [github]}
rules:
  - name: mine
    match: action.environment == "dev"
    effect: allow
`)
	rec, _ := Pack("recommended")
	for _, r := range rec.Rules() {
		if !slices.Contains(p.Rules(), r) {
			t.Errorf("rule %s of the included packs is missing from %v", r, p.Rules())
		}
	}
	if got := p.Rules(); got[len(got)-1] != "mine" || strings.Count(strings.Join(got, " ")+" ", "db-read ") != 1 {
		t.Errorf("rules %v: packs once each, own rules last", got)
	}
	if got := p.Includes(); !slices.Equal(got, []string{"databases", "shell", "mcp", "recommended"}) {
		t.Errorf("Includes() = %v", got)
	}
	a := p.Analysis()
	if !slices.Equal(a.SensitiveTables, []string{"public.users", "billing.*"}) || a.MaxRows != 50 || !slices.Equal(a.TrustedServers, []string{"github"}) {
		t.Errorf("Analysis() = %+v", a)
	}
	// The digest pins the packs: the same file text alone hashes differently.
	if p.Digest() == mustParse(t, "version: 1\n").Digest() || !strings.HasPrefix(p.Digest(), "sha256:") {
		t.Errorf("digest %s", p.Digest())
	}
}

// Includes merge each pack once whatever their order.
func TestIncludeOrder(t *testing.T) {
	t.Parallel()
	a := mustParse(t, "version: 1\ninclude: [databases, recommended]\n")
	b := mustParse(t, "version: 1\ninclude: [recommended, databases]\n")
	rec, _ := Pack("recommended")
	sorted := func(x []string) []string { x = slices.Clone(x); slices.Sort(x); return x }
	if !slices.Equal(sorted(a.Rules()), sorted(rec.Rules())) || !slices.Equal(sorted(b.Rules()), sorted(rec.Rules())) {
		t.Errorf("rules %v and %v, want the recommended pack's %v once each", a.Rules(), b.Rules(), rec.Rules())
	}
}

func TestIncludeErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"version: 1\ninclude: [nope]\n", `no policy pack "nope"`},
		{"version: 1\ninclude: databases\n", "include must be a list"},
		{"version: 1\ninclude: [databases]\nrules:\n  - {name: db-read, match: 'true', effect: allow}\n", "already used by a rule of an included pack"},
		{"version: 1\nanalysis: {sql: {sensitive_tables: [\"a b\"]}}\n", "must be table, schema.table or schema.*"},
		{"version: 1\nanalysis: {sql: {max_rows: 0}}\n", "max_rows must be at least 1"},
		{"version: 1\nanalysis: {mcp: {trusted_servers: [\"has space\"]}}\n", "is not a server name"},
		{"version: 1\nanalysis: {http: {}}\n", `unknown key "http"`},
	} {
		_, err := Parse("t.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// The packs decide as their comments say, given the analysers' facts.
func TestPackDecisions(t *testing.T) {
	t.Parallel()
	p, err := Pack("recommended")
	if err != nil {
		t.Fatal(err)
	}
	sqlFacts := func(trueFacts ...string) map[string]any {
		m := map[string]any{}
		for _, f := range []string{"read_only", "writes", "ddl", "destructive", "is_export", "copy_program", "privilege",
			"server_side_file", "remote", "transaction_control", "parse_error"} {
			m[f] = slices.Contains(trueFacts, f)
		}
		return m
	}
	shellFacts := func(trueFacts ...string) map[string]any {
		m := map[string]any{}
		for _, f := range []string{"destructive", "infra_change", "privilege", "network_egress", "reads_secrets", "dynamic", "opaque", "parse_error"} {
			m[f] = slices.Contains(trueFacts, f)
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		kind   countersign.ActionKind
		facts  map[string]map[string]any
		want   countersign.Effect
		rule   string
		quorum int
	}{
		{"read", "sql", map[string]map[string]any{"sql": sqlFacts("read_only")}, countersign.EffectAllow, "db-read", 0},
		{"export", "sql", map[string]map[string]any{"sql": sqlFacts("is_export")}, countersign.EffectReview, "db-export", 2},
		{"grant", "sql", map[string]map[string]any{"sql": sqlFacts("privilege", "writes")}, countersign.EffectReview, "db-privilege", 2},
		{"drop", "sql", map[string]map[string]any{"sql": sqlFacts("destructive", "writes", "ddl")}, countersign.EffectReview, "db-destructive", 1},
		{"update", "sql", map[string]map[string]any{"sql": sqlFacts("writes")}, countersign.EffectReview, "default", 1},
		{"copy program", "sql", map[string]map[string]any{"sql": sqlFacts("copy_program", "is_export")}, countersign.EffectDeny, "db-copy-program", 0},
		{"garbage", "sql", map[string]map[string]any{"sql": sqlFacts("parse_error", "copy_program", "writes")}, countersign.EffectDeny, "db-unparsable", 0},
		{"ls", "shell", map[string]map[string]any{"shell": shellFacts()}, countersign.EffectAllow, "shell-harmless", 0},
		{"rm -rf", "shell", map[string]map[string]any{"shell": shellFacts("destructive")}, countersign.EffectReview, "shell-destructive", 1},
		{"exfil", "shell", map[string]map[string]any{"shell": shellFacts("reads_secrets", "network_egress")}, countersign.EffectDeny, "shell-secret-egress", 0},
		{"$X", "shell", map[string]map[string]any{"shell": shellFacts("dynamic")}, countersign.EffectReview, "shell-dynamic", 1},
		{"./deploy.sh", "shell", map[string]map[string]any{"shell": shellFacts("opaque", "dynamic", "reads_secrets", "network_egress", "destructive")},
			countersign.EffectReview, "shell-opaque", 1},
		{"trusted read", "mcp.tool", map[string]map[string]any{"mcp": {"read_only": true, "destructive": false}}, countersign.EffectAllow, "mcp-read-only", 0},
		{"untrusted", "mcp.tool", map[string]map[string]any{"mcp": {"read_only": false, "destructive": true}}, countersign.EffectReview, "mcp-destructive", 1},
	} {
		in := Input{Action: countersign.Action{Kind: tc.kind, Agent: "bot", Payload: []byte(`{}`)}, Payload: map[string]any{}, Facts: tc.facts}
		d := p.Evaluate(in)
		if d.Effect != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.name, d.Effect, d.Reasons, tc.want)
			continue
		}
		if tc.want == countersign.EffectReview {
			i := slices.IndexFunc(d.Review.Thresholds, func(th countersign.Threshold) bool { return th.Rule == tc.rule })
			if i < 0 || d.Review.Thresholds[i].MinApprovals != tc.quorum {
				t.Errorf("%s: thresholds %+v, want %s needing %d", tc.name, d.Review.Thresholds, tc.rule, tc.quorum)
			}
		} else if !slices.Contains(d.Rules, tc.rule) {
			t.Errorf("%s: rules %v, want %s", tc.name, d.Rules, tc.rule)
		}
	}
}
