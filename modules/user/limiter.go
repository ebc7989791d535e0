package user

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"
)

// Sign-in throttling (docs/decisions/0004): failed sign-ins consume tokens
// from a bucket per account (the normalised email) and one per client
// address. An empty bucket is refused before the password is checked.
const (
	accountBurst    = 5
	accountEvery    = time.Minute
	addressBurst    = 20
	addressEvery    = 6 * time.Second
	limiterKeys     = 10_000
	limiterKeyTTL   = time.Hour
	minRetryAfter   = time.Second
	retryRoundingTo = time.Second
)

// rateLimitedError is a sign-in refused because its account or address has
// failed too often; Wait is how long until one more attempt is allowed.
type rateLimitedError struct {
	Wait time.Duration
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("user: too many failed sign-ins; retry in %v", e.Wait)
}

// bucket is one key's token bucket. pending counts attempts admitted but
// not yet decided: each holds a token, so N parallel guesses against one
// account cannot all pass the check while the bucket still shows tokens.
type bucket struct {
	mu      sync.Mutex
	lim     *rate.Limiter
	pending int
}

// admit reserves an attempt at now, or returns how long until one is
// possible.
func (b *bucket) admit(now time.Time) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tokens := b.lim.TokensAt(now) - float64(b.pending)
	if tokens >= 1 {
		b.pending++
		return 0, true
	}
	secs := (1 - tokens) / float64(b.lim.Limit())
	return time.Duration(math.Ceil(secs * float64(time.Second))), false
}

// settle ends an admitted attempt; a failure consumes its token.
func (b *bucket) settle(now time.Time, failed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending--
	if failed {
		// ReserveN always takes the token (the reservation held it), even
		// if the bucket went below one meanwhile.
		b.lim.ReserveN(now, 1)
	}
}

// signInLimiter throttles failed sign-ins per account and per address. The
// buckets live in memory, in LRUs bounded to limiterKeys keys each whose
// entries expire limiterKeyTTL after their last failure (by then any bucket
// has refilled). Each replica of the platform throttles on its own.
//
// A successful sign-in neither consumes nor refills tokens: after five
// failures the account waits for the bucket to refill even if the sixth
// attempt would succeed. That keeps the rule simple and the limiter free of
// any notion of "the right user".
//
// It is safe for concurrent use.
type signInLimiter struct {
	now      func() time.Time
	mu       sync.Mutex // serialises get-or-create of buckets
	accounts *expirable.LRU[string, *bucket]
	addrs    *expirable.LRU[string, *bucket]
}

func newSignInLimiter(now func() time.Time) *signInLimiter {
	return &signInLimiter{
		now:      now,
		accounts: expirable.NewLRU[string, *bucket](limiterKeys, nil, limiterKeyTTL),
		addrs:    expirable.NewLRU[string, *bucket](limiterKeys, nil, limiterKeyTTL),
	}
}

// attempt is an admitted sign-in attempt; end it with done.
type attempt struct {
	l       *signInLimiter
	buckets []*bucket
	keys    []func() // renew the LRU entries after a failure
}

// begin admits one sign-in attempt for account (a normalised email) from
// addr (a client host; empty means unknown, not limited by address). When
// either bucket is empty it returns a *rateLimitedError.
func (l *signInLimiter) begin(account, addr string) (*attempt, error) {
	now := l.now()
	a := &attempt{l: l}
	admit := func(cache *expirable.LRU[string, *bucket], key string, every time.Duration, burst int) error {
		b := l.bucket(cache, key, every, burst)
		wait, ok := b.admit(now)
		if !ok {
			a.done(false)
			return &rateLimitedError{Wait: roundWait(wait)}
		}
		a.buckets = append(a.buckets, b)
		a.keys = append(a.keys, func() { l.renew(cache, key, b) })
		return nil
	}
	if err := admit(l.accounts, account, accountEvery, accountBurst); err != nil {
		return nil, err
	}
	if addr != "" {
		if err := admit(l.addrs, addr, addressEvery, addressBurst); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// done settles the attempt: failed means the password (or the account)
// was wrong, and consumes a token from each bucket. Calling done again
// does nothing.
func (a *attempt) done(failed bool) {
	if a == nil {
		return
	}
	now := a.l.now()
	for _, b := range a.buckets {
		b.settle(now, failed)
	}
	if failed {
		for _, renew := range a.keys {
			renew()
		}
	}
	a.buckets, a.keys = nil, nil
}

func (l *signInLimiter) bucket(cache *expirable.LRU[string, *bucket], key string, every time.Duration, burst int) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := cache.Get(key); ok {
		return b
	}
	b := &bucket{lim: rate.NewLimiter(rate.Every(every), burst)} // starts full
	cache.Add(key, b)
	return b
}

// renew restarts the TTL of key's entry after a failure, unless the entry
// was replaced meanwhile.
func (l *signInLimiter) renew(cache *expirable.LRU[string, *bucket], key string, b *bucket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := cache.Peek(key); !ok || cur == b {
		cache.Add(key, b)
	}
}

// roundWait rounds a wait up to whole seconds, at least one: what a client
// can act on. Float noise of the token arithmetic (20.000000001s) is
// dropped first.
func roundWait(d time.Duration) time.Duration {
	d = d.Round(time.Millisecond)
	d = (d + retryRoundingTo - 1).Truncate(retryRoundingTo)
	return max(d, minRetryAfter)
}
