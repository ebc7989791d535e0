package user

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestLimiter returns a limiter whose account buckets are on a fresh
// database of engine, and its clock.
func newTestLimiter(t *testing.T, engine storage.Engine) (*signInLimiter, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	db := storagetest.Open(t, engine, Migrations(), events.Migrations())
	return newSignInLimiter(clock.Now, &accountBuckets{db: db}), clock
}

// fail records n failed attempts, each of which must be admitted.
func fail(t *testing.T, l *signInLimiter, account, addr string, n int) {
	t.Helper()
	for i := range n {
		att, err := l.begin(t.Context(), account, addr)
		if err != nil {
			t.Fatalf("failure %d of %s/%s refused: %v", i+1, account, addr, err)
		}
		att.done(t.Context(), true)
	}
}

func refusedFor(t *testing.T, l *signInLimiter, account, addr string) time.Duration {
	t.Helper()
	att, err := l.begin(t.Context(), account, addr)
	if err == nil {
		att.done(t.Context(), false)
		t.Fatalf("%s/%s admitted, want refused", account, addr)
	}
	var limited *rateLimitedError
	if !errors.As(err, &limited) {
		t.Fatalf("err = %v, want *rateLimitedError", err)
	}
	return limited.Wait
}

func TestLimiterAccount(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, l *signInLimiter, clock *fakeClock) {
		fail(t, l, "a@example.com", "", accountBurst)
		if wait := refusedFor(t, l, "a@example.com", ""); wait != time.Minute {
			t.Errorf("wait = %v, want 1m", wait)
		}
		// Other accounts are not affected.
		fail(t, l, "b@example.com", "", 1)

		clock.Advance(40 * time.Second)
		if wait := refusedFor(t, l, "a@example.com", ""); wait != 20*time.Second {
			t.Errorf("wait after 40s = %v, want 20s", wait)
		}
		clock.Advance(20 * time.Second)
		fail(t, l, "a@example.com", "", 1) // one more attempt per minute
		refusedFor(t, l, "a@example.com", "")

		// A success takes nothing, and gives nothing back.
		clock.Advance(time.Minute)
		for range 3 {
			att, err := l.begin(t.Context(), "a@example.com", "")
			if err != nil {
				t.Fatalf("success attempt refused: %v", err)
			}
			att.done(t.Context(), false)
		}
		fail(t, l, "a@example.com", "", 1)
		refusedFor(t, l, "a@example.com", "")

		// The bucket refills to its burst, no further.
		clock.Advance(time.Hour)
		fail(t, l, "a@example.com", "", accountBurst)
		refusedFor(t, l, "a@example.com", "")
	})
}

func TestLimiterAddress(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, l *signInLimiter, clock *fakeClock) {
		// 20 failures from one address, spread over many accounts.
		for i := range addressBurst {
			fail(t, l, fmt.Sprintf("u%d@example.com", i), "192.0.2.1", 1)
		}
		if wait := refusedFor(t, l, "fresh@example.com", "192.0.2.1"); wait != addressEvery {
			t.Errorf("wait = %v, want %v", wait, addressEvery)
		}
		// The refused attempt took nothing from the account's bucket.
		fail(t, l, "fresh@example.com", "192.0.2.2", accountBurst)
		// In-process calls (no address) are limited by account only.
		fail(t, l, "other@example.com", "", accountBurst)

		clock.Advance(addressEvery)
		fail(t, l, "next@example.com", "192.0.2.1", 1)
		refusedFor(t, l, "next@example.com", "192.0.2.1")
	})
}

// TestLimiterParallelGuesses checks that attempts being decided hold their
// token: of many simultaneous guesses only a burst's worth is admitted.
func TestLimiterParallelGuesses(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, l *signInLimiter, _ *fakeClock) {
		var admitted []*attempt
		for range 50 {
			if att, err := l.begin(t.Context(), "a@example.com", ""); err == nil {
				admitted = append(admitted, att)
			}
		}
		if len(admitted) != accountBurst {
			t.Errorf("%d simultaneous attempts admitted, want %d", len(admitted), accountBurst)
		}
		// Ending them as successes frees their slots.
		for _, att := range admitted {
			att.done(t.Context(), false)
			att.done(t.Context(), false) // a second call does nothing
		}
		fail(t, l, "a@example.com", "", accountBurst)
		refusedFor(t, l, "a@example.com", "")
	})
}

func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, l *signInLimiter, _ *fakeClock) {
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			refused int
		)
		for range 100 {
			wg.Go(func() {
				att, err := l.begin(t.Context(), "a@example.com", "192.0.2.9")
				if err != nil {
					mu.Lock()
					refused++
					mu.Unlock()
					return
				}
				att.done(t.Context(), true)
			})
		}
		wg.Wait()
		if refused != 100-accountBurst {
			t.Errorf("%d of 100 concurrent failures refused, want %d", refused, 100-accountBurst)
		}
	})
}

// forEngines runs test on a fresh limiter on every engine, in parallel.
func forEngines(t *testing.T, test func(t *testing.T, l *signInLimiter, clock *fakeClock)) {
	t.Helper()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			l, clock := newTestLimiter(t, engine)
			test(t, l, clock)
		})
	}
}
