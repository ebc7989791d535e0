package user_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestAddressThrottle checks the per-address bucket over HTTP, where the
// server sees the client's address: 20 failures on 20 accounts, then the
// address is refused even for an account with no failures. In process
// there is no address, so only accounts are throttled (TestAPI).
func TestAddressThrottle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storage.SQLite, overHTTP)
	e.register(t, "innocent@example.com")
	for i := range 20 {
		_, err := e.signIn(t, fmt.Sprintf("guess%d@example.com", i), "wrong password")
		wantCode(t, err, connect.CodeUnauthenticated)
	}
	_, err := e.signIn(t, "innocent@example.com", password)
	wantCode(t, err, connect.CodeResourceExhausted)
	if d := retryDelay(t, err); d <= 0 || d > 6*time.Second {
		t.Errorf("retry delay %v, want (0, 6s]", d)
	}
	e.clock.Advance(6 * time.Second)
	if _, err := e.signIn(t, "innocent@example.com", password); err != nil {
		t.Errorf("SignIn 6 s later: %v", err)
	}
}

// TestThrottleFlood: a locked account stays locked through a flood of
// sign-ins for unknown emails — more of them than the old in-memory
// buckets held (10,000), which evicted the lock — and the right password
// is refused until the bucket refills.
func TestThrottleFlood(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, inProcess)
			e.register(t, "locked@example.com")
			for range 5 {
				_, err := e.signIn(t, "locked@example.com", "wrong password")
				wantCode(t, err, connect.CodeUnauthenticated)
			}
			_, err := e.signIn(t, "locked@example.com", password)
			wantCode(t, err, connect.CodeResourceExhausted)

			const flood, workers = 10_500, 8
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Go(func() {
					for i := w; i < flood; i += workers {
						_, err := e.client("").SignIn(t.Context(), &userv1.SignInRequest{
							Email: fmt.Sprintf("flood-%d@example.com", i), Password: "wrong password",
						})
						if connect.CodeOf(err) != connect.CodeUnauthenticated {
							errs <- fmt.Errorf("flood sign-in %d: %w, want unauthenticated", i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}

			_, err = e.signIn(t, "locked@example.com", password)
			wantCode(t, err, connect.CodeResourceExhausted)
			e.clock.Advance(time.Minute)
			if _, err := e.signIn(t, "locked@example.com", password); err != nil {
				t.Errorf("SignIn a minute later: %v", err)
			}
		})
	}
}

// TestRetryAfterHeader: a throttled sign-in is HTTP 429 with a Retry-After
// header in whole seconds (and the RetryInfo detail), for clients that
// read only HTTP.
func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storage.SQLite, overHTTP)
	e.register(t, "retry@example.com")
	signIn := func(password string) (int, http.Header) {
		t.Helper()
		body := fmt.Sprintf(`{"email":"retry@example.com","password":%q}`, password)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
			e.url+userv1connect.UserServiceSignInProcedure, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode, res.Header
	}
	for range 5 {
		if code, h := signIn("wrong password"); code != http.StatusUnauthorized || h.Get("Retry-After") != "" {
			t.Fatalf("wrong password: %d, Retry-After %q; want 401 without", code, h.Get("Retry-After"))
		}
	}
	if code, h := signIn(password); code != http.StatusTooManyRequests || h.Get("Retry-After") != "60" {
		t.Errorf("throttled: %d, Retry-After %q; want 429, 60", code, h.Get("Retry-After"))
	}
	e.clock.Advance(45500 * time.Millisecond)
	if _, h := signIn(password); h.Get("Retry-After") != "15" {
		t.Errorf("Retry-After 45.5 s later = %q, want 15 (rounded up)", h.Get("Retry-After"))
	}
}
