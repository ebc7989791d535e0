package order_test

import (
	"context"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
)

// TestWatchLimits: a user's streams beyond the per-user cap, and anyone's
// beyond the process's, are refused with ResourceExhausted saying the
// limit, while others still watch; a closed stream frees its slot.
func TestWatchLimits(t *testing.T) {
	const perUser, total = 3, 5
	e := newEnv(t, storage.SQLite, func(d *order.Deps) { d.Watch = order.WatchLimits{PerUser: perUser, Total: total} })
	alice, bob, carol, dave := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleUser)
	orders := map[string]string{}
	for _, a := range []account{alice, bob, carol, dave} {
		orders[a.id] = e.newOrder(t, a).GetId()
	}
	// open starts a's stream of their order and returns its end (call it
	// to close the stream), or the error its first Receive meets.
	open := func(t *testing.T, a account) (func(), error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
		stream, err := e.orders(a).WatchOrder(ctx, &orderv1.WatchOrderRequest{Id: orders[a.id]})
		if err == nil {
			_, err = stream.Receive()
		}
		if err != nil {
			cancel()
			return nil, err
		}
		end := func() {
			cancel()
			_ = stream.Close()
		}
		t.Cleanup(end)
		return end, nil
	}
	mustOpen := func(t *testing.T, a account) func() {
		t.Helper()
		end, err := open(t, a)
		if err != nil {
			t.Fatalf("WatchOrder: %v", err)
		}
		return end
	}
	refused := func(t *testing.T, a account, says string) {
		t.Helper()
		_, err := open(t, a)
		if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), says) {
			t.Fatalf("WatchOrder beyond the cap: %v, want resource_exhausted saying %q", err, says)
		}
	}
	// reopen waits, with a deadline, until a may watch again: the server
	// frees a slot when it sees the stream end.
	reopen := func(t *testing.T, a account) func() {
		t.Helper()
		deadline := time.Now().Add(watchTimeout)
		for {
			end, err := open(t, a)
			if err == nil {
				return end
			}
			if connect.CodeOf(err) != connect.CodeResourceExhausted || time.Now().After(deadline) {
				t.Fatalf("WatchOrder after a stream closed: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	var alices []func()
	for range perUser {
		alices = append(alices, mustOpen(t, alice))
	}
	refused(t, alice, "one user may watch 3 at once")
	mustOpen(t, bob) // another user still watches
	alices[0]()
	alices[0] = reopen(t, alice)
	refused(t, alice, "one user may watch 3 at once")

	// alice 3, bob 1: carol takes the process's last slot.
	carols := mustOpen(t, carol)
	refused(t, dave, "the server watches 5 at once")
	carols()
	reopen(t, dave)
}
