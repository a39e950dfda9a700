package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/countersign/countersign/dlp"
)

const dlpPolicy = `version: 1
include: [pack:recommended]
dlp:
  default: redact
  mask: {EMAIL: hash, PAYMENT_CARD: partial}
  disable: [twilio-key]
  min_confidence: 0.4
  timeout: 2s
  detectors:
    - name: employee-id
      type: EMPLOYEE_ID
      regex: '\bEMP-[0-9]{8}\b'
    - {name: codenames, type: CODENAME, dictionary: [bluebird], context: [project], required: true}
  columns:
    - {match: hr.salary*, type: SALARY}
rules: []
`

func TestDLPSection(t *testing.T) {
	t.Parallel()
	p, err := Parse("dlp.yaml", []byte(dlpPolicy))
	if err != nil {
		t.Fatal(err)
	}
	c := p.DLP()
	if c.Mask[dlp.Email] != dlp.Hash || c.MinConfidence != 0.4 || len(c.Detectors) != 2 || c.Timeout.Seconds() != 2 {
		t.Fatalf("config %+v", c)
	}
	m, err := c.Build([]byte("a-test-key-of-at-least-16-bytes"))
	if err != nil {
		t.Fatal(err)
	}
	out, counts, err := m.Mask(context.Background(), []byte("EMP-12345678 on project bluebird; card 4111 1111 1111 1111; the garden was quiet all morning until a bluebird sang"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[EMPLOYEE_ID] on project [CODENAME]; card ***************1111; the garden was quiet all morning until a bluebird sang"
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if counts["CODENAME"] != 1 || counts[dlp.PaymentCard] != 1 {
		t.Errorf("counts %v", counts)
	}
	if _, err := c.Build(nil); err == nil {
		t.Error("hash without a key built")
	}
}

func TestDLPSectionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ section, want string }{
		{"dlp: {default: shred}", `unknown strategy "shred"`},
		{"dlp: {mask: {EMAIL: [redact]}}", "dlp.mask.EMAIL must be a string"},
		{"dlp: {colour: red}", `dlp: unknown key "colour"`},
		{"dlp: {min_confidence: 1.5}", "between 0 and 1"},
		{"dlp: {disable: [nope]}", `no built-in detector or type named "nope"`},
		{"dlp: {detectors: [{name: x, type: X, regex: '[0-9]+'}]}", "needs keywords"},
		{"dlp: {detectors: [{name: x, type: X, regex: 'AB(C', keywords: [AB]}]}", "missing closing )"},
		{"dlp: {detectors: [{name: x, type: X, regex: ABC, flavour: y}]}", `unknown key "flavour"`},
		{"dlp: {columns: [{match: '[', type: X}]}", "bad pattern"},
		{"dlp: {timeout: soon}", "not a duration"},
	} {
		_, err := Parse("p.yaml", []byte("version: 1\n"+tc.section+"\nrules: []\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.section, err, tc.want)
		}
	}
}
