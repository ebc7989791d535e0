// Package testwait lets tests wait for an effect with a deadline instead of
// sleeping: the one polling helper of the repository's tests.
package testwait

import (
	"testing"
	"time"
)

// Until calls cond until it returns nil, pausing between calls (5 ms at
// first, growing to 100 ms), and fails t with cond's last error when that
// does not happen within d or when t's context ends. cond runs on the
// calling goroutine, so it may itself stop the test with t.Fatal (for a
// state that can never turn into the awaited one). Until must be called
// from the goroutine running the test.
func Until(t testing.TB, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	pause := 5 * time.Millisecond
	timer := time.NewTimer(pause)
	defer timer.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %v", d, err)
		}
		timer.Reset(min(pause, time.Until(deadline)+time.Millisecond))
		select {
		case <-t.Context().Done():
			t.Fatalf("test ended while waiting: %v", err)
		case <-timer.C:
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}
