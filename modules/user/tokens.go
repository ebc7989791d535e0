package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
)

const (
	// sessionTTL is a session's absolute lifetime, however often it is
	// refreshed.
	sessionTTL = 30 * 24 * time.Hour
	// refreshTokenPrefix makes a leaked refresh token recognisable (to
	// secret scanners and to people).
	refreshTokenPrefix = "hhr_"
	refreshTokenBytes  = 32
)

// newRefreshToken returns a new refresh token and the hash stored for it.
func newRefreshToken() (token, hash string) {
	b := make([]byte, refreshTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics instead)
	token = refreshTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashRefreshToken(token)
}

// hashRefreshToken is the stored form of a refresh token: the SHA-256 hex
// of the whole token. The token has 256 random bits, so a fast hash is
// enough; a slow one would add nothing.
func hashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newID returns a new UUIDv7: time-ordered, like the other modules' ids.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("user: new id: %w", err)
	}
	return id.String(), nil
}

// newSession returns a session of userID starting at now.
func newSession(userID string, now time.Time) (session, error) {
	id, err := newID()
	if err != nil {
		return session{}, err
	}
	return session{ID: id, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}, nil
}
