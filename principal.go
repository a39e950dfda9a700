package countersign

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PrincipalKind says what a principal is.
type PrincipalKind string

// The kinds of principal. Only humans review; only admins manage keys and agents.
const (
	KindAgent PrincipalKind = "agent"
	KindHuman PrincipalKind = "human"
	KindAdmin PrincipalKind = "admin"
)

// Principal is whoever a key names: an agent with its owning human, a human with
// groups, or an admin.
type Principal struct {
	Kind   PrincipalKind `json:"kind"`
	Name   string        `json:"name"`
	Owner  string        `json:"owner,omitempty"`
	Groups []string      `json:"groups,omitempty"`
	// Gateway marks an agent key held by a Countersign way in that talks to
	// MCP servers itself (countersign mcp, run where the agent cannot read
	// its key): the tool annotations it submits are the ones the server
	// advertised, and policy believes them for trusted servers. Admins set
	// it when they create the key.
	Gateway bool `json:"gateway,omitempty"`
}

// String returns "kind:name".
func (p Principal) String() string { return string(p.Kind) + ":" + p.Name }

// InGroup reports whether the principal's key names group g.
func (p Principal) InGroup(g string) bool { return slices.Contains(p.Groups, g) }

// Normalize trims every name and lower-cases emails (a human's name, an
// agent's owner), so that separation of duties compares like with like.
func (p Principal) Normalize() Principal {
	p.Name = strings.TrimSpace(p.Name)
	p.Owner = strings.ToLower(strings.TrimSpace(p.Owner))
	if p.Kind == KindHuman {
		p.Name = strings.ToLower(p.Name)
	}
	if p.Groups != nil {
		gs := make([]string, 0, len(p.Groups))
		for _, g := range p.Groups {
			gs = append(gs, strings.TrimSpace(g))
		}
		p.Groups = gs
	}
	return p
}

// isEmail reports whether s has the shape local@domain with no spaces or
// control characters.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// Validate checks the principal's shape: names without surrounding spaces,
// humans and agents' owners named by email.
func (p Principal) Validate() error {
	if strings.TrimSpace(p.Name) == "" || len(p.Name) > 256 {
		return Errorf(EInvalid, "principal name must be 1 to 256 characters")
	}
	if strings.TrimSpace(p.Name) != p.Name {
		return Errorf(EInvalid, "principal name %q has surrounding spaces", p.Name)
	}
	for _, s := range append([]string{p.Name, p.Owner}, p.Groups...) {
		if !utf8.ValidString(s) {
			return Errorf(EInvalid, "principal names and groups must be valid UTF-8")
		}
	}
	for _, g := range p.Groups {
		if strings.TrimSpace(g) == "" || strings.TrimSpace(g) != g {
			return Errorf(EInvalid, "group %q must be a non-empty name without surrounding spaces", g)
		}
	}
	if p.Gateway && p.Kind != KindAgent {
		return Errorf(EInvalid, "only agent keys can be gateway keys")
	}
	switch p.Kind {
	case KindAgent:
		if strings.TrimSpace(p.Owner) == "" {
			return Errorf(EInvalid, "an agent needs an owner")
		}
		if !isEmail(p.Owner) {
			return Errorf(EInvalid, "an agent's owner is a human's email, not %q", p.Owner)
		}
		if p.Owner == p.Name {
			return Errorf(EInvalid, "an agent cannot own itself")
		}
		if len(p.Groups) > 0 {
			return Errorf(EInvalid, "agents have no groups")
		}
	case KindHuman:
		if p.Owner != "" {
			return Errorf(EInvalid, "a human has no owner")
		}
		if !isEmail(p.Name) {
			return Errorf(EInvalid, "a human is named by email, not %q", p.Name)
		}
	case KindAdmin:
		if p.Owner != "" || len(p.Groups) > 0 {
			return Errorf(EInvalid, "an admin has no owner or groups")
		}
	default:
		return Errorf(EInvalid, "unknown principal kind %q", p.Kind)
	}
	return nil
}

// Key is an API key as stored: only its hash, never the secret.
type Key struct {
	ID        string     `json:"id"`
	Hash      string     `json:"-"`
	Principal Principal  `json:"principal"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
