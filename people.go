package countersign

import "strings"

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

// ByEmail returns the person with that email (case-insensitive).
func (ps People) ByEmail(email string) (Person, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.Email, email) {
			return p, true
		}
	}
	return Person{}, false
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
