package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	connect "connectrpc.com/connect/v2"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
)

// guard is the module's own interceptor (rpc.RegisterGuarded): a signed-in
// RPC whose caller's session has ended — signed out, ended by a password
// change or a reused refresh token, or by the account's deletion — is
// Unauthenticated, at once: the module owns the sessions. Other modules
// learn of it through user.sessions_revoked and user.deleted
// (platform/revocation). SignOut is let through, so that signing out of an
// ended session stays no error.
func (s *service) guard(next connect.ServerFunc) connect.ServerFunc {
	return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
		id, ok := identity.FromContext(ctx)
		if !ok || auth.AccessOf(spec) == authv1.Access_ACCESS_PUBLIC || spec.Procedure == userv1connect.UserServiceSignOutProcedure {
			return next(ctx, spec, stream)
		}
		if err := s.store.checkSession(ctx, id, s.now()); err != nil {
			return toConnectError(nil, err)
		}
		return next(ctx, spec, stream)
	}
}

// checkSession returns errSessionEnded unless the session of id's token is
// one of its user's and active at now; errAccountDeleted when it ended with
// its account.
func (s *store) checkSession(ctx context.Context, id identity.Identity, now time.Time) error {
	sess := new(sessionRow)
	err := s.db.NewSelect().Model(sess).Where("id = ?", id.SessionID).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errSessionEnded
	case err != nil:
		return fmt.Errorf("user: check session: %w", err)
	case sess.UserID != id.UserID:
		return errSessionEnded
	case sess.RevokeReason == reasonAccountDeleted:
		return errAccountDeleted
	case !sess.toSession().activeAt(now):
		return errSessionEnded
	}
	return nil
}
