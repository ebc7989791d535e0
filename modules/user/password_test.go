package user

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const pw = "correct horse battery staple"
	stored, err := hashPassword(ctx, PasswordCost{}, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("stored = %q, want the PHC argon2id form with OWASP's parameters", stored)
	}
	if ok, err := verifyPassword(ctx, stored, pw); err != nil || !ok {
		t.Errorf("verify(right password) = %v, %v; want true", ok, err)
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", pw + " "} {
		if ok, err := verifyPassword(ctx, stored, wrong); err != nil || ok {
			t.Errorf("verify(%q) = %v, %v; want false", wrong, ok, err)
		}
	}
	again, err := hashPassword(ctx, PasswordCost{}, pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == stored {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestPasswordStoredParameters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// A hash made with other (cheaper) parameters still verifies: they are
	// read from the stored string, not taken from the constants.
	h := argonHash{memory: 8 * 1024, time: 1, threads: 2, salt: []byte("0123456789abcdef")}
	key, err := derive(ctx, "pw", h, 24)
	if err != nil {
		t.Fatal(err)
	}
	h.key = key
	stored := h.String()
	if want := "$argon2id$v=19$m=8192,t=1,p=2$"; !strings.HasPrefix(stored, want) {
		t.Fatalf("stored = %q, want prefix %q", stored, want)
	}
	parsed, err := parseHash(stored)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.memory != 8192 || parsed.time != 1 || parsed.threads != 2 || len(parsed.salt) != 16 || len(parsed.key) != 24 {
		t.Errorf("parsed = %+v", parsed)
	}
	if ok, err := verifyPassword(ctx, stored, "pw"); err != nil || !ok {
		t.Errorf("verify = %v, %v; want true", ok, err)
	}
	if ok, _ := verifyPassword(ctx, stored, "pw2"); ok {
		t.Error("wrong password verified")
	}
}

func TestPasswordMalformed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	good, err := hashPassword(ctx, PasswordCost{}, "some password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, stored := range []string{
		"",
		"$",
		"plain text password",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=4,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "==",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[:10],
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$extra",
		"x$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
	} {
		ok, err := verifyPassword(ctx, stored, "some password")
		if err == nil || ok {
			t.Errorf("verify(%q) = %v, %v; want an error", stored, ok, err)
		}
	}
}

// BenchmarkHashPassword times one argon2id hash with the production
// parameters.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword(b.Context(), PasswordCost{}, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPasswordHashTime logs the time of one hash, to see the cost on this
// machine (and under -race) in verbose runs.
func TestPasswordHashTime(t *testing.T) {
	t.Parallel()
	start := time.Now()
	if _, err := hashPassword(t.Context(), PasswordCost{}, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	t.Logf("one argon2id hash (m=19456 KiB, t=2, p=1): %v", time.Since(start))
}

// TestDummyHash: the dummy an unknown email's sign-in verifies against is a
// well-formed hash with the parameters a real one at that cost has (so the
// verification derives a key of the same cost), unique per call, and no
// password matches it.
func TestDummyHash(t *testing.T) {
	t.Parallel()
	cost := PasswordCost{MemoryKiB: 64, Passes: 1}
	real, err := hashPassword(t.Context(), cost, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	dummy, err := newDummyHash(cost)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newDummyHash(cost)
	if dummy == other {
		t.Error("two dummy hashes are equal: salt and key must be random")
	}
	rh, err := parseHash(real)
	if err != nil {
		t.Fatal(err)
	}
	dh, err := parseHash(dummy)
	if err != nil {
		t.Fatalf("dummy hash %q does not parse: %v", dummy, err)
	}
	if dh.memory != rh.memory || dh.time != rh.time || dh.threads != rh.threads || len(dh.salt) != len(rh.salt) || len(dh.key) != len(rh.key) {
		t.Errorf("dummy %q has other parameters than a real hash %q", dummy, real)
	}
	for _, pw := range []string{"", "correct horse battery staple", "not a password: equalises sign-in timing"} {
		if ok, err := verifyPassword(t.Context(), dummy, pw); err != nil || ok {
			t.Errorf("verifyPassword(dummy, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
	if prod, _ := newDummyHash(PasswordCost{}); !strings.HasPrefix(prod, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("dummy at the production cost = %q", prod)
	}
}
