package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestEvidenceKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "evidence.key")
	noEnv := func(string) (string, bool) { return "", false }
	k, created, err := loadEvidenceKey(path, "countersign/test", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !created || k.Origin() != "countersign/test" {
		t.Fatalf("first load: %v created %v origin %q", err, created, k.Origin())
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v, want 0600", st.Mode(), err)
	}
	again, created, err := loadEvidenceKey(path, "ignored", noEnv)
	if err != nil || created || again.verifier != k.verifier {
		t.Fatalf("second load: %v created %v, verifier %q want %q", err, created, again.verifier, k.verifier)
	}
	// The derived verifier key checks what the signer signs.
	msg, err := note.Sign(&note.Note{Text: "countersign/test\n1\nAAAA\n"}, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("verifier key does not verify the signer's note: %v", err)
	}
	// The environment wins over the file.
	skey, vkey, _ := note.GenerateKey(nil, "countersign/env")
	fromEnv, _, err := loadEvidenceKey(path, "x", func(k string) (string, bool) { return skey, k == EnvEvidenceKey })
	if err != nil || fromEnv.verifier != vkey {
		t.Fatalf("env key: %v, verifier %q want %q", err, fromEnv.verifier, vkey)
	}
	if _, err := parseEvidenceKey("not a key"); err == nil || !strings.Contains(err.Error(), "PRIVATE+KEY") {
		t.Fatalf("bad key: %v", err)
	}
}

// Key data in base64 often holds "+", the note key separator.
func TestParseEvidenceKeyAnyBase64(t *testing.T) {
	t.Parallel()
	plus := 0
	for range 200 {
		skey, vkey, err := note.GenerateKey(nil, "countersign/test")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(skey, "+") > 4 {
			plus++
		}
		k, err := parseEvidenceKey(skey)
		if err != nil || k.verifier != vkey {
			t.Fatalf("parse %s: %v, verifier %q want %q", skey, err, k.verifier, vkey)
		}
	}
	if plus == 0 {
		t.Fatal("no generated key had a + in its data; the case is untested")
	}
}
