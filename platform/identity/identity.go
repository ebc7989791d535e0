// Package identity carries the verified caller of an RPC through a
// context. The server's authentication interceptor is the only writer; a
// module reads the caller with FromContext and scopes its queries by the
// caller's user id.
package identity

import (
	"context"
	"time"
)

// Role is what a caller may do beyond their own resources.
type Role string

// The roles.
const (
	RoleUser  Role = "user"
	RoleAdmin Role = "admin"
)

// Identity is a verified caller.
type Identity struct {
	UserID string
	Role   Role
	// SessionID is the sign-in session the caller's token belongs to.
	SessionID string
	// Token is the verified access token itself, forwarded on calls to
	// other modules so that they verify the caller themselves.
	Token string
	// Expiry is when Token expires; zero when unknown. A long call (a
	// stream) ends when it passes.
	Expiry time.Time
}

// IsAdmin reports whether the caller has the admin role.
func (id Identity) IsAdmin() bool { return id.Role == RoleAdmin }

type contextKey struct{}

// NewContext returns a copy of ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, contextKey{}, id)
}

// FromContext returns the caller carried by ctx, and false when the call is
// anonymous.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(contextKey{}).(Identity)
	return id, ok && id.UserID != ""
}
