package user

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestStore is the store's contract, run on every engine. It focuses on
// what must hold under concurrency.
func TestStore(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := &store{db: storagetest.Open(t, engine, Migrations(), events.Migrations())}
			t.Run("UniqueEmailRace", func(t *testing.T) { t.Parallel(); testUniqueEmailRace(t, s) })
			t.Run("RefreshRace", func(t *testing.T) { t.Parallel(); testRefreshRace(t, s) })
			t.Run("RefreshReuse", func(t *testing.T) { t.Parallel(); testRefreshReuse(t, s) })
			t.Run("SessionEnd", func(t *testing.T) { t.Parallel(); testSessionEnd(t, s) })
			t.Run("ChangePassword", func(t *testing.T) { t.Parallel(); testChangePassword(t, s) })
			t.Run("ChangePasswordRace", func(t *testing.T) { t.Parallel(); testChangePasswordRace(t, s) })
			t.Run("GrantAdmin", func(t *testing.T) { t.Parallel(); testGrantAdmin(t, s) })
		})
	}
}

var storeNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newAccount(t *testing.T, email string) account {
	t.Helper()
	id, err := newID()
	if err != nil {
		t.Fatal(err)
	}
	return account{
		ID: id, Email: email, PasswordHash: "hash-1", DisplayName: "Rex", Role: identity.RoleUser,
		CreatedAt: storeNow, UpdatedAt: storeNow, PasswordChangedAt: storeNow,
	}
}

// registered stores a new user signed in once, and returns it with its
// session and refresh token hash.
func registered(t *testing.T, s *store, email string) (account, session, string) {
	t.Helper()
	a := newAccount(t, email)
	sess, err := newSession(a.ID, storeNow)
	if err != nil {
		t.Fatal(err)
	}
	_, hash := newRefreshToken()
	if err := s.createUser(t.Context(), a, sess, hash); err != nil {
		t.Fatalf("createUser: %v", err)
	}
	return a, sess, hash
}

