package order

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	domain "github.com/harnesshero/platform/domain/order"
	"github.com/harnesshero/platform/events"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/payment"
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
		return nil, nil
	})
}

// handlePayment applies a payment event recorded by the webhook module,
// once (events.Once), in the same transaction as its order.* event.
func (s *service) handlePayment(ctx context.Context, env *eventsv1.Envelope) error {
	if env.GetVersion() != 1 {
		return fmt.Errorf("order: %s version %d not understood", env.GetType(), env.GetVersion())
	}
	msg, err := env.GetPayload().UnmarshalNew()
	if err != nil {
		return fmt.Errorf("order: %s payload: %w", env.GetType(), err)
	}
	_, err = events.Once(ctx, s.store.db, "order_processed_events", Consumer, env, func(ctx context.Context, tx bun.Tx) error {
		err := s.applyPayment(ctx, tx, msg)
		if errors.Is(err, errNotFound) {
			// Not one of our orders (another environment on the same
			// provider account): acknowledge and move on.
			s.deps.Logger.WarnContext(ctx, "payment event for an unknown order", "type", env.GetType(), "event", env.GetId())
			return nil
		}
		return err
	})
	return err
}

func (s *service) applyPayment(ctx context.Context, tx bun.Tx, msg proto.Message) error {
	// The order id comes from the payment's metadata; without it, the
	// payment intent names the order.
	orderOf := func(orderID, intentID string) (string, error) {
		if orderID != "" {
			return orderID, nil
		}
		if intentID == "" {
			return "", errNotFound
		}
		return s.store.idByIntent(ctx, tx, intentID)
	}
	var err error
	switch p := msg.(type) {
	case *orderv1.PaymentSucceeded:
		id, ierr := orderOf(p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			switch {
			case intentMismatch(o, p.GetPaymentIntentId()):
				s.deps.Logger.ErrorContext(ctx, "payment for another intent of the order", "order", o.GetId(), "intent", p.GetPaymentIntentId())
				return nil, errUnchanged
			case p.GetAmountCents() != int64(o.GetTotalCents()):
				return paymentFailure(o, fmt.Sprintf("amount mismatch: received %d, expected %d cents", p.GetAmountCents(), o.GetTotalCents()), s)
			}
			if domain.CheckMove(domain.ActorPayment, domain.Status(o.GetStatus()), domain.StatusPaid) != nil {
				return nil, errUnchanged // already paid (or later): a duplicate
			}
			now := s.now()
			if err := move(o, domain.ActorPayment, orderv1.OrderStatus_ORDER_STATUS_PAID, paymentActor, "", now); err != nil {
				return nil, err
			}
			o.Payment.PaidTime = now
			o.Payment.PaymentIntentId = p.GetPaymentIntentId()
			return moveEvent(o, 0), nil
		})
	case *orderv1.PaymentFailed:
		id, ierr := orderOf(p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || intentMismatch(o, p.GetPaymentIntentId()) {
				return nil, errUnchanged
			}
			return paymentFailure(o, p.GetReason(), s)
		})
	case *orderv1.PaymentRefunded:
		id, ierr := orderOf(p.GetOrderId(), p.GetPaymentIntentId())
		if ierr != nil {
			return ierr
		}
		_, err = s.mutate(ctx, tx, "", id, nil, func(o *orderv1.Order) (*events.Event, error) {
			if domain.CheckMove(domain.ActorPayment, domain.Status(o.GetStatus()), domain.StatusRefunded) != nil {
				if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REFUNDED {
					s.deps.Logger.WarnContext(ctx, "refund for an order that cannot be refunded", "order", o.GetId(), "status", o.GetStatus())
				}
				return nil, errUnchanged
			}
			now := s.now()
			if err := move(o, domain.ActorPayment, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, paymentActor, "refunded at the payment provider", now); err != nil {
				return nil, err
			}
			o.Payment.RefundTime = now
			return moveEvent(o, int32(p.GetAmountCents())), nil
		})
	default:
		return fmt.Errorf("order: unexpected payment payload %T", msg)
	}
	return err
}

func intentMismatch(o *orderv1.Order, intentID string) bool {
	have := o.GetPayment().GetPaymentIntentId()
	return have != "" && intentID != "" && have != intentID
}

// paymentFailure records a failed payment: the order stays
// PENDING_PAYMENT, the failure is kept, and order.payment_failed recorded.
func paymentFailure(o *orderv1.Order, reason string, s *service) (*events.Event, error) {
	now := s.now()
	if o.Payment == nil {
		o.Payment = &orderv1.Payment{}
	}
	o.Payment.FailureReason = reason
	o.Payment.FailureTime = now
	o.Version++
	o.UpdateTime = now
	return &events.Event{
		Type: events.OrderPaymentFailed, AggregateID: o.GetId(),
		Payload: &orderv1.OrderPaymentFailed{Order: facts(o), Reason: reason},
	}, nil
}
