package order_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/validation"
)

// watchTimeout bounds every wait for a stream's next message.
const watchTimeout = 30 * time.Second

// watch opens a's stream of order id, ended with the test.
func (e *env) watch(t *testing.T, a account, id string) orderv1connect.OrderServiceWatchOrderClientStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	t.Cleanup(cancel)
	stream, err := e.orders(a).WatchOrder(ctx, &orderv1.WatchOrderRequest{Id: id})
	if err != nil {
		t.Fatalf("WatchOrder: %v", err)
	}
	t.Cleanup(func() { _ = stream.Close() })
	return stream
}

// next receives the stream's next order, failing the test on an error.
func next(t *testing.T, stream orderv1connect.OrderServiceWatchOrderClientStream) *orderv1.Order {
	t.Helper()
	res, err := stream.Receive()
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return res.GetOrder()
}

// newOrder creates an order of one basic design for a.
func (e *env) newOrder(t *testing.T, a account) *orderv1.Order {
	t.Helper()
	res, err := e.orders(a).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: e.builder.save(a, basic()), Quantity: 1}}, ShippingAddress: address(),
	})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return res.GetOrder()
}

// TestWatchOrder follows an order from creation to delivery as its owner
// and an admin watch it: the first message is what GetOrder answers, then
// one message per change, in order — a failed payment, the payment, each
// admin move — and a clean end once the order is delivered.
func TestWatchOrder(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, admin := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleAdmin)
	o := e.newOrder(t, alice)
	owner, shop := e.watch(t, alice, o.GetId()), e.watch(t, admin, o.GetId())

	got, err := e.orders(alice).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if first := next(t, owner); !proto.Equal(first, got.GetOrder()) {
		t.Errorf("owner's first message differs from GetOrder:\n%v\n%v", first, got.GetOrder())
	}
	if first := next(t, shop); first.GetPayment().GetClientSecret() != "" || first.GetVersion() != got.GetOrder().GetVersion() {
		t.Errorf("admin's first message: version %d, client secret %q; want version %d and no secret",
			first.GetVersion(), first.GetPayment().GetClientSecret(), got.GetOrder().GetVersion())
	}

	version := got.GetOrder().GetVersion()
	expect := func(what string, check func(o *orderv1.Order) bool) {
		t.Helper()
		for name, stream := range map[string]orderv1connect.OrderServiceWatchOrderClientStream{"owner": owner, "admin": shop} {
			o := next(t, stream)
			if o.GetVersion() != version+1 || !check(o) {
				t.Fatalf("%s after %s: version %d, status %v, payment %v; want version %d", name, what, o.GetVersion(), o.GetStatus(), o.GetPayment(), version+1)
			}
		}
		version++
	}
	e.pay(t, o, "failed")
	expect("a failed payment", func(o *orderv1.Order) bool {
		return o.GetStatus() == orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT && o.GetPayment().GetFailureReason() != ""
	})
	e.pay(t, o, "succeeded")
	expect("the payment", func(o *orderv1.Order) bool { return o.GetStatus() == orderv1.OrderStatus_ORDER_STATUS_PAID })
	for _, to := range []orderv1.OrderStatus{
		orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, orderv1.OrderStatus_ORDER_STATUS_SHIPPED, orderv1.OrderStatus_ORDER_STATUS_DELIVERED,
	} {
		if _, err := e.orders(admin).AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: o.GetId(), Status: to}); err != nil {
			t.Fatalf("AdminMoveOrder %v: %v", to, err)
		}
		expect(to.String(), func(o *orderv1.Order) bool { return o.GetStatus() == to })
	}
	for name, stream := range map[string]orderv1connect.OrderServiceWatchOrderClientStream{"owner": owner, "admin": shop} {
		if _, err := stream.Receive(); !errors.Is(err, io.EOF) {
			t.Errorf("%s's stream after delivery: %v, want its clean end", name, err)
		}
	}
}

