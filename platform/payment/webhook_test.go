package payment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v83"

	"github.com/harnesshero/platform/platform/payment"
)

const secret = "whsec_test_secret"

func TestVerifyWebhookSignature(t *testing.T) {
	body := payment.NewEventPayload(payment.EventPaymentSucceeded, "pi_1", "ord_1", 1234, "usd", "")
	now := time.Now()
	altered := bytes.Clone(body)
	altered[bytes.IndexByte(altered, '1')] = '2' // one byte: an id or an amount changes
	malformed := []byte(`{"id": "evt_1", "object": "event", "type": `)
	tests := []struct {
		name    string
		body    []byte
		header  string
		secret  string
		wantErr error
	}{
		{"good signature", body, payment.SignWebhook(body, secret, now), secret, nil},
		{"4 minutes old", body, payment.SignWebhook(body, secret, now.Add(-4*time.Minute)), secret, nil},
		{"4 minutes ahead", body, payment.SignWebhook(body, secret, now.Add(4*time.Minute)), secret, nil},
		{"wrong secret", body, payment.SignWebhook(body, "whsec_other", now), secret, payment.ErrBadSignature},
		{"empty secret", body, payment.SignWebhook(body, "", now), "", payment.ErrBadSignature},
		{"altered body", altered, payment.SignWebhook(body, secret, now), secret, payment.ErrBadSignature},
		{"missing header", body, "", secret, payment.ErrBadSignature},
		{"garbled header", body, "t=yesterday,v1=zz", secret, payment.ErrBadSignature},
		{"no v1 signature", body, "t=" + strings.Repeat("1", 10), secret, payment.ErrBadSignature},
		{"6 minutes old", body, payment.SignWebhook(body, secret, now.Add(-6*time.Minute)), secret, payment.ErrBadSignature},
		{"6 minutes in the future", body, payment.SignWebhook(body, secret, now.Add(6*time.Minute)), secret, payment.ErrBadSignature},
		{"signed malformed JSON", malformed, payment.SignWebhook(malformed, secret, now), secret, payment.ErrMalformed},
		{"signed JSON that is not an event", []byte(`{"object":"charge","id":"ch_1"}`), payment.SignWebhook([]byte(`{"object":"charge","id":"ch_1"}`), secret, now), secret, payment.ErrMalformed},
		{"bad signature over malformed JSON", malformed, payment.SignWebhook(malformed, "whsec_other", now), secret, payment.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := payment.VerifyWebhook(tt.body, tt.header, tt.secret)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("VerifyWebhook: got %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "payment: ") {
				t.Errorf("error %q does not start with \"payment: \"", err)
			}
		})
	}
}

func TestVerifyWebhookEvents(t *testing.T) {
	tests := []struct {
		name   string
		kind   payment.EventKind
		reason string
		want   payment.Event
	}{
		{"succeeded", payment.EventPaymentSucceeded, "", payment.Event{
			Type: "payment_intent.succeeded", Kind: payment.EventPaymentSucceeded,
			PaymentIntentID: "pi_abc", OrderID: "ord_42", AmountCents: 4999, Currency: "usd",
		}},
		{"failed", payment.EventPaymentFailed, "Your card was declined.", payment.Event{
			Type: "payment_intent.payment_failed", Kind: payment.EventPaymentFailed,
			PaymentIntentID: "pi_abc", OrderID: "ord_42", AmountCents: 4999, Currency: "usd",
			FailureReason: "Your card was declined.",
		}},
		{"refunded", payment.EventRefunded, "", payment.Event{
			Type: "charge.refunded", Kind: payment.EventRefunded,
			PaymentIntentID: "pi_abc", OrderID: "ord_42", AmountCents: 4999, Currency: "usd",
			CapturedCents: 4999, ChargeRefunded: true,
		}},
		{"other", payment.EventOther, "", payment.Event{Type: "payment_intent.created", Kind: payment.EventOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Truncate(time.Second)
			body := payment.NewEventPayload(tt.kind, "pi_abc", "ord_42", 4999, "usd", tt.reason)
			ev, err := payment.VerifyWebhook(body, payment.SignWebhook(body, secret, time.Now()), secret)
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			if !strings.HasPrefix(ev.ID, "evt_") || ev.Created.Before(before) || ev.Created.After(time.Now()) {
				t.Errorf("id %q, created %v: want evt_… created now", ev.ID, ev.Created)
			}
			ev.ID, ev.Created = "", time.Time{}
			if ev != tt.want {
				t.Errorf("event:\n got %+v\nwant %+v", ev, tt.want)
			}
		})
	}
}

