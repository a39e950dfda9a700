package countersign

import (
	"slices"
	"strings"
	"time"
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
}

// String returns "kind:name".
func (p Principal) String() string { return string(p.Kind) + ":" + p.Name }

// InGroup reports whether the principal's key names group g.
func (p Principal) InGroup(g string) bool { return slices.Contains(p.Groups, g) }

// Validate checks the principal's shape.
func (p Principal) Validate() error {
	if strings.TrimSpace(p.Name) == "" || len(p.Name) > 256 {
		return Errorf(EInvalid, "principal name must be 1 to 256 characters")
	}
	switch p.Kind {
	case KindAgent:
		if strings.TrimSpace(p.Owner) == "" {
			return Errorf(EInvalid, "an agent needs an owner")
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