// TestWatchOrderRefused: another user's order is NotFound (as GetOrder
// answers), no token is Unauthenticated, a bad id names the field.
func TestWatchOrderRefused(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, bob := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleUser)
	o := e.newOrder(t, alice)
	watchErr := func(c orderv1connect.OrderServiceClient, id string) error {
		stream, err := c.WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: id})
		if err != nil {
			return err
		}
		defer stream.Close()
		_, err = stream.Receive()
		return err
	}
	if err := watchErr(e.orders(bob), o.GetId()); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("a stranger: %v, want not_found", err)
	}
	_, getErr := e.orders(bob).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
	if connect.CodeOf(getErr) != connect.CodeNotFound {
		t.Errorf("GetOrder by a stranger: %v, want not_found as WatchOrder", getErr)
	}
	anonymous := orderv1connect.NewOrderServiceClient(connect.NewClient(e.tr, rpc.StreamVerdict))
	if err := watchErr(anonymous, o.GetId()); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("no token: %v, want unauthenticated", err)
	}
	err := watchErr(e.orders(alice), "order-1")
	vs := validation.ViolationsOf(err)
	if len(vs) != 1 || vs[0].Path != "id" || vs[0].Rule != "string.uuid" || vs[0].Message != "Order id is not valid" {
		t.Errorf("a bad id: %v %v, want one violation of id", err, vs)
	}
	if err := watchErr(e.orders(alice), uuid.NewString()); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("an unknown order: %v, want not_found", err)
	}
}

// TestWatchOrderTokenExpires: a stream ends with Unauthenticated when the
// access token it started with expires.
func TestWatchOrderTokenExpires(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice := e.signIn(t, identity.RoleUser)
	o := e.newOrder(t, alice)
	// A token issued 15 minutes minus 1 s ago: it expires in a second.
	issued := time.Now().Add(-auth.AccessTokenTTL + time.Second)
	token, _, err := auth.NewIssuer(e.priv, func() time.Time { return issued }).Issue(identity.Identity{UserID: alice.id, Role: identity.RoleUser, SessionID: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	stream := e.watch(t, account{id: alice.id, token: token}, o.GetId())
	if first := next(t, stream); first.GetId() != o.GetId() {
		t.Fatalf("first message is order %s, want %s", first.GetId(), o.GetId())
	}
	if _, err := stream.Receive(); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("after the token expired: %v, want unauthenticated", err)
	}
}

// TestWatchOrderLeavesNothing: streams that end every way — the caller
// cancels, the order is delivered, the order is not found — leave no
// goroutine behind.
func TestWatchOrderLeavesNothing(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, admin := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleAdmin)
	delivered, open := e.newOrder(t, alice), e.newOrder(t, alice)
	e.pay(t, delivered, "succeeded")
	waitStatus(t, e.orders(alice), delivered.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	for _, to := range []orderv1.OrderStatus{
		orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, orderv1.OrderStatus_ORDER_STATUS_SHIPPED, orderv1.OrderStatus_ORDER_STATUS_DELIVERED,
	} {
		if _, err := e.orders(admin).AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: delivered.GetId(), Status: to}); err != nil {
			t.Fatal(err)
		}
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	for range 20 {
		// Canceled by its caller after the first message.
		ctx, cancel := context.WithCancel(t.Context())
		stream, err := e.orders(alice).WatchOrder(ctx, &orderv1.WatchOrderRequest{Id: open.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		next(t, stream)
		cancel()
		_ = stream.Close()
		// Ended by the server: nothing more can change.
		stream, err = e.orders(alice).WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: delivered.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		next(t, stream)
		if _, err := stream.Receive(); !errors.Is(err, io.EOF) {
			t.Fatalf("delivered order's stream: %v, want its end", err)
		}
		// Refused.
		stream, err = e.orders(admin).WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: uuid.NewString()})
		if err == nil {
			_, err = stream.Receive()
			_ = stream.Close()
		}
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("unknown order: %v", err)
		}
	}
}