func TestNewEventPayloadShape(t *testing.T) {
	a := payment.NewEventPayload(payment.EventRefunded, "pi_abc", "ord_42", 100, "usd", "")
	b := payment.NewEventPayload(payment.EventRefunded, "pi_abc", "ord_42", 100, "usd", "")
	var ea, eb stripe.Event
	if err := json.Unmarshal(a, &ea); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &eb); err != nil {
		t.Fatal(err)
	}
	if ea.ID == eb.ID {
		t.Errorf("two payloads share the event id %q", ea.ID)
	}
	if ea.Object != "event" || ea.APIVersion != stripe.APIVersion {
		t.Errorf("object %q, api_version %q: want event, %q", ea.Object, ea.APIVersion, stripe.APIVersion)
	}
	if got := ea.GetObjectValue("payment_intent"); got != "pi_abc" {
		t.Errorf("data.object.payment_intent = %q", got)
	}
}

func TestVerifyWebhookUnknownAndOddEvents(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  error
		wantKind payment.EventKind
	}{
		{"unknown type", `{"id":"evt_1","object":"event","type":"customer.created","created":1,"data":{"object":{"id":"cus_1","object":"customer"}}}`, nil, payment.EventOther},
		{"unknown type, minimal", `{"id":"evt_1","object":"event","type":"x.y","data":{"object":{}}}`, nil, payment.EventOther},
		{"data.object not an object", `{"id":"evt_1","object":"event","type":"x.y","created":1,"data":{"object":"whatever"}}`, payment.ErrMalformed, 0},
		{"known type, wrong object", `{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"ch_1","object":"charge"}}}`, payment.ErrMalformed, 0},
		{"known type, bad amount", `{"id":"evt_1","object":"event","type":"charge.refunded","created":1,"data":{"object":{"id":"ch_1","object":"charge","amount_refunded":"ten"}}}`, payment.ErrMalformed, 0},
		{"known type, no data", `{"id":"evt_1","object":"event","type":"charge.refunded","created":1}`, payment.ErrMalformed, 0},
		{"no id", `{"object":"event","type":"charge.refunded","created":1,"data":{"object":{}}}`, payment.ErrMalformed, 0},
		{"not JSON", `hello`, payment.ErrMalformed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			ev, err := payment.VerifyWebhook(body, payment.SignWebhook(body, secret, time.Now()), secret)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("VerifyWebhook: got %v, want %v", err, tt.wantErr)
			}
			if err == nil && ev.Kind != tt.wantKind {
				t.Errorf("kind %d, want %d", ev.Kind, tt.wantKind)
			}
		})
	}
}

// TestFullRefund: only a charge marked refunded whose amount refunded is
// the amount captured is refunded in full.
func TestFullRefund(t *testing.T) {
	charge := func(captured, refunded int64, flag bool) []byte {
		return []byte(fmt.Sprintf(`{"id":"evt_1","object":"event","type":"charge.refunded","created":1,"data":{"object":{
			"id":"ch_1","object":"charge","amount":%[1]d,"amount_captured":%[1]d,"amount_refunded":%[2]d,"refunded":%[3]t,
			"currency":"usd","payment_intent":"pi_1","metadata":{"order_id":"ord_1"}}}}`, captured, refunded, flag))
	}
	tests := []struct {
		name string
		body []byte
		want bool
	}{
		{"full refund", payment.NewEvent(payment.EventSpec{Kind: payment.EventRefunded, IntentID: "pi_1", AmountCents: 5199, Currency: "usd"}), true},
		{"partial refund", payment.NewEvent(payment.EventSpec{Kind: payment.EventRefunded, IntentID: "pi_1", AmountCents: 5199, Currency: "usd", RefundedCents: 1}), false},
		{"all but a cent", payment.NewEvent(payment.EventSpec{Kind: payment.EventRefunded, IntentID: "pi_1", AmountCents: 5199, Currency: "usd", RefundedCents: 5198}), false},
		{"refunded flag, partial amount", charge(5199, 1, true), false},
		{"full amount, no refunded flag", charge(5199, 5199, false), false},
		{"nothing captured", charge(0, 0, true), false},
		{"a success", payment.NewEvent(payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_1", AmountCents: 5199, Currency: "usd"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := payment.VerifyWebhook(tt.body, payment.SignWebhook(tt.body, secret, time.Now()), secret)
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			if got := ev.FullRefund(); got != tt.want {
				t.Errorf("FullRefund() = %t, want %t (event %+v)", got, tt.want, ev)
			}
		})
	}
}

// TestNewEventPartialRefund: a partial refund is shaped as Stripe sends it:
// amount_refunded below the amount captured, and refunded false.
func TestNewEventPartialRefund(t *testing.T) {
	body := payment.NewEvent(payment.EventSpec{Kind: payment.EventRefunded, IntentID: "pi_1", OrderID: "ord_1", AmountCents: 5199, Currency: "usd", RefundedCents: 1})
	var ev stripe.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	var ch stripe.Charge
	if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
		t.Fatal(err)
	}
	if ch.AmountRefunded != 1 || ch.AmountCaptured != 5199 || ch.Refunded || ch.PaymentIntent.ID != "pi_1" || ch.Metadata["order_id"] != "ord_1" {
		t.Errorf("charge: amount_refunded %d, amount_captured %d, refunded %t, intent %v, metadata %v",
			ch.AmountRefunded, ch.AmountCaptured, ch.Refunded, ch.PaymentIntent, ch.Metadata)
	}
}
