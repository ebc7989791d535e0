package rpc

import (
	"context"
	"errors"

	"github.com/harnesshero/platform/platform/identity"
)

// ErrNoCaller is Require's error for a call without a verified caller;
// Error maps it to Unauthenticated.
var ErrNoCaller = errors.New("rpc: no verified caller")

// Require returns the verified caller of the call ctx belongs to (set by
// the chain's authentication interceptor), or ErrNoCaller for an anonymous
// call.
func Require(ctx context.Context) (identity.Identity, error) {
	id, ok := identity.FromContext(ctx)
	if !ok {
		return identity.Identity{}, ErrNoCaller
	}
	return id, nil
}
