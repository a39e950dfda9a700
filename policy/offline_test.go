package policy_test

import (
	"slices"
	"strings"
	"testing"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/policy"
)

func TestOfflineAllow(t *testing.T) {
	p, err := policy.Parse("p.yaml", []byte("version: 1\ndefault: deny\noffline_allow: [custom, http, custom]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.OfflineAllow(); !slices.Equal(got, []countersign.ActionKind{countersign.ActionCustom, countersign.ActionHTTP}) {
		t.Fatalf("offline_allow %v", got)
	}
	p, err = policy.Parse("p.yaml", []byte("version: 1\ndefault: deny\n"))
	if err != nil || len(p.OfflineAllow()) != 0 {
		t.Fatalf("default: %v %v, want none", p.OfflineAllow(), err)
	}
	if _, err := policy.Parse("p.yaml", []byte("version: 1\noffline_allow: [shel]\n")); err == nil || !strings.Contains(err.Error(), `unknown kind "shel"`) {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := policy.Parse("p.yaml", []byte("version: 1\noffline_allow: shell\n")); err == nil {
		t.Fatal("a scalar offline_allow was accepted")
	}
}
