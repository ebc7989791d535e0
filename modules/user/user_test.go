package user_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestAPI runs the module's API suite through its generated client, in
// process and over HTTP, on every engine.
func TestAPI(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		for _, transport := range []string{inProcess, overHTTP} {
			t.Run(string(engine)+"/"+transport, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, engine, transport)
				for _, tc := range []struct {
					name string
					test func(*testing.T, *env)
				}{
					{"Register", testRegister},
					{"SignInFailures", testSignInFailures},
					{"Throttle", testThrottle},
					{"RefreshRotation", testRefreshRotation},
					{"SignOut", testSignOut},
					{"ChangePassword", testChangePassword},
					{"UpdateProfile", testUpdateProfile},
					{"Validation", testValidation},
					{"GrantAdmin", testGrantAdmin},
					{"DeleteAccount", testDeleteAccount},
				} {
					t.Run(tc.name, func(t *testing.T) { t.Parallel(); tc.test(t, e) })
				}
			})
		}
	}
}

func testRegister(t *testing.T, e *env) {
	ctx := t.Context()
	res := e.register(t, "Rex@Example.com")
	u, s := res.GetUser(), res.GetSession()
	if u.GetEmail() != "rex@example.com" || u.GetDisplayName() != "Rex" || u.GetRole() != userv1.Role_ROLE_USER || u.GetId() == "" {
		t.Errorf("user = %v", u)
	}
	if s.GetTokenType() != "Bearer" || !strings.HasPrefix(s.GetRefreshToken(), "hhr_") || s.GetSessionId() == "" {
		t.Errorf("session = %v", s)
	}
	if got, want := s.GetRefreshTokenExpireTime().AsTime(), u.GetCreateTime().AsTime().Add(30*24*time.Hour); !got.Equal(want) {
		t.Errorf("refresh token expires %v, want %v", got, want)
	}
	if exp := s.GetAccessTokenExpireTime().AsTime(); time.Until(exp) < 14*time.Minute || time.Until(exp) > 15*time.Minute {
		t.Errorf("access token expires %v, want in 15 minutes", exp)
	}
	id, err := e.verifier.Verify(s.GetAccessToken())
	if err != nil || id.UserID != u.GetId() || id.Role != identity.RoleUser || id.SessionID != s.GetSessionId() {
		t.Errorf("access token verifies as %+v, %v", id, err)
	}
	got, err := e.client(s.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{})
	if err != nil {
		t.Fatalf("GetProfile: %v", err)
	}
	if got.GetUser().GetId() != u.GetId() || got.GetUser().GetEmail() != u.GetEmail() {
		t.Errorf("GetProfile = %v, want %v", got.GetUser(), u)
	}
	_, err = e.client("").GetProfile(ctx, &userv1.GetProfileRequest{})
	wantCode(t, err, connect.CodeUnauthenticated)

	_, err = e.client("").Register(ctx, &userv1.RegisterRequest{Email: "REX@example.com", Password: password + "2", DisplayName: "Other"})
	if msg := wantCode(t, err, connect.CodeAlreadyExists); msg != "email already registered" {
		t.Errorf("duplicate message %q", msg)
	}
	// A successful registration signs in with the registered password.
	if _, err := e.signIn(t, " rex@EXAMPLE.com ", password); err != nil {
		t.Errorf("SignIn with a differently written email: %v", err)
	}
}

func testSignInFailures(t *testing.T, e *env) {
	e.register(t, "failures@example.com")
	_, err := e.signIn(t, "failures@example.com", "wrong password")
	wrong := wantCode(t, err, connect.CodeUnauthenticated)
	_, err = e.signIn(t, "nobody@example.com", "wrong password")
	unknown := wantCode(t, err, connect.CodeUnauthenticated)
	if wrong != unknown {
		t.Errorf("wrong password says %q but unknown email says %q", wrong, unknown)
	}
}

