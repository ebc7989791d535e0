// Package pagination holds the platform's keyset pagination: lists are
// ordered by UUIDv7 id (creation order), and a page token is the opaque
// encoding of the last id of the previous page, so pages stay right while
// items are added or removed between calls.
package pagination

import (
	"encoding/base64"
	"errors"

	"github.com/google/uuid"
)

// ErrInvalidToken is returned for a page token this package did not make.
var ErrInvalidToken = errors.New("pagination: invalid page token")

// Token returns the page token that continues after lastID.
func Token(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastID))
}

// After returns the id a page token continues after: "" for the empty
// token (the first page), or ErrInvalidToken.
func After(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", ErrInvalidToken
	}
	id, err := uuid.ParseBytes(raw)
	if err != nil {
		return "", ErrInvalidToken
	}
	return id.String(), nil
}

// CanonicalUUID returns id in the lower-case form ids are stored in, so an
// id sent in upper case names the same item; anything that is not a UUID is
// returned unchanged.
func CanonicalUUID(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return id
}
