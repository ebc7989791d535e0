package order

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/domain/lifecycle"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
)

// paymentActor is who the history names for provider-driven moves.
const paymentActor = "payment-provider"

// ensurePayment starts the payment of a pending order that has none yet.
// The provider dedups by the order's id, so concurrent or repeated calls
// make one payment.
func (s *service) ensurePayment(ctx context.Context, o *orderv1.Order) (*orderv1.Order, error) {
	if o.GetPayment().GetPaymentIntentId() != "" || o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT {
		return o, nil
	}
	intent, err := s.deps.Payments.CreateIntent(ctx, payment.IntentRequest{
		OrderID: o.GetId(), AmountCents: int64(o.GetTotalCents()), Currency: o.GetCurrency(),
		IdempotencyKey: "order-" + o.GetId(),
	})
	if err != nil {
		return o, err
	}
	return s.mutate(ctx, s.store.db, "", o.GetId(), nil, func(o *orderv1.Order) (*events.Event, error) {
		if o.GetPayment().GetPaymentIntentId() != "" {
			return nil, errUnchanged
		}
		if o.Payment == nil {
			o.Payment = &orderv1.Payment{}
		}
		o.Payment.Provider = s.deps.Payments.Name()
		o.Payment.PaymentIntentId = intent.ID
		o.Payment.ClientSecret = intent.ClientSecret
		o.Version++
		o.UpdateTime = s.now()
		return &events.Event{
			AggregateID: o.GetId(),
			Payload:     &orderv1.OrderPaymentStarted{Order: facts(o), Provider: o.GetPayment().GetProvider()},
		}, nil
	})
}

// processedTable is the module's processed-events table (events.Typed).
const processedTable = "order_processed_events"

// paymentHandlers are the handlers of the payment events the webhook
// module records, by event type.
func (s *service) paymentHandlers() map[string]events.Handler {
	db := s.store.db
	return map[string]events.Handler{
		events.TypeOf(&orderv1.PaymentSucceeded{}): events.Typed(db, processedTable, Consumer, handlePayment[*orderv1.PaymentSucceeded](s)),
		events.TypeOf(&orderv1.PaymentFailed{}):    events.Typed(db, processedTable, Consumer, handlePayment[*orderv1.PaymentFailed](s)),
		events.TypeOf(&orderv1.PaymentRefunded{}):  events.Typed(db, processedTable, Consumer, handlePayment[*orderv1.PaymentRefunded](s)),
	}
}

// handlePayment applies a payment event of type P recorded by the webhook
// module, in the transaction events.Typed runs it in (once per event),
// with its order.* event.
func handlePayment[P proto.Message](s *service) func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope, p P) error {
	return func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope, p P) error {
		err := s.applyPayment(ctx, tx, p)
		switch {
		case errors.Is(err, errNotFound):
			// Not one of our orders (another environment on the same
			// provider account): acknowledge and move on.
			s.deps.Logger.WarnContext(ctx, "payment event for an unknown order", "type", env.GetType(), "event", env.GetId())
			return nil
		case errors.Is(err, errPaymentMismatch):
			s.deps.Logger.ErrorContext(ctx, "payment event ignored", "type", env.GetType(), "event", env.GetId(), "error", err)
			return nil
		}
		return err
	}
}

// errPaymentMismatch reports a payment event that is not about the order's
// recorded payment: it changes nothing.
var errPaymentMismatch = errors.New("order: payment event does not match the order's payment")

// paymentOrder returns the id of the order a payment event is about: the
// order whose recorded payment intent the event names. The metadata's
// order id is not trusted on its own: when present it must name the same
// order, else errPaymentMismatch. An intent of no order is errNotFound.
func (s *service) paymentOrder(ctx context.Context, tx bun.Tx, orderID, intentID string) (string, error) {
	if intentID == "" {
		return "", fmt.Errorf("%w: the event names no payment intent (metadata order %q)", errPaymentMismatch, orderID)
	}
	id, err := s.store.idByIntent(ctx, tx, intentID)
	if err != nil {
		return "", err
	}
	if orderID != "" && orderID != id {
		return "", fmt.Errorf("%w: intent %s is order %s's, the metadata names order %s", errPaymentMismatch, intentID, id, orderID)
	}
	return id, nil
}

