package countersign

import (
	"strings"
	"testing"
)

func TestPeople(t *testing.T) {
	t.Parallel()
	ps := People{{Email: "Dana@Example.com", Groups: []string{"sre"}, Slack: "UDANA"}, {Email: "sam@example.com"}}
	if err := ps.Validate(); err != nil {
		t.Fatal(err)
	}
	if p, ok := ps.ByEmail("dana@example.COM"); !ok || p.Principal().Name != "dana@example.com" || !p.Principal().InGroup("sre") {
		t.Errorf("ByEmail: %+v %v", p, ok)
	}
	if _, ok := ps.ByEmail("\u017fam@example.com"); ok {
		t.Error("ByEmail folded the long s to s")
	}
	if p, ok := ps.BySlackID("UDANA"); !ok || p.Email != "Dana@Example.com" {
		t.Errorf("BySlackID: %+v %v", p, ok)
	}
	for _, tc := range []struct {
		ps   People
		want string
	}{
		{People{{Email: "a@x.io"}, {Email: "A@x.io"}}, "listed twice"},
		{People{{Email: "a@x.io", Slack: "U1"}, {Email: "b@x.io", Slack: "U1"}}, "Slack id U1 is listed twice"},
		{People{{Email: ""}}, "not a valid reviewer name"},
		{People{{Email: "no-at-sign"}}, "not a valid reviewer name"},
	} {
		if err := tc.ps.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.ps, err, tc.want)
		}
	}
}
