package countersign

import (
	"fmt"
	"strings"
)

// Person is a human reviewer as the deployment's configuration knows them:
// the email that names their principal, their groups, and their ids on
// approval channels.
type Person struct {
	Email  string   `yaml:"email" json:"email"`
	Groups []string `yaml:"groups" json:"groups,omitempty"`
	// Slack is their Slack user id (U0123ABCD), when it is not found from
	// their verified email.
	Slack string `yaml:"slack" json:"slack,omitempty"`
}

// People is the directory of reviewers channels map their users to.
type People []Person

// Principal returns the human principal of p.
func (p Person) Principal() Principal {
	return Principal{Kind: KindHuman, Name: strings.ToLower(p.Email), Groups: p.Groups}
}

// ByEmail returns the person with that email, compared ASCII
// case-insensitively (not Unicode folding, under which "ſ" would be "s").
func (ps People) ByEmail(email string) (Person, bool) {
	for _, p := range ps {
		if asciiEqualFold(p.Email, email) {
			return p, true
		}
	}
	return Person{}, false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Validate refuses a directory in which a lookup could be ambiguous: an
// entry without a valid email, or an email or Slack id listed twice.
func (ps People) Validate() error {
	emails, slacks := map[string]bool{}, map[string]bool{}
	for i, p := range ps {
		if err := p.Principal().Validate(); err != nil || !strings.Contains(p.Email, "@") {
			return fmt.Errorf("people[%d]: email %q is not a valid reviewer name", i, p.Email)
		}
		e := strings.ToLower(p.Email)
		if emails[e] {
			return fmt.Errorf("people[%d]: %s is listed twice", i, p.Email)
		}
		emails[e] = true
		if p.Slack != "" {
			if slacks[p.Slack] {
				return fmt.Errorf("people[%d]: Slack id %s is listed twice", i, p.Slack)
			}
			slacks[p.Slack] = true
		}
	}
	return nil
}

// BySlackID returns the person with that Slack user id.
func (ps People) BySlackID(id string) (Person, bool) {
	for _, p := range ps {
		if p.Slack != "" && p.Slack == id {
			return p, true
		}
	}
	return Person{}, false
}
