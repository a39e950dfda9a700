package countersign

import (
	"strings"
	"testing"
)

func TestPrincipalValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		p       Principal
		wantErr string // substring; "" for valid
	}{
		{"agent", Principal{Kind: KindAgent, Name: "etl-bot", Owner: "alice@example.com"}, ""},
		{"agent without owner", Principal{Kind: KindAgent, Name: "etl-bot"}, "an agent needs an owner"},
		{"agent blank owner", Principal{Kind: KindAgent, Name: "etl-bot", Owner: " "}, "an agent needs an owner"},
		{"agent owns itself", Principal{Kind: KindAgent, Name: "bot@example.com", Owner: "bot@example.com"}, "cannot own itself"},
		{"owner is not an email", Principal{Kind: KindAgent, Name: "bot", Owner: "olive"}, "owner is a human's email"},
		{"human is not an email", Principal{Kind: KindHuman, Name: "dana"}, "named by email"},
		{"human email with a space", Principal{Kind: KindHuman, Name: "dana @example.com"}, "named by email"},
		{"name with surrounding spaces", Principal{Kind: KindHuman, Name: " dana@example.com"}, "surrounding spaces"},
		{"blank group", Principal{Kind: KindHuman, Name: "dana@example.com", Groups: []string{" "}}, "group"},
		{"agent with groups", Principal{Kind: KindAgent, Name: "bot", Owner: "alice@example.com", Groups: []string{"dba"}}, "agents have no groups"},
		{"human", Principal{Kind: KindHuman, Name: "dana@example.com"}, ""},
		{"human with groups", Principal{Kind: KindHuman, Name: "dana@example.com", Groups: []string{"dba", "sre"}}, ""},
		{"human with owner", Principal{Kind: KindHuman, Name: "dana@example.com", Owner: "alice@example.com"}, "a human has no owner"},
		{"admin", Principal{Kind: KindAdmin, Name: "root"}, ""},
		{"admin with owner", Principal{Kind: KindAdmin, Name: "root", Owner: "alice@example.com"}, "an admin has no owner or groups"},
		{"admin with groups", Principal{Kind: KindAdmin, Name: "root", Groups: []string{"dba"}}, "an admin has no owner or groups"},
		{"empty name", Principal{Kind: KindHuman, Name: ""}, "principal name must be 1 to 256 characters"},
		{"blank name", Principal{Kind: KindHuman, Name: " \t"}, "principal name must be 1 to 256 characters"},
		{"name at limit", Principal{Kind: KindHuman, Name: strings.Repeat("a", 244) + "@example.com"}, ""},
		{"name over limit", Principal{Kind: KindHuman, Name: strings.Repeat("a", 257)}, "principal name must be 1 to 256 characters"},
		{"unknown kind", Principal{Kind: "robot", Name: "r2"}, `unknown principal kind "robot"`},
		{"missing kind", Principal{Name: "r2"}, `unknown principal kind ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate(%+v) = %v, want nil", tt.p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want error containing %q", tt.p, tt.wantErr)
			}
			if got := ErrorCode(err); got != EInvalid {
				t.Errorf("ErrorCode = %q, want %q", got, EInvalid)
			}
			if got := ErrorMessage(err); !strings.Contains(got, tt.wantErr) {
				t.Errorf("message = %q, want it to contain %q", got, tt.wantErr)
			}
		})
	}
}

func TestPrincipalStringAndGroups(t *testing.T) {
	t.Parallel()
	p := Principal{Kind: KindHuman, Name: "dana@example.com", Groups: []string{"dba"}}
	if got, want := p.String(), "human:dana@example.com"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	tests := []struct {
		group string
		want  bool
	}{{"dba", true}, {"sre", false}, {"DBA", false}, {"", false}}
	for _, tt := range tests {
		if got := p.InGroup(tt.group); got != tt.want {
			t.Errorf("InGroup(%q) = %v, want %v", tt.group, got, tt.want)
		}
	}
}

// Normalize makes names comparable: trimmed, and emails lower-cased.
func TestPrincipalNormalize(t *testing.T) {
	t.Parallel()
	got := Principal{Kind: KindHuman, Name: "  Dana@Example.COM ", Groups: []string{" dba "}}.Normalize()
	if got.Name != "dana@example.com" || got.Groups[0] != "dba" {
		t.Errorf("Normalize(human) = %+v", got)
	}
	a := Principal{Kind: KindAgent, Name: " Report-Bot ", Owner: " Olive@Example.com"}.Normalize()
	if a.Name != "Report-Bot" || a.Owner != "olive@example.com" {
		t.Errorf("Normalize(agent) = %+v, want name trimmed (case kept) and owner lower-cased", a)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("normalized agent: %v", err)
	}
}
