package ledger

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign"
)

// cloneBundle copies b deeply enough that tampering with it leaves b alone.
func cloneBundle(b *Bundle) *Bundle {
	c := *b
	c.Leaves = slices.Clone(b.Leaves)
	c.Prefix = [][]byte{}
	for _, h := range b.Prefix {
		c.Prefix = append(c.Prefix, slices.Clone(h))
	}
	c.Manifest.PolicyDigests = slices.Clone(b.Manifest.PolicyDigests)
	return &c
}

// editLeaf re-encodes the leaf at line (1-based) after edit changes its
// event, so that it is still a valid, canonical leaf with its index.
func editLeaf(t *testing.T, b *Bundle, line int, edit func(*countersign.Event)) {
	t.Helper()
	idx, e, err := ParseLeaf(b.Leaves[line-1])
	if err != nil {
		t.Fatal(err)
	}
	edit(&e)
	l, err := Leaf(idx, e)
	if err != nil {
		t.Fatal(err)
	}
	b.Leaves[line-1] = l
}

// lineOf returns the 1-based line of the first leaf of type typ for id.
func lineOf(t *testing.T, b *Bundle, id, typ string) int {
	t.Helper()
	for i, l := range b.Leaves {
		_, e, err := ParseLeaf(l)
		if err != nil {
			t.Fatal(err)
		}
		if e.ActionID == id && e.Type == typ {
			return i + 1
		}
	}
	t.Fatalf("no %s for %s", typ, id)
	return 0
}

