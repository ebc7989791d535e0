package order

import (
	"context"
	"errors"
	"fmt"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/idempotency"
	"github.com/harnesshero/platform/platform/rpc"
)

func (s *service) CreateOrder(ctx context.Context, req *orderv1.CreateOrderRequest) (*orderv1.CreateOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	owner := caller.UserID
	if err := checkOwner(ctx, s.store.db, owner); err != nil {
		return nil, err
	}
	key, err := idempotency.Key(ctx, req)
	if err != nil {
		return nil, err
	}
	hash := idempotency.Hash(req)
	if key != "" {
		if o, err := s.replay(ctx, req, owner, key, hash); o != nil || err != nil {
			return &orderv1.CreateOrderResponse{Order: o}, err
		}
	}
	lines, cart, err := s.price(ctx, req)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	now := timestamppb.New(s.deps.Now().UTC())
	o := &orderv1.Order{
		Id: id.String(), OwnerId: owner, Status: orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT,
		Lines: lines, SubtotalCents: cart.GetSubtotalCents(), ShippingCents: cart.GetShippingCents(),
		TotalCents: cart.GetTotalCents(), Currency: "usd", ShippingAddress: req.GetShippingAddress(),
		Payment: &orderv1.Payment{Provider: s.deps.Payments.Name()},
		History: []*orderv1.StatusChange{{
			To: orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT, Time: now, Actor: owner,
		}},
		Version: 1, CreateTime: now, UpdateTime: now,
	}
	var k *keyRow
	if key != "" {
		k = &keyRow{OwnerID: owner, Key: key, RequestHash: hash, OrderID: o.Id, CreatedAt: now.AsTime()}
	}
	err = s.store.create(ctx, o, k, events.Event{
		AggregateID: o.Id, Payload: &orderv1.OrderCreated{Order: facts(o)},
	})
	if errors.Is(err, errKeyTaken) {
		// A concurrent request with the same key won: answer with its order.
		o, err := s.replay(ctx, req, owner, key, hash)
		if err == nil && o == nil {
			err = errConflict
		}
		return &orderv1.CreateOrderResponse{Order: o}, err
	}
	if err != nil {
		return nil, err
	}
	o, err = s.ensurePayment(ctx, o)
	return &orderv1.CreateOrderResponse{Order: o}, err
}

// replay returns the order an idempotency key already made (with its
// payment ensured), nil when the key is new, or an error when the key was
// used for another request.
func (s *service) replay(ctx context.Context, req *orderv1.CreateOrderRequest, owner, key, hash string) (*orderv1.Order, error) {
	row, err := s.store.key(ctx, owner, key)
	if err != nil || row == nil {
		return nil, err
	}
	if row.RequestHash != hash {
		return nil, idempotency.Reused(req, "order")
	}
	o, err := s.store.get(ctx, s.store.db, owner, row.OrderID)
	if err != nil {
		return nil, err
	}
	return s.ensurePayment(ctx, o)
}

// price reads the caller's designs and has the builder price them, as the
// order's frozen lines. The builder decides ownership: another user's design
// is NotFound.
func (s *service) price(ctx context.Context, req *orderv1.CreateOrderRequest) ([]*orderv1.OrderLine, *builderv1.QuoteCartResponse, error) {
	lines := make([]*orderv1.OrderLine, 0, len(req.GetLines()))
	cartLines := make([]*builderv1.CartLine, 0, len(req.GetLines()))
	for i, in := range req.GetLines() {
		res, err := s.deps.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: in.GetDesignId()})
		if err != nil {
			return nil, nil, builderError(err, fmt.Sprintf("lines[%d].design_id: ", i))
		}
		d := res.GetDesign()
		lines = append(lines, &orderv1.OrderLine{DesignId: d.GetId(), DesignName: d.GetName(), Design: d.GetDesign()})
		cartLines = append(cartLines, &builderv1.CartLine{Design: d.GetDesign(), Quantity: in.GetQuantity()})
	}
	cart, err := s.deps.Catalog.QuoteCart(ctx, &builderv1.QuoteCartRequest{Lines: cartLines})
	if err != nil {
		return nil, nil, builderError(err, "lines: ")
	}
	if len(cart.GetLines()) != len(lines) {
		return nil, nil, fmt.Errorf("order: builder priced %d of %d lines", len(cart.GetLines()), len(lines))
	}
	for i, q := range cart.GetLines() {
		lines[i].Quote = q
	}
	return lines, cart, nil
}

// builderError re-authors a builder error as this module's own (a
// forwarded remote error would reach the caller as Internal).
func builderError(err error, prefix string) error {
	switch code := connect.CodeOf(err); code {
	case connect.CodeNotFound:
		return connect.NewError(code, prefix+"design not found").WithCause(err)
	case connect.CodeInvalidArgument:
		return connect.NewError(code, prefix+"a saved design no longer meets the catalog's rules: update it first").WithCause(err)
	case connect.CodeUnauthenticated, connect.CodePermissionDenied:
		return connect.NewError(code, prefix+"the builder refused the caller").WithCause(err)
	case connect.CodeCanceled, connect.CodeDeadlineExceeded:
		return connect.NewError(code, "request canceled").WithCause(err)
	default:
		return connect.NewError(connect.CodeUnavailable, "the builder is unavailable: retry").WithCause(err)
	}
}
