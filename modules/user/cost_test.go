package user_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
)

// TestPasswordCost: without a PasswordCost the module hashes at the
// production cost (OWASP's 19 MiB, 2 passes, 1 lane), whatever the other
// tests lower it to; a hash keeps verifying when the cost changes; a cost
// whose hashes could not be verified is refused at Register.
func TestPasswordCost(t *testing.T) {
	t.Parallel()
	storedHash := func(t *testing.T, e *env, email string) string {
		t.Helper()
		var h string
		if err := e.db.NewSelect().Table("user_users").Column("password_hash").Where("email = ?", email).Scan(t.Context(), &h); err != nil {
			t.Fatalf("read the stored hash: %v", err)
		}
		return h
	}
	production := newEnvCost(t, storage.SQLite, inProcess, user.PasswordCost{})
	production.register(t, "prod@example.com")
	if h := storedHash(t, production, "prod@example.com"); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("zero PasswordCost stored %q, want the production parameters m=19456,t=2,p=1", h)
	}
	if _, err := production.signIn(t, "prod@example.com", password); err != nil {
		t.Errorf("SignIn at the production cost: %v", err)
	}

	cheap := newEnv(t, storage.SQLite, inProcess)
	cheap.register(t, "cheap@example.com")
	if h := storedHash(t, cheap, "cheap@example.com"); !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("test cost stored %q, want m=64,t=1,p=1", h)
	}
	// The production-cost hash, moved to the cheap module's database, still
	// verifies: every hash carries its own parameters.
	if _, err := cheap.db.NewUpdate().Table("user_users").Set("password_hash = ?", storedHash(t, production, "prod@example.com")).
		Where("email = ?", "cheap@example.com").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := cheap.signIn(t, "cheap@example.com", password); err != nil {
		t.Errorf("SignIn with a production-cost hash under the test cost: %v", err)
	}
	if _, err := cheap.signIn(t, "cheap@example.com", "wrong password"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("SignIn with a wrong password = %v, want unauthenticated", err)
	}

	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []user.PasswordCost{
		{MemoryKiB: 4, Passes: 1},
		{MemoryKiB: 64},
		{MemoryKiB: 64, Passes: 65},
		{MemoryKiB: 1<<20 + 1, Passes: 1},
	} {
		if _, err := user.Register(connect.NewServer(), user.Deps{DB: cheap.db, Issuer: auth.NewIssuer(key, nil), PasswordCost: bad}); err == nil {
			t.Errorf("Register with PasswordCost %+v succeeded, want an error", bad)
		}
	}
}
