package payment

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v83"
	"github.com/stripe/stripe-go/v83/webhook"
)

// EventKind is what a webhook event means to the platform.
type EventKind int

const (
	// EventOther is an event the platform does not act on.
	EventOther EventKind = iota
	// EventPaymentSucceeded is "payment_intent.succeeded": the order is paid.
	EventPaymentSucceeded
	// EventPaymentFailed is "payment_intent.payment_failed": an attempt to
	// pay failed; the customer may try again.
	EventPaymentFailed
	// EventRefunded is "charge.refunded": the payment was refunded.
	EventRefunded
)

// Provider event types of the kinds.
const (
	typeSucceeded = string(stripe.EventTypePaymentIntentSucceeded)
	typeFailed    = string(stripe.EventTypePaymentIntentPaymentFailed)
	typeRefunded  = string(stripe.EventTypeChargeRefunded)
	typeCreated   = string(stripe.EventTypePaymentIntentCreated)
)

// Event is a verified webhook event.
type Event struct {
	// ID is the provider's event id, e.g. "evt_…": the key to dedup
	// redeliveries by.
	ID string
	// Type is the provider's type, e.g. "payment_intent.succeeded",
	// "payment_intent.payment_failed" or "charge.refunded".
	Type string
	// Kind is what the event means to the platform.
	Kind EventKind
	// PaymentIntentID is the intent the event is about.
	PaymentIntentID string
	// OrderID comes from the intent's (or charge's) metadata["order_id"];
	// empty for payments the platform did not create.
	OrderID string
	// AmountCents is the amount received (succeeded), refunded so far
	// (refunded: the charge's amount_refunded, which a partial refund
	// leaves below the amount captured), or the intent's amount (failed).
	AmountCents int64
	// CapturedCents is the charge's amount_captured, for refunds.
	CapturedCents int64
	// ChargeRefunded is the charge's "refunded" flag, for refunds: the
	// provider marks a charge refunded once it is refunded in full.
	ChargeRefunded bool
	// Currency is the payment's currency, e.g. "usd".
	Currency string
	// FailureReason is last_payment_error.message, for failures.
	FailureReason string
	// Created is when the provider created the event.
	Created time.Time
}

// FullRefund reports whether e refunds its charge in full: a refund event
// of a charge marked refunded whose amount refunded is the (positive)
// amount captured. A partial refund, or a charge whose flag and amounts
// disagree, is not one.
func (e Event) FullRefund() bool {
	return e.Kind == EventRefunded && e.ChargeRefunded && e.AmountCents > 0 && e.AmountCents == e.CapturedCents
}

// ErrBadSignature reports a webhook whose Stripe-Signature header does not
// prove it came from the provider: wrong secret, altered body, missing or
// garbled header, or a timestamp outside WebhookTolerance (either way).
var ErrBadSignature = errors.New("payment: bad webhook signature")

// ErrMalformed reports a correctly signed webhook whose body is not an
// event the platform can read.
var ErrMalformed = errors.New("payment: malformed webhook event")

// WebhookTolerance is how far a webhook's signature timestamp may be from
// now, in the past or the future; it bounds replays of captured events.
const WebhookTolerance = 5 * time.Minute

// VerifyWebhook checks the Stripe-Signature header against secret and the
// timestamp tolerance before parsing anything else, then parses the event.
// Signature problems return ErrBadSignature (an empty secret verifies
// nothing); a body that is not a readable event, or one with a NUL byte in
// a field the platform reads or stores, returns ErrMalformed.
// Unknown event types return Kind EventOther and no error.
func VerifyWebhook(payload []byte, signatureHeader, secret string) (Event, error) {
	if secret == "" {
		return Event{}, fmt.Errorf("%w: no webhook secret configured", ErrBadSignature)
	}
	// stripe-go checks the signature and that the timestamp is not too old;
	// it lets timestamps in the future through, so those are checked here.
	if err := webhook.ValidatePayloadWithTolerance(payload, signatureHeader, secret, WebhookTolerance); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if t := signedAt(signatureHeader); time.Until(t) > WebhookTolerance {
		return Event{}, fmt.Errorf("%w: timestamp %s is in the future", ErrBadSignature, t.UTC().Format(time.RFC3339))
	}
	return parseEvent(payload)
}

