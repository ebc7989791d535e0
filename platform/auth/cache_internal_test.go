package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/harnesshero/platform/platform/identity"
)

// TestVerifiedCache: a token verified once is answered from the cache
// while its time claims hold, refused once it has expired (cached or
// not), and the cache stays bounded.
func TestVerifiedCache(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	issue := func(user string) string {
		token, _, err := NewIssuer(key, clock).Issue(identity.Identity{UserID: user, Role: identity.RoleUser, SessionID: "s-" + user})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	v := NewVerifier(pub, func() time.Time { return now })
	token := issue("u1")
	for i := range 2 {
		id, err := v.Verify(token)
		if err != nil || id.UserID != "u1" || id.SessionID != "s-u1" || id.Token != token {
			t.Fatalf("Verify #%d = %+v, %v", i, id, err)
		}
	}
	if v.cache.len() != 1 {
		t.Fatalf("cache holds %d tokens after verifying one twice", v.cache.len())
	}
	// Within the leeway after exp the token still holds; past it, not,
	// though it is cached.
	now = now.Add(AccessTokenTTL + leeway - time.Second)
	if _, err := v.Verify(token); err != nil {
		t.Errorf("within the leeway: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := v.Verify(token); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("expired but cached: %v, want ErrInvalidToken", err)
	}
	// A clock before the token's issue time (beyond the leeway) refuses
	// it too, cached or not.
	now = now.Add(-AccessTokenTTL - 2*leeway - time.Minute)
	if _, err := v.Verify(token); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("before its issue time but cached: %v, want ErrInvalidToken", err)
	}
	now = now.Add(time.Minute + 2*leeway)
	for i := range verifiedCacheSize + 10 {
		if _, err := v.Verify(issue(fmt.Sprint("user-", i))); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.cache.len(); n > verifiedCacheSize {
		t.Errorf("cache holds %d tokens, bound %d", n, verifiedCacheSize)
	}
}

// BenchmarkVerify is one access token's verification, in full (every
// token new to the verifier) and answered from the cache (the same token
// again, as a signed-in client sends it).
func BenchmarkVerify(b *testing.B) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	token, _, err := NewIssuer(key, nil).Issue(identity.Identity{UserID: "u1", Role: identity.RoleUser, SessionID: "s1"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("full", func(b *testing.B) {
		v := NewVerifier(pub, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := v.verify(token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		v := NewVerifier(pub, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(token); err != nil {
				b.Fatal(err)
			}
		}
	})
}
