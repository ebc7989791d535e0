package order

import (
	"context"
	"time"

	"github.com/harnesshero/platform/domain/lifecycle"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/validation"
)

func (s *service) AdminListOrders(ctx context.Context, req *orderv1.AdminListOrdersRequest) (*orderv1.AdminListOrdersResponse, error) {
	var f filter
	if owner := req.GetOwnerId(); owner != "" {
		var err error
		if f.owner, err = rpc.ParseID("owner_id", owner); err != nil {
			return nil, err
		}
	}
	for _, st := range req.GetStatuses() {
		f.statuses = append(f.statuses, int32(st))
	}
	var violations []validation.Violation
	parse := func(path, value string) time.Time {
		if value == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			violations = append(violations, validation.Violation{Path: path, Rule: path + ".rfc3339", Message: "must be an RFC 3339 time, e.g. 2026-11-26T00:00:00Z"})
		}
		return t
	}
	f.after = parse("created_after", req.GetCreatedAfter())
	f.before = parse("created_before", req.GetCreatedBefore())
	if len(violations) > 0 {
		return nil, validation.Error(req, violations)
	}
	orders, next, err := s.page(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	for i, o := range orders {
		orders[i] = withoutSecret(o)
	}
	return &orderv1.AdminListOrdersResponse{Orders: orders, NextPageToken: next}, nil
}

func (s *service) AdminGetOrder(ctx context.Context, req *orderv1.AdminGetOrderRequest) (*orderv1.AdminGetOrderResponse, error) {
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.store.get(ctx, s.store.db, "", id)
	if err != nil {
		return nil, err
	}
	return &orderv1.AdminGetOrderResponse{Order: withoutSecret(o)}, nil
}

func (s *service) AdminMoveOrder(ctx context.Context, req *orderv1.AdminMoveOrderRequest) (*orderv1.AdminMoveOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	admin := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.mutate(ctx, s.store.db, "", id, req.ExpectedVersion, func(o *orderv1.Order) (*events.Event, error) {
		// Refunds move money: they go through AdminRefundOrder only.
		if err := move(o, lifecycle.ActorAdmin, req.GetStatus(), admin, req.GetNote(), s.now()); err != nil {
			return nil, err
		}
		return moveEvent(o, 0), nil
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.AdminMoveOrderResponse{Order: withoutSecret(o)}, nil
}

func (s *service) AdminRefundOrder(ctx context.Context, req *orderv1.AdminRefundOrderRequest) (*orderv1.AdminRefundOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	admin := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.store.get(ctx, s.store.db, "", id)
	if err != nil {
		return nil, err
	}
	if o.GetStatus() == orderv1.OrderStatus_ORDER_STATUS_REFUNDED {
		return &orderv1.AdminRefundOrderResponse{Order: withoutSecret(o)}, nil // already refunded: done
	}
	if err := lifecycle.CheckMove(lifecycle.ActorAdminRefund, lifecycle.Status(o.GetStatus()), lifecycle.StatusRefunded); err != nil {
		return nil, err
	}
	if o.GetPayment().GetPaymentIntentId() == "" {
		return nil, errNoPayment
	}
	// The provider refunds once per key, so a retry after a failure below
	// does not refund twice. What the provider refunded already (partial
	// refunds) is not refunded again.
	if _, err := s.deps.Payments.Refund(ctx, payment.RefundRequest{
		PaymentIntentID: o.GetPayment().GetPaymentIntentId(),
		AmountCents:     int64(o.GetTotalCents() - o.GetPayment().GetRefundedCents()),
		IdempotencyKey:  "refund-" + id, OrderID: id,
	}); err != nil {
		return nil, err
	}
	o, err = s.mutate(ctx, s.store.db, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
		if o.GetStatus() == orderv1.OrderStatus_ORDER_STATUS_REFUNDED {
			return nil, errUnchanged // the provider's webhook got there first
		}
		now := s.now()
		if err := move(o, lifecycle.ActorAdminRefund, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, admin, req.GetNote(), now); err != nil {
			return nil, err
		}
		o.Payment.RefundTime = now
		o.Payment.RefundedCents = o.GetTotalCents()
		return moveEvent(o, o.GetTotalCents()), nil
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.AdminRefundOrderResponse{Order: withoutSecret(o)}, nil
}
