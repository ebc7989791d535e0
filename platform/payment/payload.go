package payment

import (
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/stripe/stripe-go/v83"
)

// eventJSON is the part of a Stripe event NewEventPayload writes.
type eventJSON struct {
	ID              string        `json:"id"`
	Object          string        `json:"object"`
	APIVersion      string        `json:"api_version"`
	Created         int64         `json:"created"`
	Livemode        bool          `json:"livemode"`
	PendingWebhooks int           `json:"pending_webhooks"`
	Request         eventRequest  `json:"request"`
	Type            string        `json:"type"`
	Data            eventDataJSON `json:"data"`
}

type eventRequest struct {
	ID             *string `json:"id"`
	IdempotencyKey *string `json:"idempotency_key"`
}

type eventDataJSON struct {
	Object any `json:"object"`
}

type metadataJSON struct {
	OrderID string `json:"order_id"`
}

// intentJSON is a Stripe payment_intent object.
type intentJSON struct {
	ID               string        `json:"id"`
	Object           string        `json:"object"`
	Amount           int64         `json:"amount"`
	AmountReceived   int64         `json:"amount_received"`
	Currency         string        `json:"currency"`
	Status           string        `json:"status"`
	Created          int64         `json:"created"`
	Livemode         bool          `json:"livemode"`
	Metadata         metadataJSON  `json:"metadata"`
	LastPaymentError *paymentError `json:"last_payment_error"`
}

// paymentError is a Stripe last_payment_error.
type paymentError struct {
	Type        string `json:"type"`
	Code        string `json:"code"`
	DeclineCode string `json:"decline_code"`
	Message     string `json:"message"`
}

// chargeJSON is a Stripe charge object.
type chargeJSON struct {
	ID             string       `json:"id"`
	Object         string       `json:"object"`
	Amount         int64        `json:"amount"`
	AmountCaptured int64        `json:"amount_captured"`
	AmountRefunded int64        `json:"amount_refunded"`
	Captured       bool         `json:"captured"`
	Currency       string       `json:"currency"`
	Paid           bool         `json:"paid"`
	PaymentIntent  string       `json:"payment_intent"`
	Refunded       bool         `json:"refunded"`
	Status         string       `json:"status"`
	Created        int64        `json:"created"`
	Livemode       bool         `json:"livemode"`
	Metadata       metadataJSON `json:"metadata"`
}

// EventSpec describes an event for NewEvent.
type EventSpec struct {
	// Kind is the event: EventPaymentSucceeded, EventPaymentFailed,
	// EventRefunded, or EventOther ("payment_intent.created").
	Kind EventKind
	// IntentID is the payment intent the event is about.
	IntentID string
	// OrderID is written as metadata.order_id (empty for a payment the
	// platform did not create, or a charge that did not inherit it).
	OrderID string
	// AmountCents is the intent's amount (received, for a success), or
	// the charge's captured amount, for a refund.
	AmountCents int64
	// Currency is written as is (Stripe sends lower case, e.g. "usd"); an
	// empty one is written empty.
	Currency string
	// FailureReason is last_payment_error.message, for EventPaymentFailed.
	FailureReason string
	// RefundedCents is the charge's amount_refunded, for EventRefunded;
	// 0 refunds AmountCents, the whole charge. The charge is "refunded"
	// (Stripe's flag for a full refund) when RefundedCents is 0 or
	// AmountCents.
	RefundedCents int64
}

// NewEventPayload returns NewEvent of an EventSpec with the given fields:
// a refund it builds refunds the whole charge.
func NewEventPayload(kind EventKind, intentID, orderID string, amountCents int64, currency, failureReason string) []byte {
	return NewEvent(EventSpec{
		Kind: kind, IntentID: intentID, OrderID: orderID, AmountCents: amountCents,
		Currency: currency, FailureReason: failureReason,
	})
}

// NewEvent returns a Stripe-shaped event JSON of spec: a new unique
// "evt_…" id, object "event", the event type, created now, stripe-go's
// api_version, and data.object a payment_intent (EventPaymentSucceeded,
// EventPaymentFailed with the failure reason as last_payment_error.message,
// EventOther as "payment_intent.created") or a charge of the intent
// (EventRefunded) refunded in full or in part, each carrying
// metadata.order_id. It parses back with VerifyWebhook once signed.
func NewEvent(spec EventSpec) []byte {
	now := time.Now().Unix()
	ev := eventJSON{
		ID: "evt_" + rand.Text(), Object: "event", APIVersion: stripe.APIVersion,
		Created: now, PendingWebhooks: 1,
	}
	intent := intentJSON{
		ID: spec.IntentID, Object: "payment_intent", Amount: spec.AmountCents, Currency: spec.Currency,
		Status: "requires_payment_method", Created: now, Metadata: metadataJSON{OrderID: spec.OrderID},
	}
	switch spec.Kind {
	case EventPaymentSucceeded:
		ev.Type = typeSucceeded
		intent.AmountReceived, intent.Status = spec.AmountCents, "succeeded"
		ev.Data.Object = intent
	case EventPaymentFailed:
		ev.Type = typeFailed
		intent.LastPaymentError = &paymentError{
			Type: "card_error", Code: "card_declined", DeclineCode: "generic_decline", Message: spec.FailureReason,
		}
		ev.Data.Object = intent
	case EventRefunded:
		ev.Type = typeRefunded
		refunded := spec.RefundedCents
		if refunded == 0 {
			refunded = spec.AmountCents
		}
		ev.Data.Object = chargeJSON{
			ID: "ch_" + rand.Text(), Object: "charge", Amount: spec.AmountCents, AmountCaptured: spec.AmountCents,
			AmountRefunded: refunded, Captured: true, Currency: spec.Currency, Paid: true,
			PaymentIntent: spec.IntentID, Refunded: refunded == spec.AmountCents, Status: "succeeded", Created: now,
			Metadata: metadataJSON{OrderID: spec.OrderID},
		}
	default:
		ev.Type = typeCreated
		ev.Data.Object = intent
	}
	body, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		panic("payment: encode event: " + err.Error()) // plain structs always encode
	}
	return body
}
