package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/countersign/countersign"
)

// FuzzParse checks that Parse never panics, that everything it refuses is
// reported as *Error values carrying policy_invalid, and that what it
// accepts evaluates without panicking to a known effect and parses again
// from its own source to the same digest.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus in testdata: %v", err)
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, name := range Packs() {
		src, _ := PackSource(name)
		f.Add(src)
	}
	f.Add([]byte("version: 1\nrules:\n  - name: a\n    match: action.kind ==\n    effect: deny\n"))
	f.Add([]byte("version: 1\nrules: [{name: a, match: 'true', effect: review, review: &x {approvers: [any_human]}}]\n"))
	f.Add([]byte("version: 1\ngroups: {g: []}\nrules: [{name: a, match: 'true', effect: review, review: {approvers: [group:g]}}]\n"))

	inputs := []Input{
		benchInput(),
		{Action: countersign.Action{Kind: "custom", Payload: json.RawMessage(`{}`)}},
		{Action: countersign.Action{Kind: "shell", Payload: json.RawMessage(`not json`)}},
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Parse("fuzz.yaml", src)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned a policy and an error")
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "fuzz.yaml" {
				t.Fatalf("error %v (%T) is not a *policy.Error for fuzz.yaml", err, err)
			}
			if countersign.ErrorCode(err) != countersign.EPolicyInvalid {
				t.Fatalf("ErrorCode = %q, want %q", countersign.ErrorCode(err), countersign.EPolicyInvalid)
			}
			return
		}
		for _, in := range inputs {
			d := p.Evaluate(in)
			switch d.Effect {
			case countersign.EffectAllow, countersign.EffectDeny:
				if d.Review != nil {
					t.Fatalf("%s decision with a review requirement", d.Effect)
				}
			case countersign.EffectReview:
				if d.Review == nil || len(d.Review.Thresholds) == 0 {
					t.Fatal("review decision without thresholds")
				}
				for _, th := range d.Review.Thresholds {
					if th.MinApprovals < 1 || len(th.Approvers) == 0 || th.ApprovedBy == nil {
						t.Fatalf("threshold %+v can never be met or is malformed", th)
					}
				}
			default:
				t.Fatalf("unknown effect %q", d.Effect)
			}
		}
		again, err := Parse("again.yaml", p.Source())
		if err != nil || again.Digest() != p.Digest() {
			t.Fatalf("reparse of the source: %v, digest %v vs %v", err, again, p.Digest())
		}
	})
}
