package user_test

import (
	"slices"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// testDeleteAccount: deleting an account needs the password; it ends every
// session, erases the email, display name and password hash, records
// user.deleted without personal data, refuses the account's unexpired
// access tokens, and frees the email for a new registration.
func testDeleteAccount(t *testing.T, e *env) {
	ctx := t.Context()
	const email = "delete.me@example.com"
	reg := e.register(t, email)
	id := reg.GetUser().GetId()
	other, err := e.signIn(t, email, password)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(reg.GetSession().GetAccessToken())
	_, err = c.DeleteAccount(ctx, &userv1.DeleteAccountRequest{CurrentPassword: "not it"})
	if got := fields(t, err); !slices.Equal(got, []string{"current_password"}) {
		t.Errorf("wrong password: fields %v", got)
	}
	if _, err := c.DeleteAccount(ctx, &userv1.DeleteAccountRequest{CurrentPassword: password}); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}

	for _, refresh := range []string{reg.GetSession().GetRefreshToken(), other.GetSession().GetRefreshToken()} {
		_, err := e.refresh(t, refresh)
		wantCode(t, err, connect.CodeUnauthenticated)
	}
	_, err = e.signIn(t, email, password)
	wantCode(t, err, connect.CodeUnauthenticated)
	_, err = e.signIn(t, "deleted:"+id, "")
	wantCode(t, err, connect.CodeInvalidArgument) // the contract wants a password
	_, err = e.signIn(t, "deleted:"+id, password)
	wantCode(t, err, connect.CodeUnauthenticated)
	for _, token := range []string{reg.GetSession().GetAccessToken(), other.GetSession().GetAccessToken()} {
		_, err = e.client(token).GetProfile(ctx, &userv1.GetProfileRequest{})
		wantCode(t, err, connect.CodeUnauthenticated)
		_, err = e.client(token).ChangePassword(ctx, &userv1.ChangePasswordRequest{CurrentPassword: password, NewPassword: "another long passphrase"})
		wantCode(t, err, connect.CodeUnauthenticated)
	}

	var row struct {
		Email, DisplayName, PasswordHash string
	}
	if err := e.db.NewRaw("SELECT email, display_name, password_hash FROM user_users WHERE id = ?", id).Scan(ctx, &row.Email, &row.DisplayName, &row.PasswordHash); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row.Email, "@") || row.DisplayName != "" || row.PasswordHash != "" {
		t.Errorf("erased row keeps %+v", row)
	}
	var envelopes []string
	if err := e.db.NewRaw("SELECT envelope FROM events_outbox WHERE type = 'user.deleted' AND aggregate_id = ?", id).Scan(ctx, &envelopes); err != nil {
		t.Fatal(err)
	}
	if len(envelopes) != 1 || strings.Contains(envelopes[0], "delete.me") || strings.Contains(envelopes[0], "Rex") {
		t.Errorf("user.deleted envelopes = %q, want one without personal data", envelopes)
	}

	again := e.register(t, email)
	if again.GetUser().GetId() == id {
		t.Error("registering the email again returned the deleted account")
	}
}
