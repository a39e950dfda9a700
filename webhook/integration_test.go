package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := webhook.Integration{Name: "siem", URL: "https://siem.example.com/hooks/countersign", Secret: testSecret,
		SubmitFor: []string{"group:sre", "any_human"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*webhook.Integration){
		"empty name":           func(i *webhook.Integration) { i.Name = "" },
		"upper-case name":      func(i *webhook.Integration) { i.Name = "SIEM" },
		"name with a colon":    func(i *webhook.Integration) { i.Name = "a:b" },
		"name starting with -": func(i *webhook.Integration) { i.Name = "-a" },
		"name of 65":           func(i *webhook.Integration) { i.Name = strings.Repeat("a", 65) },
		"ftp url":              func(i *webhook.Integration) { i.URL = "ftp://example.com/x" },
		"relative url":         func(i *webhook.Integration) { i.URL = "/hooks" },
		"url without host":     func(i *webhook.Integration) { i.URL = "https:///x" },
		"no secret":            func(i *webhook.Integration) { i.Secret = "" },
		"secret sans prefix":   func(i *webhook.Integration) { i.Secret = strings.TrimPrefix(testSecret, "whsec_") },
		"short secret":         func(i *webhook.Integration) { i.Secret = "whsec_AAECAwQFBgcICQoLDA0O" },
		"bad submit_for":       func(i *webhook.Integration) { i.SubmitFor = []string{"sre"} },
		"empty group":          func(i *webhook.Integration) { i.SubmitFor = []string{"group:"} },
		"email in submit_for":  func(i *webhook.Integration) { i.SubmitFor = []string{"dana@example.com"} },
	} {
		i := ok
		mod(&i)
		err := i.Validate()
		if countersign.ErrorCode(err) != countersign.EInvalid {
			t.Errorf("%s: %v, want invalid_argument", name, err)
			continue
		}
		if strings.Contains(err.Error(), strings.TrimPrefix(testSecret, "whsec_")) {
			t.Errorf("%s: error %q shows the secret", name, err)
		}
	}
	long := ok
	long.Name = strings.Repeat("a", 64)
	if err := long.Validate(); err != nil {
		t.Errorf("64-character name: %v", err)
	}
	if err := webhook.ValidateAll([]webhook.Integration{ok, ok}); countersign.ErrorCode(err) != countersign.EInvalid {
		t.Errorf("two integrations of one name: %v", err)
	}
	other := ok
	other.Name = "oncall"
	if err := webhook.ValidateAll([]webhook.Integration{ok, other}); countersign.ErrorCode(err) != countersign.EInvalid {
		t.Errorf("two integrations sharing a secret: %v", err)
	}
	other.Secret = otherSecret
	if err := webhook.ValidateAll([]webhook.Integration{ok, other}); err != nil {
		t.Error(err)
	}
}

func TestSpeaksFor(t *testing.T) {
	t.Parallel()
	sam := countersign.Person{Email: "sam@example.com", Groups: []string{"sre"}}
	dave := countersign.Person{Email: "dave@example.com", Groups: []string{"dba"}}
	sre := webhook.Integration{SubmitFor: []string{"group:sre"}}
	anyone := webhook.Integration{SubmitFor: []string{"any_human"}}
	none := webhook.Integration{}
	for _, c := range []struct {
		i    webhook.Integration
		p    countersign.Person
		want bool
	}{{sre, sam, true}, {sre, dave, false}, {anyone, dave, true}, {none, sam, false}} {
		if got := c.i.SpeaksFor(c.p); got != c.want {
			t.Errorf("%v speaks for %s: %v, want %v", c.i.SubmitFor, c.p.Email, got, c.want)
		}
	}
}

// TestSecretNotShown checks that printing, logging or marshalling an
// integration never shows its secret.
func TestSecretNotShown(t *testing.T) {
	t.Parallel()
	i := webhook.Integration{Name: "siem", URL: "https://siem.example.com/h?token=t0k3n", Secret: testSecret,
		SubmitFor: []string{"group:sre"}}
	key := strings.TrimPrefix(testSecret, "whsec_")
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out = append(out, fmt.Sprintf(f, i), fmt.Sprintf(f, &i), fmt.Sprintf(f, []webhook.Integration{i}))
	}
	j, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configured", "webhook", i)
	out = append(out, buf.String())
	for _, s := range out {
		if strings.Contains(s, key) {
			t.Errorf("%s shows the secret", s)
		}
	}
	if strings.Contains(buf.String(), "t0k3n") {
		t.Errorf("log %s shows the URL's token", buf.String())
	}
}
