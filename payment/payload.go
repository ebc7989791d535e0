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

// NewEventPayload returns a Stripe-shaped event JSON for kind about the
// given intent: a new unique "evt_…" id, object "event", the event type,
// created now, stripe-go's api_version, and data.object a payment_intent
// (EventPaymentSucceeded, EventPaymentFailed with failureReason as
// last_payment_error.message, EventOther as "payment_intent.created") or a
// charge of the intent refunded in full (EventRefunded), each carrying
// metadata.order_id. It parses back with VerifyWebhook once signed.
func NewEventPayload(kind EventKind, intentID, orderID string, amountCents int64, currency, failureReason string) []byte {
	now := time.Now().Unix()
	ev := eventJSON{
		ID: "evt_" + rand.Text(), Object: "event", APIVersion: stripe.APIVersion,
		Created: now, PendingWebhooks: 1,
	}
	intent := intentJSON{
		ID: intentID, Object: "payment_intent", Amount: amountCents, Currency: currency,
		Status: "requires_payment_method", Created: now, Metadata: metadataJSON{OrderID: orderID},
	}
	switch kind {
	case EventPaymentSucceeded:
		ev.Type = typeSucceeded
		intent.AmountReceived, intent.Status = amountCents, "succeeded"
		ev.Data.Object = intent
	case EventPaymentFailed:
		ev.Type = typeFailed
		intent.LastPaymentError = &paymentError{
			Type: "card_error", Code: "card_declined", DeclineCode: "generic_decline", Message: failureReason,
		}
		ev.Data.Object = intent
	case EventRefunded:
		ev.Type = typeRefunded
		ev.Data.Object = chargeJSON{
			ID: "ch_" + rand.Text(), Object: "charge", Amount: amountCents, AmountCaptured: amountCents,
			AmountRefunded: amountCents, Captured: true, Currency: currency, Paid: true,
			PaymentIntent: intentID, Refunded: true, Status: "succeeded", Created: now,
			Metadata: metadataJSON{OrderID: orderID},
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