func TestVerifyBundleTamper(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	other, _, otherKey := bundleKeys(t, "another key")
	tests := []struct {
		name   string
		tamper func(t *testing.T, b *Bundle)
		want   string
	}{
		{"edited event", func(t *testing.T, b *Bundle) {
			editLeaf(t, b, lineOf(t, b, "req_01b", countersign.EventReviewed), func(e *countersign.Event) {
				e.Data = bytes.Replace(e.Data, []byte("too broad"), []byte("looks fine"), 1)
			})
		}, "events.jsonl: the events do not give checkpoints/last's root"},
		{"deleted event", func(t *testing.T, b *Bundle) { b.Leaves = slices.Delete(b.Leaves, 4, 5) }, "events.jsonl:5: leaf index 19, want 18"},
		{"deleted last event", func(t *testing.T, b *Bundle) { b.Leaves = b.Leaves[:len(b.Leaves)-1] }, "events.jsonl: 20 events, want 21"},
		{"swapped events", func(t *testing.T, b *Bundle) { b.Leaves[2], b.Leaves[3] = b.Leaves[3], b.Leaves[2] }, "events.jsonl:3: leaf index 17, want 16"},
		{"inserted event", func(t *testing.T, b *Bundle) { b.Leaves = slices.Insert(b.Leaves, 6, b.Leaves[5]) }, "events.jsonl:7: leaf index 19, want 20"},
		{"appended event", func(t *testing.T, b *Bundle) { b.Leaves = append(b.Leaves, b.Leaves[0]) }, "events.jsonl:22: leaf index 14, want 35"},
		{"non-canonical event", func(t *testing.T, b *Bundle) {
			b.Leaves[1] = bytes.Replace(b.Leaves[1], []byte(`{"action"`), []byte(`{ "action"`), 1)
		}, "events.jsonl:2: parse leaf: not in canonical form"},
		{"last checkpoint by another key", func(t *testing.T, b *Bundle) {
			c, _ := ParseCheckpoint(f.bundle.Last[:bytes.Index(f.bundle.Last, []byte("\n\n"))+1])
			b.Last, _ = Sign(other, c)
		}, "checkpoints/last: open checkpoint"},
		{"first checkpoint by another key", func(t *testing.T, b *Bundle) {
			c, _ := ParseCheckpoint(f.bundle.First[:bytes.Index(f.bundle.First, []byte("\n\n"))+1])
			b.First, _ = Sign(other, c)
		}, "checkpoints/first: open checkpoint"},
		{"manifest verifier key", func(t *testing.T, b *Bundle) { b.Manifest.VerifierKey = otherKey }, "manifest.json: verifier_key " + otherKey + " is not the verify key"},
		{"manifest format", func(t *testing.T, b *Bundle) { b.Manifest.Format = "countersign-evidence/v0" }, `manifest.json: format "countersign-evidence/v0"`},
		{"manifest sizes", func(t *testing.T, b *Bundle) { b.Manifest.FirstSize-- }, "checkpoints/first: size 14, the manifest says 13"},
		{"manifest counts", func(t *testing.T, b *Bundle) { b.Manifest.Counts.Approved++ }, "manifest.json: counts {Events:21 Actions:4 Approved:3"},
		{"manifest policy digests", func(t *testing.T, b *Bundle) { b.Manifest.PolicyDigests = []string{policyV1} }, "manifest.json: policy_digests"},
		{"prefix hash", func(t *testing.T, b *Bundle) { b.Prefix[0][0] ^= 1 }, "proofs/prefix: the hashes fold to root"},
		{"prefix too short", func(t *testing.T, b *Bundle) { b.Prefix = b.Prefix[1:] }, "proofs/prefix: range of size 14 has 2 hashes, want 3"},
		{"consistency proof", func(t *testing.T, b *Bundle) {
			b.Consistency = slices.Clone(b.Consistency)
			b.Consistency[0] = make([]byte, HashSize)
		}, "proofs/consistency: verify consistency from size 14 to 35"},
		{"after without proof", func(t *testing.T, b *Bundle) { b.After = f.bundle.First }, "checkpoints/after and proofs/after must come together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := cloneBundle(f.bundle)
			tt.tamper(t, b)
			_, err := VerifyBundle(b, f.verifier)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VerifyBundle: err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestVerifyBundleFork: an earlier bundle's checkpoint from a log that
// diverged from this one (a fork, or history rewritten) fails proofs/after.
func TestVerifyBundleFork(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	ctx := context.Background()
	// The fork shares the first 10 leaves, then records a different review.
	forked := slices.Clone(f.leaves[:12])
	_, e, err := ParseLeaf(forked[11])
	if err != nil {
		t.Fatal(err)
	}
	e.Data = json.RawMessage(`{"note":"rewritten"}`)
	if forked[11], err = Leaf(11, e); err != nil {
		t.Fatal(err)
	}
	ft := treeOf(t, forked)
	tests := []struct {
		name  string
		after []byte
		size  uint64
		want  string
	}{
		{"honest", signAt(t, f.tree, f.signer, 12), 12, ""},
		{"forked", signAt(t, ft, f.signer, 12), 12, "proofs/after: checkpoints/after is not consistent with checkpoints/last"},
		{"rolled back", signAt(t, treeOf(t, append(slices.Clone(f.leaves), f.leaves[3])), f.signer, uint64(len(f.leaves)+1)), 0, "checkpoints/after: size 36 is beyond checkpoints/last's size 35"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := cloneBundle(f.bundle)
			b.After, b.AfterProof = tt.after, [][]byte{}
			if tt.size > 0 {
				if b.AfterProof, err = ConsistencyProof(ctx, f.tree, tt.size, f.tree.Size()); err != nil {
					t.Fatal(err)
				}
			}
			_, err := VerifyBundle(b, f.verifier)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("VerifyBundle: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("VerifyBundle: err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestVerifyBundleBinding: a log whose events break the binding rules, signed
// honestly, still fails: the record itself is wrong.
func TestVerifyBundleBinding(t *testing.T) {
	t.Parallel()
	events, first := bundleEvents(t)
	find := func(id, typ string) int {
		for i, e := range events {
			if e.ActionID == id && e.Type == typ {
				return i
			}
		}
		t.Fatalf("no %s for %s", typ, id)
		return 0
	}
	const otherDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	replace := func(id, typ, old, new string) func([]countersign.Event) []countersign.Event {
		return func(es []countersign.Event) []countersign.Event {
			i := find(id, typ)
			es[i].Data = json.RawMessage(strings.Replace(string(es[i].Data), old, new, 1))
			return es
		}
	}
	digestOf := func(id string) string {
		var d struct{ Digest string }
		if err := json.Unmarshal(events[find(id, countersign.EventSubmitted)].Data, &d); err != nil {
			t.Fatal(err)
		}
		return d.Digest
	}
	tests := []struct {
		name   string
		mutate func([]countersign.Event) []countersign.Event
		want   string
	}{
		{"submitted digest", replace("req_01a", countersign.EventSubmitted, "COPY (SELECT id,", "COPY (SELECT *,"), "events.jsonl:2: request req_01a: submitted action: digest"},
		{"executed digest", replace("req_01a", countersign.EventExecuted, digestOf("req_01a"), otherDigest), "events.jsonl:8: request req_01a: action.executed names digest \"" + otherDigest + "\""},
		{"grant digest", replace("req_01d", countersign.EventGrantIssued, digestOf("req_01d"), otherDigest), "request req_01d: grant.issued names digest"},
		{"owner approves", func(es []countersign.Event) []countersign.Event {
			i := find("req_01a", countersign.EventReviewed)
			es[i].Actor = "human:olga@example.com"
			return replace("req_01a", countersign.EventReviewed, "dana@example.com", "olga@example.com")(es)
		}, "events.jsonl:4: request req_01a: olga@example.com reviewed a request of agent report-bot"},
		{"review recorded by the agent", func(es []countersign.Event) []countersign.Event {
			es[find("req_01a", countersign.EventReviewed)].Actor = "agent:report-bot"
			return es
		}, `review by "dana@example.com" recorded by actor "agent:report-bot"`},
		{"executed without grant", func(es []countersign.Event) []countersign.Event {
			i := find("req_01b", countersign.EventRejected)
			ex := es[find("req_01a", countersign.EventExecuted)]
			ex.ActionID = "req_01b"
			ex.Data = json.RawMessage(`{"digest":"` + digestOf("req_01b") + `"}`)
			return slices.Insert(es, i+1, ex)
		}, "request req_01b: action.executed without a grant"},
		{"executed twice", func(es []countersign.Event) []countersign.Event {
			i := find("req_01a", countersign.EventExecuted)
			return slices.Insert(es, i+1, es[i])
		}, "request req_01a: action.executed twice"},
		{"approval lists another reviewer", replace("req_01a", countersign.EventApproved, "dave@example.com", "mallory@example.com"), "request.approved lists approvals"},
		{"executed by another agent", func(es []countersign.Event) []countersign.Event {
			es[find("req_01a", countersign.EventExecuted)].Actor = "agent:other-bot"
			return es
		}, "not the submitting agent"},
		{"grant by an agent", func(es []countersign.Event) []countersign.Event {
			es[find("req_01a", countersign.EventGrantIssued)].Actor = "agent:report-bot"
			return es
		}, "without an allow or an approval"},
		{"approval recorded by someone else", func(es []countersign.Event) []countersign.Event {
			es[find("req_01a", countersign.EventApproved)].Actor = "human:mallory@example.com"
			return es
		}, "not the last approver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			es := tt.mutate(slices.Clone(events))
			f := newFixture(t, leavesOf(t, es), uint64(first))
			_, err := VerifyBundle(f.bundle, f.verifier)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VerifyBundle: err = %v, want %q", err, tt.want)
			}
		})
	}
}

// tarGz writes entries (name, type, body) as a .tar.gz in a temp dir.
func tarGz(t *testing.T, entries []tar.Header, bodies [][]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "b.tar.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for i, h := range entries {
		h.Size = int64(len(bodies[i]))
		if h.Typeflag == tar.TypeSymlink {
			h.Size, bodies[i] = 0, nil
		}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		h.Mode = 0o644
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadBundleRefuses(t *testing.T) {
	t.Parallel()
	f := realisticFixture(t)
	files, err := f.bundle.files()
	if err != nil {
		t.Fatal(err)
	}
	// good returns the bundle's entries with extra appended.
	good := func(extra ...tar.Header) ([]tar.Header, [][]byte) {
		var hs []tar.Header
		var bs [][]byte
		for _, name := range bundleFiles {
			if data, ok := files[name]; ok {
				hs, bs = append(hs, tar.Header{Name: name}), append(bs, data)
			}
		}
		for _, h := range extra {
			hs, bs = append(hs, h), append(bs, []byte("x\n"))
		}
		return hs, bs
	}
	tests := []struct {
		name  string
		extra []tar.Header
		big   bool
		want  string
	}{
		{"dot-dot", []tar.Header{{Name: "../evil"}}, false, `entry "../evil": path leaves the bundle`},
		{"dot-dot inside", []tar.Header{{Name: "proofs/../../evil"}}, false, "path leaves the bundle"},
		{"absolute", []tar.Header{{Name: "/etc/cron.d/evil"}}, false, "absolute"},
		{"unknown", []tar.Header{{Name: "notes.txt"}}, false, `entry "notes.txt": not a file of a bundle`},
		{"duplicate", []tar.Header{{Name: "checkpoints/last"}}, false, `entry "checkpoints/last": duplicate`},
		{"symlink", []tar.Header{{Name: "proofs/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}, false, "not a regular file"},
		{"too big", nil, true, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs, bs := good(tt.extra...)
			if tt.big {
				hs, bs = append(hs[:len(hs)-1], tar.Header{Name: pathControls}), append(bs[:len(bs)-1], make([]byte, maxSmallBytes+1))
			}
			_, err := ReadBundle(tarGz(t, hs, bs))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadBundle: err = %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		t.Parallel()
		hs, bs := good()
		if _, err := ReadBundle(tarGz(t, hs, bs)); err != nil {
			t.Errorf("ReadBundle of the untampered entries: %v", err)
		}
	})
	t.Run("dir with an unknown file", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "b")
		if err := WriteBundle(dir, f.bundle); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "proofs", "extra"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBundle(dir); err == nil || !strings.Contains(err.Error(), "proofs/extra: not a file of a bundle") {
			t.Errorf("ReadBundle: err = %v, want proofs/extra refused", err)
		}
	})
}
