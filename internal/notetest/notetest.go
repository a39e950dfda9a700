// Package notetest makes signed-note keys for tests.
package notetest

import (
	"crypto/rand"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Keys returns a new Ed25519 note signer named name and its verifier.
func Keys(t testing.TB, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}