func testUniqueEmailRace(t *testing.T, s *store) {
	const writers = 10
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		won, conflicts int
	)
	for range writers {
		wg.Go(func() {
			a := newAccount(t, "race@example.com")
			sess, _ := newSession(a.ID, storeNow)
			_, hash := newRefreshToken()
			err := s.createUser(t.Context(), a, sess, hash)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, errEmailTaken):
				conflicts++
			default:
				t.Errorf("createUser: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != writers-1 {
		t.Errorf("%d registrations won and %d conflicted, want 1 and %d", won, conflicts, writers-1)
	}
}

func testRefreshRace(t *testing.T, s *store) {
	_, _, hash := registered(t, s, "refresh-race@example.com")
	const refreshers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		winners  []string
		rejected int
	)
	for range refreshers {
		wg.Go(func() {
			_, next := newRefreshToken()
			_, _, err := s.refresh(t.Context(), hash, next, storeNow.Add(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, next)
			case errors.Is(err, errInvalidRefresh):
				rejected++
			default:
				t.Errorf("refresh: %v", err)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 || rejected != refreshers-1 {
		t.Fatalf("%d refreshes won and %d were rejected, want 1 and %d", len(winners), rejected, refreshers-1)
	}
	// The losers presented a used token: the session is revoked, so the
	// winner's new token is dead too.
	_, next := newRefreshToken()
	if _, _, err := s.refresh(t.Context(), winners[0], next, storeNow.Add(2*time.Minute)); !errors.Is(err, errInvalidRefresh) {
		t.Errorf("refresh with the winner's token after reuse: %v, want errInvalidRefresh", err)
	}
}

func testRefreshReuse(t *testing.T, s *store) {
	ctx := t.Context()
	a, sess, first := registered(t, s, "reuse@example.com")
	_, second := newRefreshToken()
	got, gotSess, err := s.refresh(ctx, first, second, storeNow.Add(time.Minute))
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if got.ID != a.ID || gotSess.ID != sess.ID || !gotSess.ExpiresAt.Equal(sess.ExpiresAt) {
		t.Errorf("refresh returned %+v / %+v, want the user and its session", got, gotSess)
	}
	_, third := newRefreshToken()
	_, revoked, err := s.refresh(ctx, first, third, storeNow.Add(2*time.Minute))
	if !errors.Is(err, errRefreshReused) {
		t.Fatalf("reuse: %v, want errRefreshReused", err)
	}
	if revoked.ID != sess.ID {
		t.Errorf("reuse reported session %q, want %q", revoked.ID, sess.ID)
	}
	if _, _, err := s.refresh(ctx, second, third, storeNow.Add(3*time.Minute)); !errors.Is(err, errRefreshEnded) {
		t.Errorf("refresh with the unused newer token: %v, want errRefreshEnded", err)
	}
	row := new(sessionRow)
	if err := s.db.NewSelect().Model(row).Where("id = ?", sess.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if row.RevokeReason != reasonReuse || !row.RevokedAt.Equal(storeNow.Add(2*time.Minute)) {
		t.Errorf("session revoked %v for %q, want at +2m for %q", row.RevokedAt, row.RevokeReason, reasonReuse)
	}
	if _, _, err := s.refresh(ctx, "no such hash", third, storeNow); !errors.Is(err, errRefreshUnknown) {
		t.Errorf("unknown token: %v, want errRefreshUnknown", err)
	}
}

func testSessionEnd(t *testing.T, s *store) {
	ctx := t.Context()
	a, sess, hash := registered(t, s, "ends@example.com")
	_, next := newRefreshToken()
	if _, _, err := s.refresh(ctx, hash, next, sess.ExpiresAt); !errors.Is(err, errRefreshEnded) {
		t.Errorf("refresh at expiry: %v, want errRefreshEnded", err)
	}
	// Another user cannot end the session.
	if err := s.revokeSession(ctx, "someone else", sess.ID, reasonSignedOut, storeNow); err != nil {
		t.Fatal(err)
	}
	// The failed refresh rolled back: the token still works in time.
	if _, _, err := s.refresh(ctx, hash, next, sess.ExpiresAt.Add(-time.Second)); err != nil {
		t.Fatalf("refresh before expiry: %v", err)
	}
	for range 2 { // idempotent
		if err := s.revokeSession(ctx, a.ID, sess.ID, reasonSignedOut, storeNow); err != nil {
			t.Fatalf("revokeSession: %v", err)
		}
	}
	_, again := newRefreshToken()
	if _, _, err := s.refresh(ctx, next, again, storeNow); !errors.Is(err, errRefreshEnded) {
		t.Errorf("refresh after sign-out: %v, want errRefreshEnded", err)
	}
}

func testChangePassword(t *testing.T, s *store) {
	ctx := t.Context()
	a, current, currentHash := registered(t, s, "change@example.com")
	other, err := newSession(a.ID, storeNow)
	if err != nil {
		t.Fatal(err)
	}
	_, otherHash := newRefreshToken()
	if err := s.createSession(ctx, other, otherHash); err != nil {
		t.Fatal(err)
	}
	_, newToken := newRefreshToken()
	later := storeNow.Add(time.Hour)
	if _, _, err := s.changePassword(ctx, a.ID, current.ID, "stale hash", "hash-2", newToken, later); !errors.Is(err, errPasswordMismatch) {
		t.Fatalf("change from a stale hash: %v, want errPasswordMismatch", err)
	}
	if _, _, err := s.changePassword(ctx, a.ID, "no such session", a.PasswordHash, "hash-2", newToken, later); !errors.Is(err, errSessionEnded) {
		t.Fatalf("change from an unknown session: %v, want errSessionEnded", err)
	}
	got, sess, err := s.changePassword(ctx, a.ID, current.ID, a.PasswordHash, "hash-2", newToken, later)
	if err != nil {
		t.Fatalf("changePassword: %v", err)
	}
	if got.PasswordHash != "hash-2" || !got.PasswordChangedAt.Equal(later) || !got.UpdatedAt.Equal(later) || sess.ID != current.ID {
		t.Errorf("changePassword returned %+v, %+v", got, sess)
	}
	_, x := newRefreshToken()
	if _, _, err := s.refresh(ctx, otherHash, x, later); !errors.Is(err, errRefreshEnded) {
		t.Errorf("other session's token: %v, want errRefreshEnded", err)
	}
	if _, _, err := s.refresh(ctx, newToken, x, later); err != nil {
		t.Errorf("current session's new token: %v", err)
	}
	// The current session's old token was retired: presenting it is reuse.
	_, y := newRefreshToken()
	if _, _, err := s.refresh(ctx, currentHash, y, later); !errors.Is(err, errRefreshReused) {
		t.Errorf("current session's old token: %v, want errRefreshReused", err)
	}
}

func testGrantAdmin(t *testing.T, s *store) {
	ctx := t.Context()
	a, _, _ := registered(t, s, "admin@example.com")
	for range 2 { // idempotent
		if err := s.grantAdmin(ctx, "admin@example.com", storeNow); err != nil {
			t.Fatalf("grantAdmin: %v", err)
		}
	}
	got, err := s.userByID(ctx, a.ID)
	if err != nil || got.Role != identity.RoleAdmin {
		t.Errorf("after grantAdmin: %+v, %v", got, err)
	}
	if err := s.grantAdmin(ctx, "nobody@example.com", storeNow); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("grantAdmin(unknown) = %v, want ErrUserNotFound", err)
	}
}

// testChangePasswordRace changes the password from two sessions while two
// sessions refresh, all at once: exactly one change wins, and nothing
// deadlocks (the store's lock order).
func testChangePasswordRace(t *testing.T, s *store) {
	ctx := t.Context()
	for round := range 5 {
		a, first, firstHash := registered(t, s, fmt.Sprintf("change-race%d@example.com", round))
		sessions, hashes := []session{first}, []string{firstHash}
		for range 3 {
			sess, err := newSession(a.ID, storeNow)
			if err != nil {
				t.Fatal(err)
			}
			_, hash := newRefreshToken()
			if err := s.createSession(ctx, sess, hash); err != nil {
				t.Fatal(err)
			}
			sessions, hashes = append(sessions, sess), append(hashes, hash)
		}
		var (
			wg            sync.WaitGroup
			mu            sync.Mutex
			changed, lost int
		)
		for i := range 2 {
			wg.Go(func() {
				_, tok := newRefreshToken()
				_, _, err := s.changePassword(ctx, a.ID, sessions[i].ID, a.PasswordHash, fmt.Sprintf("hash-%d", i), tok, storeNow)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					changed++
				case errors.Is(err, errPasswordMismatch), errors.Is(err, errSessionEnded):
					lost++
				default:
					t.Errorf("changePassword: %v", err)
				}
			})
		}
		for i := 2; i < 4; i++ {
			wg.Go(func() {
				_, next := newRefreshToken()
				if _, _, err := s.refresh(ctx, hashes[i], next, storeNow); err != nil && !errors.Is(err, errInvalidRefresh) {
					t.Errorf("refresh: %v", err)
				}
			})
		}
		wg.Wait()
		if changed != 1 || lost != 1 {
			t.Fatalf("round %d: %d changes won, %d lost; want 1 and 1", round, changed, lost)
		}
	}
}
