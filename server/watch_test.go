package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// watchTimeout bounds every wait for a stream's next message.
const watchTimeout = 60 * time.Second

// watcher is one WatchOrder stream and what it is called.
type watcher struct {
	name   string
	stream orderv1connect.OrderServiceWatchOrderClientStream
}

// watchOrder opens a's stream of order id through tr, ended with the test.
func watchOrder(t *testing.T, name string, tr connect.Transport, a account, id string) watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	t.Cleanup(cancel)
	c := orderv1connect.NewOrderServiceClient(connect.NewClient(tr, rpc.StreamVerdict, auth.BearerToken(a.token)))
	stream, err := c.WatchOrder(ctx, &orderv1.WatchOrderRequest{Id: id})
	if err != nil {
		t.Fatalf("%s: WatchOrder: %v", name, err)
	}
	t.Cleanup(func() { _ = stream.Close() })
	return watcher{name, stream}
}

// next receives the stream's next order.
func (w watcher) next(t *testing.T) *orderv1.Order {
	t.Helper()
	res, err := w.stream.Receive()
	if err != nil {
		t.Fatalf("%s: Receive: %v", w.name, err)
	}
	return res.GetOrder()
}

// watchErr is the error a stream of order id as token's holder ends with
// before its first message.
func watchErr(t *testing.T, tr connect.Transport, token, id string) error {
	t.Helper()
	interceptors := []connect.ClientInterceptor{rpc.StreamVerdict}
	if token != "" {
		interceptors = append(interceptors, auth.BearerToken(token))
	}
	stream, err := orderv1connect.NewOrderServiceClient(connect.NewClient(tr, interceptors...)).
		WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: id})
	if err != nil {
		return err
	}
	defer stream.Close()
	_, err = stream.Receive()
	return err
}

// TestWatchOrder watches an order through the API as the order page would,
// over Connect and gRPC, as its owner and as an admin, in the monolith and
// through an entry forwarding to five processes: the first message is what
// GetOrder answers, then the payment (a signed webhook) and each admin
// move arrive in order, and the stream ends cleanly at delivery. A
// stranger gets NotFound, a caller without a token Unauthenticated.
func TestWatchOrder(t *testing.T) {
	t.Parallel()
	for name, setUp := range map[string]func(t *testing.T) (entry, users, orderSvc *instance){
		"monolith": func(t *testing.T) (*instance, *instance, *instance) {
			in := start(t, storage.SQLite, nil)
			return in, in, in
		},
		"five processes": func(t *testing.T) (*instance, *instance, *instance) {
			entry, services := startSplit(t, storage.SQLite)
			return entry, services["user"], services["order"]
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in, users, orderSvc := setUp(t)
			tr := in.httpTransport()
			alice, bob, admin := signUp(t, tr), signUp(t, tr), signUpAdmin(t, users, tr)
			created, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
				Lines:           []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, alice, buildertest.Basic()), Quantity: 1}},
				ShippingAddress: address(),
			})
			if err != nil {
				t.Fatalf("CreateOrder: %v", err)
			}
			o := created.GetOrder()
			watchers := []watcher{
				watchOrder(t, "owner over Connect", tr, alice, o.GetId()),
				watchOrder(t, "owner over gRPC", in.grpcTransport(), alice, o.GetId()),
				watchOrder(t, "admin over Connect", tr, admin, o.GetId()),
			}
			now := getOrder(t, orders(tr, alice), o.GetId())
			for _, w := range watchers[:2] {
				if first := w.next(t); !proto.Equal(first, now) {
					t.Errorf("%s: the first message differs from GetOrder:\n%v\n%v", w.name, first, now)
				}
			}
			if first := watchers[2].next(t); first.GetVersion() != now.GetVersion() || first.GetPayment().GetClientSecret() != "" {
				t.Errorf("admin: first message at version %d with secret %q, want version %d without the owner's secret",
					first.GetVersion(), first.GetPayment().GetClientSecret(), now.GetVersion())
			}

			expect := func(status orderv1.OrderStatus) {
				t.Helper()
				for _, w := range watchers {
					if got := w.next(t); got.GetStatus() != status || got.GetVersion() <= now.GetVersion() {
						t.Fatalf("%s: %v at version %d, want %v after version %d", w.name, got.GetStatus(), got.GetVersion(), status, now.GetVersion())
					}
				}
				now = getOrder(t, orders(tr, alice), o.GetId())
			}
			// The signed webhook, through the entry; the payment intent is
			// read from the order module's database.
			if _, err := server.DevPay(t.Context(), orderSvc.cfg, slogDiscard(), in.hs.URL, o.GetId(), "succeeded"); err != nil {
				t.Fatalf("DevPay: %v", err)
			}
			expect(orderv1.OrderStatus_ORDER_STATUS_PAID)
			for _, to := range []orderv1.OrderStatus{
				orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, orderv1.OrderStatus_ORDER_STATUS_SHIPPED, orderv1.OrderStatus_ORDER_STATUS_DELIVERED,
			} {
				if _, err := orders(tr, admin).AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: o.GetId(), Status: to}); err != nil {
					t.Fatalf("AdminMoveOrder %v: %v", to, err)
				}
				expect(to)
			}
			for _, w := range watchers {
				if _, err := w.stream.Receive(); !errors.Is(err, io.EOF) {
					t.Errorf("%s after delivery: %v, want the stream's clean end", w.name, err)
				}
			}

			// The streams are counted with their code, not timed (they would
			// swamp the latency quantiles), and none is left in flight.
			method := map[string]string{"rpc_service": "harness.order.v1.OrderService", "rpc_method": "WatchOrder"}
			testwait.Until(t, 30*time.Second, func() error {
				families := scrape(t, orderSvc.hs.URL)
				if n := value(families, "rpc_server_calls_in_flight", method); n != 0 {
					return fmt.Errorf("%v streams in flight, want 0", n)
				}
				if n := value(families, "rpc_server_calls_total", rpcLabels("harness.order.v1.OrderService", "WatchOrder", "ok")); n != 3 {
					return fmt.Errorf("%v WatchOrder calls ended ok, want 3", n)
				}
				return nil
			})
			if m := sample(scrape(t, orderSvc.hs.URL), "rpc_server_call_duration_seconds", method); m != nil {
				t.Errorf("WatchOrder's duration is observed: %v", m)
			}

			for what, tr := range map[string]connect.Transport{"Connect": tr, "gRPC": in.grpcTransport()} {
				if err := watchErr(t, tr, bob.token, o.GetId()); connect.CodeOf(err) != connect.CodeNotFound {
					t.Errorf("%s: a stranger's watch: %v, want not_found", what, err)
				}
				if err := watchErr(t, tr, "", o.GetId()); connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Errorf("%s: a watch without a token: %v, want unauthenticated", what, err)
				}
				if err := watchErr(t, tr, alice.token, uuid.NewString()); connect.CodeOf(err) != connect.CodeNotFound {
					t.Errorf("%s: an unknown order: %v, want not_found", what, err)
				}
			}

			if orderSvc == in {
				return
			}
			// Through the entry, a stream ends with Unavailable when the
			// order process shuts down (its verdict, forwarded), and when
			// the entry does.
			pending := newOrder(t, tr, alice)
			for _, stopping := range []*instance{orderSvc, in} {
				w := watchOrder(t, "owner through the entry", tr, alice, pending.GetId())
				w.next(t)
				stopping.p.EndStreams()
				if _, err := w.stream.Receive(); connect.CodeOf(err) != connect.CodeUnavailable {
					t.Errorf("the %s process stopping: %v, want unavailable", stopping.cfg.Role, err)
				}
			}
		})
	}
}
