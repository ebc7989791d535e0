package order

import (
	"context"
	"errors"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/harnesshero/platform/domain/lifecycle"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/revocation"
	"github.com/harnesshero/platform/platform/rpc"
)

// errUnchanged tells mutate that fn left the order as it was.
var errUnchanged = errors.New("order: unchanged")

// service implements OrderService. Customers reach only their own orders:
// the owner is in every query's WHERE clause.
type service struct {
	deps  Deps
	store *store
	hub   hub   // this process's WatchOrder streams
	slots slots // and their caps
	// tokens are the revoked access tokens every RPC refuses.
	tokens *revocation.List
}

var _ orderv1connect.OrderServiceHandler = (*service)(nil)

func (s *service) now() *timestamppb.Timestamp { return timestamppb.New(s.deps.Now().UTC()) }

// mutate reads order id (owner's, when owner is set), lets fn change it,
// and saves it with fn's event if nobody changed it meanwhile; otherwise it
// reads again and retries — unless expected pins the version, in which case
// a concurrent change is errVersionMismatch/errConflict. fn returns
// errUnchanged to leave the order as it is.
func (s *service) mutate(ctx context.Context, db bun.IDB, owner, id string, expected *int64, fn func(o *orderv1.Order) (*events.Event, error)) (*orderv1.Order, error) {
	for attempt := 0; ; attempt++ {
		o, err := s.store.get(ctx, db, owner, id)
		if err != nil {
			return nil, err
		}
		if expected != nil && o.GetVersion() != *expected {
			return nil, errVersionMismatch
		}
		prev := o.GetVersion()
		ev, err := fn(o)
		if errors.Is(err, errUnchanged) {
			return o, nil
		}
		if err != nil {
			return nil, err
		}
		err = s.store.save(ctx, db, o, prev, ev)
		if errors.Is(err, errConflict) && expected == nil && attempt < 5 {
			continue
		}
		return o, err
	}
}

func (s *service) GetOrder(ctx context.Context, req *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	owner := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.store.get(ctx, s.store.db, owner, id)
	if err != nil {
		return nil, err
	}
	// An order whose payment could not be started yet gets another try.
	if paid, err := s.ensurePayment(ctx, o); err == nil {
		o = paid
	}
	return &orderv1.GetOrderResponse{Order: o}, nil
}

func (s *service) ListOrders(ctx context.Context, req *orderv1.ListOrdersRequest) (*orderv1.ListOrdersResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	owner := caller.UserID
	orders, next, err := s.page(ctx, filter{owner: owner}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &orderv1.ListOrdersResponse{Orders: orders, NextPageToken: next}, nil
}

func (s *service) CancelOrder(ctx context.Context, req *orderv1.CancelOrderRequest) (*orderv1.CancelOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	owner := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.mutate(ctx, s.store.db, owner, id, nil, func(o *orderv1.Order) (*events.Event, error) {
		if err := move(o, lifecycle.ActorCustomer, orderv1.OrderStatus_ORDER_STATUS_CANCELLED, owner, "cancelled by the customer", s.now()); err != nil {
			return nil, err
		}
		return moveEvent(o, 0), nil
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelOrderResponse{Order: o}, nil
}

// page lists one page of orders matching f.
func (s *service) page(ctx context.Context, f filter, size int32, token string) ([]*orderv1.Order, string, error) {
	page, err := rpc.ParsePage(size, token)
	if err != nil {
		return nil, "", err
	}
	f.beforeID = page.After
	f.limit = page.Size + 1 // one more tells whether a next page exists
	orders, err := s.store.list(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(orders) > page.Size {
		orders = orders[:page.Size]
		next = rpc.NextToken(orders[page.Size-1].GetId())
	}
	return orders, next, nil
}

// withoutSecret returns o without the payment's client secret, which only
// the owner sees.
func withoutSecret(o *orderv1.Order) *orderv1.Order {
	if o.GetPayment().GetClientSecret() == "" {
		return o
	}
	c := proto.CloneOf(o)
	c.Payment.ClientSecret = ""
	return c
}

// move applies a checked move to o in memory: status, history, version and
// times. The caller saves it.
func move(o *orderv1.Order, actor lifecycle.Actor, to orderv1.OrderStatus, who, note string, now *timestamppb.Timestamp) error {
	from := o.GetStatus()
	if err := lifecycle.CheckMove(actor, lifecycle.Status(from), lifecycle.Status(to)); err != nil {
		return err
	}
	if lifecycle.PaidAfterCancellation(lifecycle.Status(from), lifecycle.Status(to)) {
		o.PaidAfterCancellation = true
		if note == "" {
			note = "paid after cancellation: refund or ship"
		}
	}
	o.Status = to
	o.History = append(o.History, &orderv1.StatusChange{From: from, To: to, Time: now, Actor: who, Note: note})
	o.Version++
	o.UpdateTime = now
	return nil
}
