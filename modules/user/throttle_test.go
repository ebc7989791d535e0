package user_test

import (
	"fmt"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/storage"
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
