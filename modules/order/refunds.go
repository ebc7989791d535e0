package order

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/harnesshero/platform/domain/lifecycle"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
)

// applyRefund applies a provider refund to o (ADR 0008). The event carries
// what the provider has refunded of the charge in all (Stripe's
// amount_refunded), so partial refunds add up without being counted twice:
// a refund that does not raise o's refunded_cents (a redelivery, an older
// event arriving late, the webhook of an admin's refund) changes nothing.
// A refund in another currency than the order's, or none, or of more than
// the order's total, is errPaymentMismatch and changes nothing. Otherwise
// refunded_cents grows; the order moves to REFUNDED once it reaches the
// total (order.refunded), else keeps its status (order.partially_refunded)
// — as does an order that can no longer be refunded (shipped, delivered),
// whose refund is still recorded.
func (s *service) applyRefund(ctx context.Context, o *orderv1.Order, p *orderv1.PaymentRefunded) (*events.Event, error) {
	if o.GetPayment().GetPaymentIntentId() != p.GetPaymentIntentId() {
		return nil, fmt.Errorf("%w: intent %s, order %s has %q", errPaymentMismatch, p.GetPaymentIntentId(), o.GetId(), o.GetPayment().GetPaymentIntentId())
	}
	if reason := refundMismatch(o, p); reason != "" {
		return nil, fmt.Errorf("%w: refund of order %s: %s", errPaymentMismatch, o.GetId(), reason)
	}
	refunded := int32(p.GetAmountCents()) // at most the total: refundMismatch
	before := o.GetPayment().GetRefundedCents()
	if refunded <= before {
		return nil, errUnchanged
	}
	now := s.now()
	o.Payment.RefundedCents = refunded
	o.Payment.RefundTime = now
	full := refunded == o.GetTotalCents()
	if full && lifecycle.CheckMove(lifecycle.ActorPayment, lifecycle.Status(o.GetStatus()), lifecycle.StatusRefunded) == nil {
		if err := move(o, lifecycle.ActorPayment, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, paymentActor, "refunded at the payment provider", now); err != nil {
			return nil, err
		}
		return moveEvent(o, refunded), nil
	}
	if full && o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REFUNDED {
		s.deps.Logger.WarnContext(ctx, "refund in full of an order that cannot move to refunded: recorded, status kept",
			"order", o.GetId(), "status", o.GetStatus())
	}
	o.Version++
	o.UpdateTime = now
	return &events.Event{
		AggregateID: o.GetId(),
		Payload: &orderv1.OrderPartiallyRefunded{
			Order: facts(o), AmountCents: refunded - before, RefundedCents: refunded,
		},
	}, nil
}

// refundMismatch is why a refund event is not one of o's payment — another
// or no currency (compared case-insensitively), or more than o's total —
// or "" when it is.
func refundMismatch(o *orderv1.Order, p *orderv1.PaymentRefunded) string {
	switch {
	case p.GetCurrency() == "" || !strings.EqualFold(p.GetCurrency(), o.GetCurrency()):
		return fmt.Sprintf("currency mismatch: refunded in %q, the order is in %q", p.GetCurrency(), o.GetCurrency())
	case p.GetAmountCents() < 0 || p.GetAmountCents() > int64(o.GetTotalCents()) || p.GetAmountCents() > math.MaxInt32:
		return fmt.Sprintf("amount mismatch: refunded %d of a %d-cent order", p.GetAmountCents(), o.GetTotalCents())
	}
	return ""
}
