package user

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"
)

// Sign-in throttling (docs/decisions/0004): failed sign-ins consume tokens
// from a bucket per account (in the database) and one per client address
// (in memory). An empty bucket is refused before the password is checked.
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

// signInLimiter throttles failed sign-ins per account and per address.
//
// An account's bucket is a row of user_sign_in_buckets (accountBuckets):
// a lock survives restarts, holds across replicas, and costs no memory, so
// no flood of sign-ins for other emails can evict it (the in-memory LRU it
// replaces could be flushed by 10,000 unknown emails). Only existing
// accounts have one: a sign-in for an unknown email locks nothing and is
// throttled by its address.
//
// Address buckets live in memory, in an LRU bounded to limiterKeys keys
// whose entries expire limiterKeyTTL after their last failure (by then any
// bucket has refilled); each replica throttles addresses on its own.
//
// A successful sign-in neither consumes nor refills tokens: after five
// failures the account waits for the bucket to refill even if the sixth
// attempt would succeed. That keeps the rule simple and the limiter free of
// any notion of "the right user".
//
// It is safe for concurrent use.
type signInLimiter struct {
	now      func() time.Time
	accounts *accountBuckets
	mu       sync.Mutex // serialises get-or-create of address buckets
	addrs    *expirable.LRU[string, *bucket]
}

func newSignInLimiter(now func() time.Time, accounts *accountBuckets) *signInLimiter {
	return &signInLimiter{
		now:      now,
		accounts: accounts,
		addrs:    expirable.NewLRU[string, *bucket](limiterKeys, nil, limiterKeyTTL),
	}
}

// attempt is an admitted sign-in attempt; end it with done.
type attempt struct {
	l       *signInLimiter
	account string  // the user id whose token the attempt holds; "" for none
	addr    *bucket // the address bucket it holds a token of; nil for none
	renew   func()  // renews the address's LRU entry after a failure
}

// begin admits one sign-in attempt for the account of user id account
// ("" for an unknown email: no account bucket) from addr (a client host;
// "" means unknown, not limited by address). The address is checked
// first, so a refused address takes nothing from the account. When either
// bucket is empty it returns a *rateLimitedError; other errors are the
// database's.
func (l *signInLimiter) begin(ctx context.Context, account, addr string) (*attempt, error) {
	now := l.now()
	a := &attempt{l: l}
	if addr != "" {
		b := l.bucket(addr)
		wait, ok := b.admit(now)
		if !ok {
			return nil, &rateLimitedError{Wait: roundWait(wait)}
		}
		a.addr, a.renew = b, func() { l.renewAddr(addr, b) }
	}
	if account != "" {
		wait, ok, err := l.accounts.take(ctx, account, now)
		if err != nil || !ok {
			a.done(ctx, false)
			if err != nil {
				return nil, err
			}
			return nil, &rateLimitedError{Wait: roundWait(wait)}
		}
		a.account = account
	}
	return a, nil
}

// done settles the attempt: failed means the password (or the account)
// was wrong, and consumes the token it holds of each bucket; otherwise
// the tokens go back. Calling done again does nothing.
func (a *attempt) done(ctx context.Context, failed bool) {
	if a == nil {
		return
	}
	now := a.l.now()
	if a.addr != nil {
		a.addr.settle(now, failed)
		if failed {
			a.renew()
		}
	}
	if a.account != "" && !failed {
		// A token not given back (the database failing now) errs on the
		// safe side: one attempt fewer.
		_ = a.l.accounts.give(context.WithoutCancel(ctx), a.account, now)
	}
	a.addr, a.account = nil, ""
}

func (l *signInLimiter) bucket(addr string) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.addrs.Get(addr); ok {
		return b
	}
	b := &bucket{lim: rate.NewLimiter(rate.Every(addressEvery), addressBurst)} // starts full
	l.addrs.Add(addr, b)
	return b
}

// renewAddr restarts the TTL of addr's entry after a failure, unless the
// entry was replaced meanwhile.
func (l *signInLimiter) renewAddr(addr string, b *bucket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.addrs.Peek(addr); !ok || cur == b {
		l.addrs.Add(addr, b)
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
