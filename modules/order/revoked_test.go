package order_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
)

// TestRevokedTokens: once the module has consumed user.deleted or
// user.sessions_revoked, the revoked access token gets Unauthenticated on
// every order RPC — GetOrder, ListOrders, CancelOrder (which changes
// nothing), WatchOrder — and a WatchOrder stream it opened before ends,
// Unauthenticated. Other sessions of the user (after a sign-out) and other
// users are not affected.
func TestRevokedTokens(t *testing.T) {
	for _, engine := range []storage.Engine{storage.SQLite, storage.Postgres} {
		for _, tc := range []struct {
			name string
			// revoke is the event the user module records.
			revoke func(userID, sessionID string) events.Event
			// otherSession reports whether another session of the user
			// keeps working.
			otherSession bool
			message      string
		}{
			{
				name: "account deleted",
				revoke: func(userID, _ string) events.Event {
					return events.Event{AggregateID: userID, Payload: &userv1.UserDeleted{UserId: userID}}
				},
				message: "this account has been deleted",
			},
			{
				name: "signed out",
				revoke: func(userID, sessionID string) events.Event {
					return events.Event{AggregateID: userID, Payload: &userv1.UserSessionsRevoked{
						UserId: userID, SessionIds: []string{sessionID}, Reason: "signed out",
					}}
				},
				otherSession: true,
				message:      "session has ended: sign in again",
			},
		} {
			t.Run(fmt.Sprint(engine, "/", tc.name), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, engine)
				sid := uuid.NewString()
				alice := e.session(t, uuid.NewString(), sid, identity.RoleUser)
				other := e.session(t, alice.id, uuid.NewString(), identity.RoleUser)
				bob := e.signIn(t, identity.RoleUser)
				admin := e.signIn(t, identity.RoleAdmin)
				o := e.newOrder(t, alice)
				bobs := e.newOrder(t, bob)
				stream := e.watch(t, alice, o.GetId())
				if first := next(t, stream); first.GetId() != o.GetId() {
					t.Fatalf("first message is order %s, want %s", first.GetId(), o.GetId())
				}

				recorded := time.Now()
				if _, err := events.Record(t.Context(), e.db, tc.revoke(alice.id, sid)); err != nil {
					t.Fatal(err)
				}
				// The open stream ends once the module hears of it.
				_, err := stream.Receive()
				if connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Fatalf("the open stream: %v, want unauthenticated", err)
				}
				// And the RPCs refuse the token once the consumer recorded it.
				c := e.orders(alice)
				waitFor(t, func() error {
					_, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
					if connect.CodeOf(err) != connect.CodeUnauthenticated {
						return fmt.Errorf("GetOrder: %v, want unauthenticated", connect.CodeOf(err))
					}
					return nil
				})
				t.Logf("refused %v after the event was recorded", time.Since(recorded).Round(time.Millisecond))
				calls := map[string]func() error{
					"GetOrder": func() error {
						_, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
						return err
					},
					"ListOrders": func() error {
						_, err := c.ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
						return err
					},
					"CancelOrder": func() error {
						_, err := c.CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o.GetId()})
						return err
					},
					"CreateOrder": func() error {
						_, err := c.CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
							Lines: []*orderv1.OrderLineInput{{DesignId: e.builder.save(alice, basic()), Quantity: 1}}, ShippingAddress: address(),
						})
						return err
					},
					"WatchOrder": func() error {
						s, err := c.WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: o.GetId()})
						if err != nil {
							return err
						}
						defer s.Close()
						_, err = s.Receive()
						return err
					},
				}
				for name, call := range calls {
					err := call()
					if cerr, ok := errors.AsType[*connect.Error](err); !ok || cerr.Code() != connect.CodeUnauthenticated || cerr.Message() != tc.message {
						t.Errorf("%s with the revoked token: %v, want unauthenticated %q", name, err, tc.message)
					}
				}
				got, err := e.orders(admin).AdminGetOrder(t.Context(), &orderv1.AdminGetOrderRequest{Id: o.GetId()})
				if err != nil {
					t.Fatalf("AdminGetOrder: %v", err)
				}
				if got.GetOrder().GetStatus() == orderv1.OrderStatus_ORDER_STATUS_CANCELLED {
					t.Error("CancelOrder with the revoked token cancelled the order")
				}

				_, err = e.orders(other).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
				if tc.otherSession && err != nil {
					t.Errorf("GetOrder from the user's other session: %v, want it to work", err)
				}
				if !tc.otherSession && connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Errorf("GetOrder from the deleted user's other session: %v, want unauthenticated", err)
				}
				if _, err := e.orders(bob).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: bobs.GetId()}); err != nil {
					t.Errorf("another user's GetOrder: %v, want it to work", err)
				}
			})
		}
	}
}

// session returns a caller of user id in session sid, with role: the
// token the user module would issue.
func (e *env) session(t *testing.T, id, sid string, role identity.Role) account {
	t.Helper()
	token, _, err := e.issuer.Issue(identity.Identity{UserID: id, Role: role, SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	return account{id: id, token: token}
}

// waitFor retries check until it returns nil, failing the test with its
// last error after a deadline.
func waitFor(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
