package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// EnvEvidenceKey holds the evidence signing key itself (a note signer key,
// "PRIVATE+KEY+origin+..."), for replicas that must share one key.
const EnvEvidenceKey = "COUNTERSIGN_EVIDENCE_KEY"

// evidenceKey is the key that signs checkpoints; its name is the log's origin.
type evidenceKey struct {
	signer       note.Signer
	verifier     string // the note verifier key, public
	noteVerifier note.Verifier
}

// Origin is the log's origin line, the key's name.
func (k evidenceKey) Origin() string { return k.signer.Name() }

// parseEvidenceKey reads a note signer key and derives its verifier key.
func parseEvidenceKey(skey string) (evidenceKey, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return evidenceKey{}, fmt.Errorf("evidence key: not a note signer key (PRIVATE+KEY+...): %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 || ed25519 seed)>
	// (names cannot hold "+", but base64 can).
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return evidenceKey{}, errors.New("evidence key: not a note signer key (PRIVATE+KEY+...)")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return evidenceKey{}, errors.New("evidence key: only Ed25519 note keys are supported")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return evidenceKey{}, fmt.Errorf("evidence key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return evidenceKey{}, fmt.Errorf("evidence key: %w", err)
	}
	return evidenceKey{signer: signer, verifier: vkey, noteVerifier: v}, nil
}

// loadEvidenceKey returns the signing key from COUNTERSIGN_EVIDENCE_KEY, or
// from path, creating it there (mode 0600) with origin as its name when it
// does not exist yet. created reports a new key.
func loadEvidenceKey(path, origin string, getenv func(string) (string, bool)) (k evidenceKey, created bool, err error) {
	if v, ok := getenv(EnvEvidenceKey); ok && strings.TrimSpace(v) != "" {
		k, err = parseEvidenceKey(v)
		return k, false, err
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return k, false, fmt.Errorf("evidence key %s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
		}
		k, err = parseEvidenceKey(string(b))
		return k, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return k, false, fmt.Errorf("read evidence key: %w", err)
	}
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return k, false, fmt.Errorf("generate evidence key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return k, false, fmt.Errorf("write evidence key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return k, false, fmt.Errorf("write evidence key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return k, false, fmt.Errorf("write evidence key: %w", err)
	}
	if err := f.Close(); err != nil {
		return k, false, fmt.Errorf("write evidence key: %w", err)
	}
	k, err = parseEvidenceKey(skey)
	return k, true, err
}

// defaultOrigin names a new log: countersign/<hostname>.
func defaultOrigin() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return "countersign/" + h
}
