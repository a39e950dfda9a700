package webhook

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"

	countersign "github.com/countersign/countersign"
)

// Kind is the channel kind of webhook notify targets ("webhook:NAME").
const Kind = "webhook"

// Integration is one configured webhook endpoint: where its events go, the
// secret both directions are signed with, and which reviewers it may
// submit reviews for. Its String, GoString and LogValue hide the secret,
// and it is never marshalled to JSON.
type Integration struct {
	// Name is what policies name it by: notify: [webhook:NAME].
	Name string `yaml:"name" json:"name"`
	// URL receives the events (http or https).
	URL string `yaml:"url" json:"url"`
	// Secret is "whsec_" and the standard base64 of at least 16 random bytes.
	Secret string `yaml:"secret" json:"-"`
	// SubmitFor lists whom the integration may review for: "any_human"
	// (every person of the directory) or "group:NAME" (the people of
	// that group). Empty: it only receives events.
	SubmitFor []string `yaml:"submit_for" json:"submit_for,omitempty"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Validate checks the integration's fields. Errors are EInvalid and name
// the integration, never its secret or URL (which may hold a token).
func (i Integration) Validate() error {
	if !nameRE.MatchString(i.Name) {
		return countersign.Errorf(countersign.EInvalid,
			"webhook name %q must be 1 to 64 of a-z, 0-9, _ and -, starting with a letter or digit", i.Name)
	}
	u, err := url.Parse(i.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return countersign.Errorf(countersign.EInvalid, "webhook %s: url must be an absolute http or https URL", i.Name)
	}
	if _, err := decodeSecret(i.Secret); err != nil {
		return countersign.Errorf(countersign.EInvalid,
			"webhook %s: secret must be %q followed by the standard base64 of at least %d random bytes", i.Name, SecretPrefix, MinSecretBytes)
	}
	for _, s := range i.SubmitFor {
		g, isGroup := strings.CutPrefix(s, "group:")
		switch {
		case s == countersign.AnyHuman:
		case isGroup && g != "" && strings.TrimSpace(g) == g:
		default:
			return countersign.Errorf(countersign.EInvalid,
				"webhook %s: submit_for entry %q must be %q or group:NAME", i.Name, s, countersign.AnyHuman)
		}
	}
	return nil
}

// ValidateAll validates every integration and refuses two with one name.
func ValidateAll(list []Integration) error {
	seen, secrets := map[string]bool{}, map[string]string{}
	for _, i := range list {
		if err := i.Validate(); err != nil {
			return err
		}
		if seen[i.Name] {
			return countersign.Errorf(countersign.EInvalid, "webhook %s is configured twice", i.Name)
		}
		seen[i.Name] = true
		// The signature does not cover the integration's name: with one
		// secret, a review signed for one could be replayed to the other.
		if other, ok := secrets[i.Secret]; ok {
			return countersign.Errorf(countersign.EInvalid, "webhooks %s and %s share a secret; give each its own", other, i.Name)
		}
		secrets[i.Secret] = i.Name
	}
	return nil
}

// SpeaksFor reports whether the integration may submit reviews for p: its
// SubmitFor holds "any_human", or "group:G" with G among p's groups.
func (i Integration) SpeaksFor(p countersign.Person) bool {
	for _, s := range i.SubmitFor {
		if s == countersign.AnyHuman {
			return true
		}
		if g, ok := strings.CutPrefix(s, "group:"); ok && g != "" && slices.Contains(p.Groups, g) {
			return true
		}
	}
	return false
}

// String describes the integration without its secret.
func (i Integration) String() string {
	return fmt.Sprintf("webhook %s (submit_for %v)", i.Name, i.SubmitFor)
}

// GoString is String, so that %#v hides the secret too.
func (i Integration) GoString() string { return i.String() }

// LogValue hides the secret (and the URL, which may hold a token) from slog.
func (i Integration) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", i.Name), slog.Any("submit_for", i.SubmitFor))
}

// byName indexes integrations by name; the first of a name wins
// (ValidateAll refuses duplicates).
func byName(list []Integration) map[string]Integration {
	m := make(map[string]Integration, len(list))
	for _, i := range list {
		if _, dup := m[i.Name]; !dup {
			i.SubmitFor = slices.Clone(i.SubmitFor)
			m[i.Name] = i
		}
	}
	return m
}
