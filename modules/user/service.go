package user

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"time"

	connect "connectrpc.com/connect/v2"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/clientip"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

var (
	errInvalidEmail   = errors.New("user: invalid email address")
	errBadCredentials = errors.New("user: wrong email or password")
)

// service implements UserService. Signed-in RPCs act on the verified caller
// from the context, never on ids of the request.
type service struct {
	store     *store
	issuer    issuer
	now       func() time.Time // UTC, truncated to microseconds
	logger    *slog.Logger
	limiter   *signInLimiter
	dummyHash string       // verified for unknown emails
	cost      PasswordCost // of new password hashes
}

// issuer is what the service needs of *auth.Issuer.
type issuer interface {
	Issue(identity.Identity) (string, time.Time, error)
}

var _ userv1connect.UserServiceHandler = (*service)(nil)

func (s *service) Register(ctx context.Context, req *userv1.RegisterRequest) (*userv1.RegisterResponse, error) {
	email := normalizeEmail(req.GetEmail())
	if !validEmail(email) {
		return nil, errInvalidEmail
	}
	hash, err := hashPassword(ctx, s.cost, req.GetPassword())
	if err != nil {
		return nil, err
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := account{
		ID: id, Email: email, PasswordHash: hash,
		DisplayName: strings.TrimSpace(req.GetDisplayName()),
		Role:        identity.RoleUser, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now,
	}
	sess, err := newSession(a.ID, now)
	if err != nil {
		return nil, err
	}
	refresh, refreshHash := newRefreshToken()
	if err := s.store.createUser(ctx, a, sess, refreshHash); err != nil {
		return nil, err
	}
	out, err := s.sessionToProto(a, sess, refresh)
	if err != nil {
		return nil, err
	}
	return &userv1.RegisterResponse{User: userToProto(a), Session: out}, nil
}

// SignIn checks the throttle first, then the password: the address's
// bucket, then the account's (an unknown email has none). An unknown email
// verifies the password against a dummy hash, so that it costs the same
// time as a wrong password, and gets the same error.
func (s *service) SignIn(ctx context.Context, req *userv1.SignInRequest) (*userv1.SignInResponse, error) {
	email := normalizeEmail(req.GetEmail())
	addr := clientHost(ctx)
	a, err := s.store.userByEmail(ctx, email)
	if err == nil && !a.DeletedAt.IsZero() {
		// A deleted account's erased row ("deleted:<id>", no password)
		// is no account to sign in to.
		a, err = account{}, ErrUserNotFound
	}
	stored := a.PasswordHash
	if errors.Is(err, ErrUserNotFound) {
		stored = s.dummyHash
	} else if err != nil {
		return nil, err
	}
	att, err := s.limiter.begin(ctx, a.ID, addr)
	if err != nil {
		if limited, ok := errors.AsType[*rateLimitedError](err); ok {
			s.logger.InfoContext(ctx, "sign-in throttled", "addr", addr, "wait", limited.Wait)
		}
		return nil, err
	}
	ok, err := verifyPassword(ctx, stored, req.GetPassword())
	if err != nil {
		att.done(ctx, false)
		return nil, err
	}
	if !ok || a.ID == "" {
		att.done(ctx, true)
		return nil, errBadCredentials
	}
	att.done(ctx, false)
	sess, err := newSession(a.ID, s.now())
	if err != nil {
		return nil, err
	}
	refresh, refreshHash := newRefreshToken()
	if err := s.store.createSession(ctx, sess, refreshHash); err != nil {
		return nil, err
	}
	out, err := s.sessionToProto(a, sess, refresh)
	if err != nil {
		return nil, err
	}
	return &userv1.SignInResponse{User: userToProto(a), Session: out}, nil
}

func (s *service) RefreshSession(ctx context.Context, req *userv1.RefreshSessionRequest) (*userv1.RefreshSessionResponse, error) {
	refresh, refreshHash := newRefreshToken()
	a, sess, err := s.store.refresh(ctx, hashRefreshToken(req.GetRefreshToken()), refreshHash, s.now())
	if errors.Is(err, errRefreshReused) {
		s.logger.WarnContext(ctx, "refresh token reused: session revoked",
			"session_id", sess.ID, "user_id", sess.UserID, "addr", clientHost(ctx))
	}
	if err != nil {
		return nil, err
	}
	out, err := s.sessionToProto(a, sess, refresh)
	if err != nil {
		return nil, err
	}
	return &userv1.RefreshSessionResponse{Session: out}, nil
}

// SignOut ends the caller's session. Signing out of an ended session is not
// an error.
func (s *service) SignOut(ctx context.Context, req *userv1.SignOutRequest) (*userv1.SignOutResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.store.revokeSession(ctx, caller.UserID, caller.SessionID, reasonSignedOut, s.now()); err != nil {
		return nil, err
	}
	return &userv1.SignOutResponse{}, nil
}

// clientHost is the host part of the caller's network address, or "" for a
// call without a network peer (in process). Behind a reverse proxy this is
// the proxy's address.
func clientHost(ctx context.Context) string {
	if addr, ok := clientip.FromContext(ctx); ok {
		return addr // resolved by the server, trusted proxies considered
	}
	info, ok := connect.CallInfoForServerContext(ctx)
	if !ok || info.PeerAddr == "" {
		return ""
	}
	if host, _, err := net.SplitHostPort(info.PeerAddr); err == nil {
		return host
	}
	return info.PeerAddr
}
