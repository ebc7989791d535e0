package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/harnesshero/platform/platform/identity"
)

const (
	issuer   = "harnesshero"
	audience = "harnesshero-api"

	// AccessTokenTTL is how long an access token is valid.
	AccessTokenTTL = 15 * time.Minute
	// leeway tolerates clock skew between processes.
	leeway = 30 * time.Second
	// maxLifetime is the longest exp − iat a verifier accepts: what an
	// Issuer grants plus the skew tolerated between processes. A token
	// signed with a longer life (a leaked key, a buggy issuer) is refused.
	maxLifetime = AccessTokenTTL + leeway
)

// ErrInvalidToken is returned for any token that does not verify: bad
// signature, other key, expired, malformed, wrong issuer or audience, no
// issue time, or a lifetime longer than an Issuer grants.
var ErrInvalidToken = errors.New("auth: invalid access token")

type claims struct {
	jwt.RegisteredClaims
	Role      identity.Role `json:"role"`
	SessionID string        `json:"sid"`
}

// keyID names a public key in the token header, so a verifier can tell a
// token signed by another key (or after a rotation) at a glance.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

// Issuer signs access tokens with the private key.
type Issuer struct {
	key ed25519.PrivateKey
	kid string
	now func() time.Time
}

// NewIssuer returns an Issuer signing with key; now nil means time.Now.
func NewIssuer(key ed25519.PrivateKey, now func() time.Time) *Issuer {
	if now == nil {
		now = time.Now
	}
	return &Issuer{key: key, kid: keyID(key.Public().(ed25519.PublicKey)), now: now}
}

// Issue returns a signed access token for id and its expiry.
func (i *Issuer) Issue(id identity.Identity) (string, time.Time, error) {
	now := i.now()
	exp := now.Add(AccessTokenTTL)
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   id.UserID,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-leeway)),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Role:      id.Role,
		SessionID: id.SessionID,
	})
	tok.Header["kid"] = i.kid
	signed, err := tok.SignedString(i.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return signed, exp, nil
}

// Verifier checks access tokens with the public key only. It remembers
// the tokens that verified (a bounded set, keyed by the token's bytes), so
// a client's next call with the same token costs a lookup and a clock
// check instead of an Ed25519 verification. It is safe for concurrent use.
type Verifier struct {
	key    ed25519.PublicKey
	kid    string
	now    func() time.Time
	parser *jwt.Parser
	cache  verifiedCache
}

// NewVerifier returns a Verifier for tokens signed by key's private half;
// now nil means time.Now.
func NewVerifier(key ed25519.PublicKey, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		key: key,
		kid: keyID(key),
		now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
		),
	}
}

// Verify returns the identity a token vouches for, or ErrInvalidToken.
// A token that verified before is checked against the clock only: its
// bytes, so its signature and claims, are those already checked.
func (v *Verifier) Verify(token string) (identity.Identity, error) {
	now := v.now()
	if id, ok := v.cache.get(token, now); ok {
		return id, nil
	}
	id, window, err := v.verify(token)
	if err != nil {
		return identity.Identity{}, err
	}
	v.cache.put(token, verified{id: id, valid: window.valid, till: window.till}, now)
	return id, nil
}

// verify checks token in full: signature, key, issuer, audience, time
// claims, lifetime and the claims an identity needs. It returns the
// window in which the token's time claims hold (within the leeway).
func (v *Verifier) verify(token string) (identity.Identity, verified, error) {
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != v.kid {
			return nil, errors.New("unknown key id")
		}
		return v.key, nil
	})
	if err != nil {
		return identity.Identity{}, verified{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// The parser checked that iat, when present, is not in the future
	// (beyond the leeway); it must also be present, and the token may not
	// live longer than an Issuer grants.
	if c.IssuedAt == nil {
		return identity.Identity{}, verified{}, fmt.Errorf("%w: no issue time", ErrInvalidToken)
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > maxLifetime {
		return identity.Identity{}, verified{}, fmt.Errorf("%w: lifetime %v exceeds %v", ErrInvalidToken, life, maxLifetime)
	}
	if c.Subject == "" || c.SessionID == "" || (c.Role != identity.RoleUser && c.Role != identity.RoleAdmin) {
		return identity.Identity{}, verified{}, fmt.Errorf("%w: incomplete claims", ErrInvalidToken)
	}
	// The parser's time checks, as a window: iat and nbf no later than
	// now + leeway, exp later than now − leeway.
	from := c.IssuedAt.Time
	if c.NotBefore != nil && c.NotBefore.After(from) {
		from = c.NotBefore.Time
	}
	window := verified{valid: from.Add(-leeway), till: c.ExpiresAt.Add(leeway)}
	return identity.Identity{UserID: c.Subject, Role: c.Role, SessionID: c.SessionID, Token: token, Expiry: c.ExpiresAt.Time}, window, nil
}