// signedAt is the timestamp of a Stripe-Signature header that stripe-go
// accepted, read the way it reads it (the last "t=" wins).
func signedAt(header string) time.Time {
	var t time.Time
	for pair := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k != "t" {
			continue
		}
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			t = time.Unix(sec, 0)
		}
	}
	return t
}

// parseEvent reads a verified event body.
func parseEvent(payload []byte) (Event, error) {
	var se stripe.Event
	if err := json.Unmarshal(payload, &se); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if se.Object != "event" || se.ID == "" || se.Type == "" || se.Data == nil {
		return Event{}, fmt.Errorf("%w: not an event (object %q, id %q, type %q)", ErrMalformed, se.Object, se.ID, se.Type)
	}
	ev := Event{ID: se.ID, Type: string(se.Type), Created: time.Unix(se.Created, 0)}
	switch ev.Type {
	case typeSucceeded, typeFailed:
		var pi stripe.PaymentIntent
		if err := decodeObject(se.Data.Raw, "payment_intent", &pi, &pi.Object, &pi.ID); err != nil {
			return Event{}, fmt.Errorf("%w: %s %s: %w", ErrMalformed, ev.Type, ev.ID, err)
		}
		ev.PaymentIntentID, ev.OrderID, ev.Currency = pi.ID, pi.Metadata["order_id"], string(pi.Currency)
		if ev.Type == typeSucceeded {
			ev.Kind, ev.AmountCents = EventPaymentSucceeded, pi.AmountReceived
		} else {
			ev.Kind, ev.AmountCents = EventPaymentFailed, pi.Amount
			if pi.LastPaymentError != nil {
				ev.FailureReason = pi.LastPaymentError.Msg
			}
		}
	case typeRefunded:
		var ch stripe.Charge
		if err := decodeObject(se.Data.Raw, "charge", &ch, &ch.Object, &ch.ID); err != nil {
			return Event{}, fmt.Errorf("%w: %s %s: %w", ErrMalformed, ev.Type, ev.ID, err)
		}
		ev.Kind, ev.AmountCents, ev.Currency = EventRefunded, ch.AmountRefunded, string(ch.Currency)
		ev.CapturedCents, ev.ChargeRefunded = ch.AmountCaptured, ch.Refunded
		ev.OrderID = ch.Metadata["order_id"]
		if ch.PaymentIntent != nil {
			ev.PaymentIntentID = ch.PaymentIntent.ID
			if ev.OrderID == "" { // an expanded intent carries the metadata too
				ev.OrderID = ch.PaymentIntent.Metadata["order_id"]
			}
		}
	default:
		ev.Kind = EventOther
	}
	if field := nulField(ev); field != "" {
		return Event{}, fmt.Errorf("%w: %s %q: %s holds a NUL byte", ErrMalformed, ev.Type, ev.ID, field)
	}
	return ev, nil
}

// nulField names the first text field of ev holding a NUL byte, "" when
// none does. No genuine event has one, and no database text column can
// store one: such an event is malformed, not a reason to fail and be sent
// again.
func nulField(ev Event) string {
	for _, f := range []struct{ name, value string }{
		{"id", ev.ID}, {"type", ev.Type}, {"payment intent", ev.PaymentIntentID},
		{"metadata.order_id", ev.OrderID}, {"currency", ev.Currency}, {"failure reason", ev.FailureReason},
	} {
		if strings.IndexByte(f.value, 0) >= 0 {
			return f.name
		}
	}
	return ""
}

// decodeObject decodes data.object into v and checks its object type and id.
func decodeObject(raw json.RawMessage, want string, v any, object, id *string) error {
	if len(raw) == 0 {
		return errors.New("no data.object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return err
	}
	if *object != want || *id == "" {
		return fmt.Errorf("data.object is not a %s (object %q, id %q)", want, *object, *id)
	}
	return nil
}

// SignWebhook returns the Stripe-Signature header value for payload signed
// with secret at t, as Stripe (or the Stripe CLI) would send it. The
// embedded provider's `harness dev pay` and tests use it.
func SignWebhook(payload []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: payload, Secret: secret, Timestamp: t,
	}).Header
}
