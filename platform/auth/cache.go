package auth

import (
	"sync"
	"time"

	"github.com/harnesshero/platform/platform/identity"
)

// verifiedCacheSize bounds the tokens a Verifier remembers: ~300 bytes
// each, so at most ~1.5 MB. A signed-in client sends one token for its 15
// minutes, so this many concurrent sessions hit the cache; beyond them a
// token is verified in full again.
const verifiedCacheSize = 4096

// verified is a token that passed Verify: the identity it vouches for and
// the window in which its time claims hold (nbf and iat no later than
// now + leeway, exp later than now − leeway).
type verified struct {
	id          identity.Identity
	valid, till time.Time
}

// verifiedCache remembers tokens that verified, keyed by the token's exact
// bytes: a hit is a token identical to one whose signature and claims
// checked out, so only the clock needs checking again. Any other bytes
// (another token, a tampered one) miss and are verified in full.
// Revocation is not the verifier's business (ADR 0004: each module refuses
// revoked tokens — a deleted account's, an ended session's — from its own
// revocation list on every request), so remembering a verification changes
// no answer.
type verifiedCache struct {
	mu      sync.RWMutex
	entries map[string]verified
}

func (c *verifiedCache) get(token string, now time.Time) (identity.Identity, bool) {
	c.mu.RLock()
	v, ok := c.entries[token]
	c.mu.RUnlock()
	if !ok || now.Before(v.valid) || !now.Before(v.till) {
		return identity.Identity{}, false
	}
	return v.id, true
}

// put remembers v for token, dropping expired entries when full, and an
// arbitrary one if none has expired.
func (c *verifiedCache) put(token string, v verified, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]verified)
	}
	if len(c.entries) >= verifiedCacheSize {
		for k, e := range c.entries {
			if now.After(e.till) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < verifiedCacheSize {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[token] = v
}

// len returns the number of tokens remembered (for tests).
func (c *verifiedCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
