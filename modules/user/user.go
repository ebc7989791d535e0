// Package user is the harness user module: accounts, sign-in sessions and
// profiles (UserService), served on a connect.Server through the generated
// handler. It issues the platform's access tokens with an auth.Issuer;
// every module verifies them on its own. Its tables are its own (user_*);
// other modules reach it only through its generated client.
//
// Passwords are hashed with argon2id; refresh tokens are single use and
// stored only as hashes; failed sign-ins are throttled per account and per
// client address (docs/decisions/0004-accounts-and-authorization.md).
package user

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/user/migrations"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Deps are what the module needs from the composition root.
type Deps struct {
	// DB is the module's database; its migrations must have been applied
	// (see Migrations).
	DB *bun.DB
	// Issuer signs the access tokens of the sessions the module opens.
	Issuer *auth.Issuer
	// Now is the clock of stored times, session expiry and sign-in
	// throttling; nil means time.Now. Access token times come from the
	// Issuer's own clock.
	Now func() time.Time
	// Logger receives security events (refresh token reuse, throttled
	// sign-ins); nil discards them.
	Logger *slog.Logger
	// PasswordCost is the argon2id cost of new password hashes; the zero
	// value is the production cost. Only tests set it.
	PasswordCost PasswordCost
}

// Module is the registered user module: what the composition root wires.
// It subscribes to nothing and serves no plain HTTP route.
type Module = rpc.Module

// Register registers UserService on srv and returns the module. Sign-ins
// with an unknown email verify the password against a dummy hash at the
// module's cost, so that they cost the same as those with a wrong password;
// making that dummy costs no hashing (see newDummyHash).
func Register(srv *connect.Server, deps Deps) (*Module, error) {
	if deps.DB == nil {
		return nil, errors.New("user: Deps.DB is nil")
	}
	if deps.Issuer == nil {
		return nil, errors.New("user: Deps.Issuer is nil")
	}
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cost := deps.PasswordCost.orDefault()
	if err := cost.validate(); err != nil {
		return nil, err
	}
	dummy, err := newDummyHash(cost)
	if err != nil {
		return nil, err
	}
	st := &store{db: deps.DB}
	svc := &service{
		store:     st,
		issuer:    deps.Issuer,
		now:       func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		logger:    logger,
		limiter:   newSignInLimiter(now, &accountBuckets{db: deps.DB}),
		dummyHash: dummy,
		cost:      cost,
	}
	// A signed-in RPC of an ended session is refused (guard).
	rpc.RegisterGuarded(srv, func(s *connect.Server) { userv1connect.RegisterUserServiceHandler(s, svc) }, svc.guard, rpc.MapErrors(toConnectError))
	return &Module{Ready: st.ping}, nil
}

// Migrations are the module's schema migrations.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "user", Migrations: migrations.Migrations}
}

// GrantAdmin gives the user registered with email the admin role, for the
// `harness users grant-admin EMAIL` command; db must be migrated with
// Migrations. The email is normalised as at registration. Granting it to
// an admin again is not an error. No such user is ErrUserNotFound. The
// role shows in access tokens issued afterwards (sign-in or refresh);
// tokens already issued keep the old role until they expire.
func GrantAdmin(ctx context.Context, db *bun.DB, email string) error {
	return (&store{db: db}).grantAdmin(ctx, normalizeEmail(email), time.Now().UTC().Truncate(time.Microsecond))
}

// normalizeEmail trims and lower-cases an email address: the stored form,
// and the key of sign-in throttling.
func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// validEmail is the module's own simple check of a normalised address (the
// contract's rule runs before it, on the raw input): one @, something on
// both sides, a dot in the domain, no spaces or control characters.
func validEmail(email string) bool {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || len(email) > 254 || strings.Contains(domain, "@") ||
		!strings.Contains(strings.Trim(domain, "."), ".") {
		return false
	}
	for _, r := range email {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
