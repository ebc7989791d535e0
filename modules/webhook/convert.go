package webhook

import (
	"context"

	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/payment"
)

// toEvent is the payload of the platform event of a provider event, or nil for an event
// the platform does not act on. The order module finds the order by the
// payment intent (the metadata's order id must agree with it), so an event
// without an intent is not acted on. A refund, partial or full, carries
// what the provider has refunded of the charge in all and its currency: the
// order module, which knows the order's total and currency, decides (ADR
// 0008).
func (h *handler) toEvent(ctx context.Context, ev payment.Event) proto.Message {
	if ev.PaymentIntentID == "" {
		if ev.Kind != payment.EventOther {
			h.deps.Logger.WarnContext(ctx, "webhook: payment event without a payment intent ignored",
				"event", ev.ID, "type", ev.Type, "order", ev.OrderID)
		}
		return nil
	}
	switch ev.Kind {
	case payment.EventPaymentSucceeded:
		return &orderv1.PaymentSucceeded{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			AmountCents: ev.AmountCents, Currency: ev.Currency, ProviderEventId: ev.ID,
		}
	case payment.EventPaymentFailed:
		return &orderv1.PaymentFailed{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			Reason: ev.FailureReason, ProviderEventId: ev.ID,
		}
	case payment.EventRefunded:
		// Partial refunds too: the order module records what the provider
		// has refunded in all and moves the order once it is the total.
		return &orderv1.PaymentRefunded{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			AmountCents: ev.AmountCents, Currency: ev.Currency, ProviderEventId: ev.ID,
		}
	default:
		return nil
	}
}
