// Package payment is the payment-provider layer of the order module: it
// creates and refunds payments (PaymentIntents) at a provider and reads the
// provider's signed webhook events.
//
// Two providers share one interface: Stripe (NewStripeProvider, via
// stripe-go) and the embedded test provider of the default set-up
// (NewTestProvider), which needs no network. Both speak Stripe's webhook
// event format and signature scheme, so the webhook module verifies either
// with VerifyWebhook, and `harness dev pay` signs events for the test
// provider with NewEventPayload and SignWebhook.
package payment

import (
	"context"
	"errors"
	"fmt"
)

// Provider creates and refunds payments.
type Provider interface {
	// Name is the provider's name: "stripe" or "test".
	Name() string
	// CreateIntent creates a payment for an order. The same IdempotencyKey
	// returns the same intent (the provider dedups), so callers may retry.
	CreateIntent(ctx context.Context, req IntentRequest) (Intent, error)
	// Refund refunds an intent in full. The same IdempotencyKey refunds once.
	Refund(ctx context.Context, req RefundRequest) (Refund, error)
}

// IntentRequest asks for a payment of an order.
type IntentRequest struct {
	// OrderID is the order paid; it travels as the intent's
	// metadata["order_id"] and comes back in webhook events. Required.
	OrderID string
	// AmountCents is the amount to charge, in the currency's smallest unit;
	// it must be positive.
	AmountCents int64
	// Currency is the lower-case ISO code, e.g. "usd". Required.
	Currency string
	// IdempotencyKey makes retries safe: the same key returns the same
	// intent. Required.
	IdempotencyKey string
}

// Intent is a payment created at the provider.
type Intent struct {
	// ID is the provider's intent id, e.g. "pi_…".
	ID string
	// ClientSecret lets the browser confirm the payment.
	ClientSecret string
	// AmountCents is the amount the intent charges.
	AmountCents int64
	// Currency is the intent's currency, e.g. "usd".
	Currency string
	// Status is the provider's status, e.g. "requires_payment_method".
	Status string
}

// RefundRequest asks for the refund of an intent.
type RefundRequest struct {
	// PaymentIntentID is the intent to refund. Required.
	PaymentIntentID string
	// AmountCents is the amount to refund; 0 refunds the whole intent.
	AmountCents int64
	// IdempotencyKey makes retries safe: the same key refunds once.
	// Required.
	IdempotencyKey string
	// OrderID is the order refunded; it travels as metadata["order_id"].
	OrderID string
}

// Refund is a refund made at the provider.
type Refund struct {
	// ID is the provider's refund id, e.g. "re_…".
	ID string
	// AmountCents is the amount refunded.
	AmountCents int64
	// Status is the provider's status, e.g. "succeeded" or "pending".
	Status string
}

// ErrProviderUnavailable reports a network failure or a provider-side (5xx,
// rate limit, lock conflict) error: retry later with the same idempotency
// key. The cause is wrapped.
var ErrProviderUnavailable = errors.New("payment: provider unavailable")

// ErrProviderRejected reports a request the provider refused (4xx): the
// request is wrong and retrying it will not help. The cause is wrapped.
var ErrProviderRejected = errors.New("payment: provider rejected the request")

// validateIntent checks what both providers require of an IntentRequest;
// a wrong request is rejected before it reaches the network.
func validateIntent(req IntentRequest) error {
	switch {
	case req.IdempotencyKey == "":
		return fmt.Errorf("%w: create intent: an idempotency key is required", ErrProviderRejected)
	case req.OrderID == "":
		return fmt.Errorf("%w: create intent: an order id is required", ErrProviderRejected)
	case req.AmountCents <= 0:
		return fmt.Errorf("%w: create intent for order %s: amount %d is not positive", ErrProviderRejected, req.OrderID, req.AmountCents)
	case req.Currency == "":
		return fmt.Errorf("%w: create intent for order %s: a currency is required", ErrProviderRejected, req.OrderID)
	}
	return nil
}

// validateRefund checks what both providers require of a RefundRequest.
func validateRefund(req RefundRequest) error {
	switch {
	case req.IdempotencyKey == "":
		return fmt.Errorf("%w: refund: an idempotency key is required", ErrProviderRejected)
	case req.PaymentIntentID == "":
		return fmt.Errorf("%w: refund: a payment intent id is required", ErrProviderRejected)
	case req.AmountCents < 0:
		return fmt.Errorf("%w: refund %s: amount %d is negative", ErrProviderRejected, req.PaymentIntentID, req.AmountCents)
	}
	return nil
}
