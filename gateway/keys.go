package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
)

// KeyPrefix starts every API key.
const KeyPrefix = "cs_"

// newSecret returns a new API key: the prefix and 32 random bytes.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashKey returns the stored form of an API key. Keys carry 256 random bits,
// so one SHA-256 is enough: there is nothing to brute-force.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the principal a bearer key names.
// Errors: EUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, secret string) (countersign.Principal, error) {
	if !strings.HasPrefix(secret, KeyPrefix) || len(secret) > 128 {
		return countersign.Principal{}, countersign.Errorf(countersign.EUnauthenticated, "missing or malformed API key")
	}
	hash := HashKey(secret)
	now := time.Now() // the cache runs on the real clock, not the injected one
	if p, ok := s.keys.get(hash, now); ok {
		return p, nil
	}
	gen := s.keys.generation()
	k, err := s.store.KeyByHash(ctx, hash)
	if err != nil {
		if countersign.ErrorCode(err) == countersign.ENotFound {
			return countersign.Principal{}, countersign.Errorf(countersign.EUnauthenticated, "unknown or revoked API key")
		}
		return countersign.Principal{}, err
	}
	s.keys.put(gen, hash, k.Principal, now)
	return k.Principal, nil
}

// CreateKey makes a key for p and returns its secret, shown only this once.
// Only admins create keys. Errors: EForbidden, EInvalid.
func (s *Service) CreateKey(ctx context.Context, by countersign.Principal, p countersign.Principal) (string, *countersign.Key, error) {
	if err := requireAdmin(by, "create keys"); err != nil {
		return "", nil, err
	}
	secret, k, _, err := s.createKey(ctx, by.String(), p, false)
	return secret, k, err
}

// Bootstrap creates the first admin key on an empty store. It returns "" and
// false when any key exists.
func (s *Service) Bootstrap(ctx context.Context) (string, bool, error) {
	secret, _, created, err := s.createKey(ctx, "system", countersign.Principal{Kind: countersign.KindAdmin, Name: "bootstrap"}, true)
	if !created {
		secret = ""
	}
	return secret, created, err
}

func (s *Service) createKey(ctx context.Context, actor string, p countersign.Principal, onlyIfEmpty bool) (string, *countersign.Key, bool, error) {
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return "", nil, false, err
	}
	secret := newSecret()
	k := countersign.Key{ID: newID("key_"), Hash: HashKey(secret), Principal: p, CreatedAt: s.now().UTC()}
	ev := countersign.NewEvent(countersign.EventKeyCreated, "", actor, k.CreatedAt, map[string]any{"key_id": k.ID, "principal": p})
	created, err := s.store.CreateKey(ctx, countersign.CreateKeyParams{Key: k, Event: ev, OnlyIfEmpty: onlyIfEmpty})
	if err != nil {
		return "", nil, false, err
	}
	return secret, &k, created, nil
}

// Keys lists every key (hashes are never returned). Admins only.
func (s *Service) Keys(ctx context.Context, by countersign.Principal) ([]*countersign.Key, error) {
	if err := requireAdmin(by, "list keys"); err != nil {
		return nil, err
	}
	return s.store.Keys(ctx)
}

// RevokeKey revokes a key at once. Admins only. Errors: EForbidden, ENotFound.
func (s *Service) RevokeKey(ctx context.Context, by countersign.Principal, id string) error {
	if err := requireAdmin(by, "revoke keys"); err != nil {
		return err
	}
	now := s.now().UTC()
	s.keys.clear()
	defer s.keys.clear() // and again, for lookups that began before the commit
	return s.store.RevokeKey(ctx, id, now, countersign.NewEvent(countersign.EventKeyRevoked, "", by.String(), now, map[string]any{"key_id": id}))
}

// SetFrozen freezes or unfreezes an agent: a frozen agent's new actions are
// denied with reason agent_frozen. Admins only. Errors: EForbidden, EInvalid.
func (s *Service) SetFrozen(ctx context.Context, by countersign.Principal, agent string, frozen bool) error {
	if err := requireAdmin(by, "freeze agents"); err != nil {
		return err
	}
	if strings.TrimSpace(agent) == "" || len(agent) > 256 {
		return countersign.Errorf(countersign.EInvalid, "agent name must be 1 to 256 characters")
	}
	typ := countersign.EventAgentUnfrozen
	if frozen {
		typ = countersign.EventAgentFrozen
	}
	ev := countersign.NewEvent(typ, "", by.String(), s.now(), map[string]any{"agent": agent})
	if err := s.store.SetAgentFrozen(ctx, agent, frozen, ev); err != nil {
		return err
	}
	s.log.Info("agent freeze changed", "agent", agent, "frozen", frozen, "by", by.String())
	return nil
}

// requireAdmin refuses anyone but an admin. Errors: EForbidden.
func requireAdmin(by countersign.Principal, what string) error {
	if by.Kind != countersign.KindAdmin {
		return countersign.Errorf(countersign.EForbidden, "only admins %s", what)
	}
	return nil
}