func testThrottle(t *testing.T, e *env) {
	e.register(t, "throttled@example.com")
	for range 5 {
		_, err := e.signIn(t, "throttled@example.com", "wrong password")
		wantCode(t, err, connect.CodeUnauthenticated)
	}
	// Refused before the password is checked, even a right one.
	_, err := e.signIn(t, "Throttled@example.com", password)
	if msg := wantCode(t, err, connect.CodeResourceExhausted); msg != "too many failed sign-ins; try again later" {
		t.Errorf("message %q", msg)
	}
	if d := retryDelay(t, err); d <= 0 || d > time.Minute {
		t.Errorf("retry delay %v, want (0, 1m]", d)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.signIn(t, "throttled@example.com", password); err != nil {
		t.Errorf("SignIn a minute later: %v", err)
	}
}

func testRefreshRotation(t *testing.T, e *env) {
	ctx := t.Context()
	reg := e.register(t, "rotate@example.com")
	first := reg.GetSession()
	second, err := e.refresh(t, first.GetRefreshToken())
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.GetRefreshToken() == first.GetRefreshToken() || second.GetSessionId() != first.GetSessionId() ||
		!second.GetRefreshTokenExpireTime().AsTime().Equal(first.GetRefreshTokenExpireTime().AsTime()) {
		t.Errorf("refreshed session %v, want new tokens in session %v", second, first)
	}
	if _, err := e.client(second.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{}); err != nil {
		t.Errorf("GetProfile with the refreshed token: %v", err)
	}
	_, err = e.refresh(t, "hhr_unknown")
	unknown := wantCode(t, err, connect.CodeUnauthenticated)
	_, err = e.refresh(t, first.GetRefreshToken())
	if msg := wantCode(t, err, connect.CodeUnauthenticated); msg != unknown {
		t.Errorf("reused token says %q, unknown token %q", msg, unknown)
	}
	// The reuse revoked the session: the newer token is dead too.
	_, err = e.refresh(t, second.GetRefreshToken())
	if msg := wantCode(t, err, connect.CodeUnauthenticated); msg != unknown {
		t.Errorf("token of a revoked session says %q, unknown token %q", msg, unknown)
	}
	// And its access tokens: here at once, elsewhere once the modules
	// consumed user.sessions_revoked.
	_, err = e.client(second.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{})
	wantCode(t, err, connect.CodeUnauthenticated)
	wantRevoked(t, e.revoked(t, reg.GetUser().GetId()), reg.GetUser().GetId(), "refresh token reuse", first.GetSessionId())
}

func testSignOut(t *testing.T, e *env) {
	ctx := t.Context()
	a := e.register(t, "signout@example.com").GetSession()
	bRes, err := e.signIn(t, "signout@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	b := bRes.GetSession()
	for range 2 { // idempotent
		if _, err := e.client(a.GetAccessToken()).SignOut(ctx, &userv1.SignOutRequest{}); err != nil {
			t.Fatalf("SignOut: %v", err)
		}
	}
	_, err = e.refresh(t, a.GetRefreshToken())
	wantCode(t, err, connect.CodeUnauthenticated)
	// The signed-out session's access token is refused at once here, and
	// by the other modules once they consumed user.sessions_revoked
	// (recorded once: the second sign-out ended nothing).
	_, err = e.client(a.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{})
	if msg := wantCode(t, err, connect.CodeUnauthenticated); msg != "session has ended: sign in again" {
		t.Errorf("GetProfile of a signed-out session says %q", msg)
	}
	wantRevoked(t, e.revoked(t, bRes.GetUser().GetId()), bRes.GetUser().GetId(), "signed out", a.GetSessionId())
	if _, err := e.client(b.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{}); err != nil {
		t.Errorf("GetProfile of the other session: %v", err)
	}
	if _, err := e.refresh(t, b.GetRefreshToken()); err != nil {
		t.Errorf("refresh of the other session: %v", err)
	}
	_, err = e.client("").SignOut(ctx, &userv1.SignOutRequest{})
	wantCode(t, err, connect.CodeUnauthenticated)
}

func testChangePassword(t *testing.T, e *env) {
	ctx := t.Context()
	const email, newPassword = "change@example.com", "a brand new passphrase"
	other := e.register(t, email).GetSession()
	res, err := e.signIn(t, email, password)
	if err != nil {
		t.Fatal(err)
	}
	current := res.GetSession()
	c := e.client(current.GetAccessToken())
	_, err = c.ChangePassword(ctx, &userv1.ChangePasswordRequest{CurrentPassword: "not it", NewPassword: newPassword})
	if got := fields(t, err); !slices.Equal(got, []string{"current_password"}) {
		t.Errorf("wrong current password: fields %v", got)
	}
	changed, err := c.ChangePassword(ctx, &userv1.ChangePasswordRequest{CurrentPassword: password, NewPassword: newPassword})
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	fresh := changed.GetSession()
	if fresh.GetSessionId() != current.GetSessionId() || fresh.GetRefreshToken() == current.GetRefreshToken() {
		t.Errorf("ChangePassword session %v, want new tokens of session %s", fresh, current.GetSessionId())
	}
	_, err = e.refresh(t, other.GetRefreshToken())
	wantCode(t, err, connect.CodeUnauthenticated)
	_, err = e.client(other.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{})
	wantCode(t, err, connect.CodeUnauthenticated)
	wantRevoked(t, e.revoked(t, res.GetUser().GetId()), res.GetUser().GetId(), "password changed", other.GetSessionId())
	if _, err := e.client(current.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{}); err != nil {
		t.Errorf("GetProfile with the current session's older access token: %v", err)
	}
	if _, err := e.client(fresh.GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{}); err != nil {
		t.Errorf("GetProfile with the new access token: %v", err)
	}
	if _, err := e.refresh(t, fresh.GetRefreshToken()); err != nil {
		t.Errorf("refresh with the new refresh token: %v", err)
	}
	_, err = e.signIn(t, email, password)
	wantCode(t, err, connect.CodeUnauthenticated)
	if _, err := e.signIn(t, email, newPassword); err != nil {
		t.Errorf("SignIn with the new password: %v", err)
	}
}

func testUpdateProfile(t *testing.T, e *env) {
	ctx := t.Context()
	reg := e.register(t, "profile@example.com")
	c := e.client(reg.GetSession().GetAccessToken())
	e.clock.Advance(time.Second)
	res, err := c.UpdateProfile(ctx, &userv1.UpdateProfileRequest{DisplayName: "  Max the Dog "})
	if err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	if got := res.GetUser(); got.GetDisplayName() != "Max the Dog" || !got.GetUpdateTime().AsTime().After(reg.GetUser().GetUpdateTime().AsTime()) {
		t.Errorf("updated user %v", got)
	}
	got, err := c.GetProfile(ctx, &userv1.GetProfileRequest{})
	if err != nil || got.GetUser().GetDisplayName() != "Max the Dog" {
		t.Errorf("GetProfile after update = %v, %v", got, err)
	}
	_, err = c.UpdateProfile(ctx, &userv1.UpdateProfileRequest{DisplayName: "   "})
	if f := fields(t, err); !slices.Equal(f, []string{"display_name"}) {
		t.Errorf("blank display name: fields %v", f)
	}
}

func testValidation(t *testing.T, e *env) {
	for _, tc := range []struct {
		name string
		req  *userv1.RegisterRequest
		want string
	}{
		{"short password", &userv1.RegisterRequest{Email: "v1@example.com", Password: "elevenchars", DisplayName: "Rex"}, "password"},
		{"bad email", &userv1.RegisterRequest{Email: "not-an-email", Password: password, DisplayName: "Rex"}, "email"},
		{"email without a dot", &userv1.RegisterRequest{Email: "rex@localhost", Password: password, DisplayName: "Rex"}, "email"},
		{"blank display name", &userv1.RegisterRequest{Email: "v2@example.com", Password: password, DisplayName: "   "}, "display_name"},
	} {
		_, err := e.client("").Register(t.Context(), tc.req)
		if got := fields(t, err); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s: fields %v, want [%s]", tc.name, got, tc.want)
		}
	}
}

func testGrantAdmin(t *testing.T, e *env) {
	ctx := t.Context()
	before := e.register(t, "boss@example.com").GetSession()
	if err := user.GrantAdmin(ctx, e.db, " Boss@Example.com "); err != nil {
		t.Fatalf("GrantAdmin: %v", err)
	}
	if err := user.GrantAdmin(ctx, e.db, "boss@example.com"); err != nil {
		t.Fatalf("GrantAdmin again: %v", err)
	}
	if err := user.GrantAdmin(ctx, e.db, "nobody-here@example.com"); !errors.Is(err, user.ErrUserNotFound) {
		t.Errorf("GrantAdmin(unknown) = %v, want ErrUserNotFound", err)
	}
	res, err := e.signIn(t, "boss@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetUser().GetRole() != userv1.Role_ROLE_ADMIN {
		t.Errorf("signed-in user role %v", res.GetUser().GetRole())
	}
	profile, err := e.client(res.GetSession().GetAccessToken()).GetProfile(ctx, &userv1.GetProfileRequest{})
	if err != nil || profile.GetUser().GetRole() != userv1.Role_ROLE_ADMIN {
		t.Errorf("GetProfile = %v, %v; want ROLE_ADMIN", profile, err)
	}
	if id, err := e.verifier.Verify(res.GetSession().GetAccessToken()); err != nil || !id.IsAdmin() {
		t.Errorf("token verifies as %+v, %v; want admin", id, err)
	}
	// A session opened before the grant gets the new role at its refresh.
	refreshed, err := e.refresh(t, before.GetRefreshToken())
	if err != nil {
		t.Fatal(err)
	}
	if id, err := e.verifier.Verify(refreshed.GetAccessToken()); err != nil || !id.IsAdmin() {
		t.Errorf("refreshed token verifies as %+v, %v; want admin", id, err)
	}
}