func (s *service) applyPayment(ctx context.Context, tx bun.Tx, msg proto.Message) error {
	var err error
	switch p := msg.(type) {
	case *orderv1.PaymentSucceeded:
		id, ierr := s.paymentOrder(ctx, tx, p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			if o.GetPayment().GetPaymentIntentId() != p.GetPaymentIntentId() {
				return nil, fmt.Errorf("%w: intent %s, order %s has %q", errPaymentMismatch, p.GetPaymentIntentId(), o.GetId(), o.GetPayment().GetPaymentIntentId())
			}
			payable := lifecycle.CheckMove(lifecycle.ActorPayment, lifecycle.Status(o.GetStatus()), lifecycle.StatusPaid) == nil
			if reason := paymentMismatch(o, p); reason != "" {
				// The money came in, but not as this order's payment: it
				// pays nothing, and someone has to refund it by hand.
				s.deps.Logger.ErrorContext(ctx, "payment does not pay the order: refund it at the provider",
					"order", o.GetId(), "intent", p.GetPaymentIntentId(), "reason", reason, "status", o.GetStatus())
				if !payable {
					return nil, errUnchanged // paid already: keep it as it is
				}
				return paymentFailure(o, reason, s)
			}
			if !payable {
				return nil, errUnchanged // already paid (or later): a duplicate
			}
			now := s.now()
			if err := move(o, lifecycle.ActorPayment, orderv1.OrderStatus_ORDER_STATUS_PAID, paymentActor, "", now); err != nil {
				return nil, err
			}
			// An earlier declined attempt stays in the history, not as
			// the reason of a paid order.
			o.Payment.PaidTime, o.Payment.FailureReason, o.Payment.FailureTime = now, "", nil
			return moveEvent(o, 0), nil
		})
	case *orderv1.PaymentFailed:
		id, ierr := s.paymentOrder(ctx, tx, p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || o.GetPayment().GetPaymentIntentId() != p.GetPaymentIntentId() {
				return nil, errUnchanged
			}
			return paymentFailure(o, p.GetReason(), s)
		})
	case *orderv1.PaymentRefunded:
		id, ierr := s.paymentOrder(ctx, tx, p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			return s.applyRefund(ctx, o, p)
		})
	default:
		return fmt.Errorf("order: unexpected payment payload %T", msg)
	}
	return err
}

// paymentMismatch is why a successful payment does not pay o — another
// amount, or another or no currency (compared case-insensitively: Stripe
// sends "usd") — or "" when it pays it.
func paymentMismatch(o *orderv1.Order, p *orderv1.PaymentSucceeded) string {
	switch {
	case p.GetCurrency() == "" || !strings.EqualFold(p.GetCurrency(), o.GetCurrency()):
		return fmt.Sprintf("currency mismatch: received %q, expected %q", p.GetCurrency(), o.GetCurrency())
	case p.GetAmountCents() != int64(o.GetTotalCents()):
		return fmt.Sprintf("amount mismatch: received %d, expected %d cents", p.GetAmountCents(), o.GetTotalCents())
	}
	return ""
}

// paymentFailure records a failed payment: the order stays
// PENDING_PAYMENT, the failure is kept as the payment's last and in the
// order's history, and order.payment_failed recorded.
func paymentFailure(o *orderv1.Order, reason string, s *service) (*events.Event, error) {
	now := s.now()
	if o.Payment == nil {
		o.Payment = &orderv1.Payment{}
	}
	o.Payment.FailureReason = reason
	o.Payment.FailureTime = now
	o.History = append(o.History, &orderv1.StatusChange{
		From: o.GetStatus(), To: o.GetStatus(), Time: now, Actor: paymentActor, Note: "payment failed: " + reason,
	})
	o.Version++
	o.UpdateTime = now
	return &events.Event{
		AggregateID: o.GetId(),
		Payload:     &orderv1.OrderPaymentFailed{Order: facts(o), Reason: reason},
	}, nil
}
