package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/payment/paymenttest"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// post sends a webhook body with a signature header and returns the status.
func post(t *testing.T, in *instance, body []byte, signature string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, in.hs.URL+"/webhooks/payments", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	res, err := in.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestWebhook: each provider event the webhook module records reaches the
// order module once, and nothing is lost. It stays beside the composition
// root because it tests two modules wired through the outbox (webhook →
// order); the endpoint's own checks (signatures, duplicates) are tested in
// modules/webhook.
func TestWebhook(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	tr := in.httpTransport()
	alice, admin := signUp(t, tr), signUpAdmin(t, in, tr)
	secret, err := server.LoadOrCreateWebhookSecret(in.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	newOrder := func() *orderv1.Order {
		res, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
			Lines: []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, alice, vest()), Quantity: 1}}, ShippingAddress: address(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.GetOrder()
	}
	o := newOrder()
	intent, total := o.GetPayment().GetPaymentIntentId(), int64(o.GetTotalCents())
	good := payment.NewEventPayload(payment.EventPaymentSucceeded, intent, o.GetId(), total, "usd", "")
	db, err := storage.Open(t.Context(), in.cfg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })

	// The good event, delivered three times: paid once.
	for i := range 3 {
		if got := post(t, in, good, payment.SignWebhook(good, secret, time.Now())); got != http.StatusOK {
			t.Errorf("delivery %d: %d, want 200", i, got)
		}
	}
	paymentsApplied(t, db)
	paid := getOrder(t, orders(tr, alice), o.GetId())
	if paid.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PAID {
		t.Fatalf("after three deliveries of a payment the order is %v, want paid", paid.GetStatus())
	}
	moves := 0
	for _, h := range paid.GetHistory() {
		if h.GetTo() == orderv1.OrderStatus_ORDER_STATUS_PAID {
			moves++
		}
	}
	if moves != 1 {
		t.Errorf("paid %d times: %v", moves, paid.GetHistory())
	}

	// A failed payment leaves the order pending and records the failure.
	o2 := newOrder()
	failed := payment.NewEventPayload(payment.EventPaymentFailed, o2.GetPayment().GetPaymentIntentId(), o2.GetId(), 0, "usd", "Your card was declined.")
	if got := post(t, in, failed, payment.SignWebhook(failed, secret, time.Now())); got != http.StatusOK {
		t.Fatalf("failed payment: %d", got)
	}
	paymentsApplied(t, db)
	if got := getOrder(t, orders(tr, alice), o2.GetId()); got.GetPayment().GetFailureReason() != "Your card was declined." ||
		got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT {
		t.Fatalf("after a failed payment: %v, want pending with the failure recorded", got)
	}

	// A cancel racing the payment: paid wins, and the shop sees it.
	if _, err := orders(tr, alice).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o2.GetId()}); err != nil {
		t.Fatal(err)
	}
	pay(t, in, o2.GetId(), "succeeded")
	late := waitStatus(t, orders(tr, alice), o2.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	if !late.GetPaidAfterCancellation() {
		t.Error("paid after cancellation is not flagged")
	}

	// A refund reported without the order id in the charge's metadata is
	// matched by its payment intent.
	o3 := newOrder()
	pay(t, in, o3.GetId(), "succeeded")
	waitStatus(t, orders(tr, alice), o3.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	bare := payment.NewEventPayload(payment.EventRefunded, o3.GetPayment().GetPaymentIntentId(), "", int64(o3.GetTotalCents()), "usd", "")
	if got := post(t, in, bare, payment.SignWebhook(bare, secret, time.Now())); got != http.StatusOK {
		t.Fatalf("refund without order id: %d", got)
	}
	waitStatus(t, orders(tr, alice), o3.GetId(), orderv1.OrderStatus_ORDER_STATUS_REFUNDED)

	// Refund by an admin, then the provider's refund webhook: refunded once.
	if _, err := orders(tr, admin).AdminRefundOrder(t.Context(), &orderv1.AdminRefundOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("AdminRefundOrder: %v", err)
	}
	pay(t, in, o.GetId(), "refunded")
	paymentsApplied(t, db)
	refunded := getOrder(t, orders(tr, alice), o.GetId())
	if n := len(refunded.GetHistory()); refunded.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REFUNDED || n != 3 {
		t.Errorf("history after refunds = %v, want created, paid, refunded", refunded.GetHistory())
	}
}

// openDB opens in's database beside it, for checks the API does not offer.
func openDB(t *testing.T, in *instance) *bun.DB {
	t.Helper()
	db, err := storage.Open(t.Context(), in.cfg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// paymentsApplied waits until the order module has handled every payment
// event the webhook recorded (each is in order_processed_events), so that
// what the test then reads is final: neither a duplicate nor a refused
// event can still change an order afterwards.
func paymentsApplied(t *testing.T, db *bun.DB) {
	t.Helper()
	testwait.Until(t, 30*time.Second, func() error {
		var behind int
		err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM events_outbox o
			WHERE o.type LIKE 'payment.%' AND NOT EXISTS (
				SELECT 1 FROM order_processed_events p WHERE p.consumer = 'order' AND p.event_id = o.id)`).Scan(&behind)
		if err != nil {
			return err
		}
		if behind > 0 {
			return fmt.Errorf("%d payment events not yet handled by the order module", behind)
		}
		return nil
	})
}

// TestCheckoutWithStripe runs the checkout against the Stripe provider
// (stripe-go) served by stripe-mock: a real PaymentIntent and refund calls,
// and a webhook signed with the endpoint's secret.
func TestCheckoutWithStripe(t *testing.T) {
	t.Parallel()
	stripeURL := paymenttest.StripeMock(t)
	const secret = "whsec_test_checkout"
	in := start(t, storage.SQLite, func(c *server.Config) {
		c.PaymentProvider, c.StripeSecretKey, c.StripeAPIURL, c.WebhookSecret = "stripe", "sk_test_123", stripeURL, secret
	})
	tr := in.httpTransport()
	alice, admin := signUp(t, tr), signUpAdmin(t, in, tr)
	res, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, alice, vest()), Quantity: 2}}, ShippingAddress: address(),
	})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	o := res.GetOrder()
	if p := o.GetPayment(); p.GetProvider() != "stripe" || !strings.HasPrefix(p.GetPaymentIntentId(), "pi_") || p.GetClientSecret() == "" {
		t.Fatalf("payment = %v", p)
	}
	body := payment.NewEventPayload(payment.EventPaymentSucceeded, o.GetPayment().GetPaymentIntentId(), o.GetId(), int64(o.GetTotalCents()), "usd", "")
	if got := post(t, in, body, payment.SignWebhook(body, secret, time.Now())); got != http.StatusOK {
		t.Fatalf("webhook: %d", got)
	}
	waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	if _, err := orders(tr, admin).AdminRefundOrder(t.Context(), &orderv1.AdminRefundOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("AdminRefundOrder through Stripe: %v", err)
	}
	waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_REFUNDED)
}

// TestWebhookEventsThatPayOrRefundNothing: validly signed events that are
// not this order's payment or its full refund — another currency, a
// partial refund, another order's payment intent, no intent — never pay or
// refund it, on every engine; the right ones still do. A partial refund in
// the order's currency is recorded (refunded_cents), the order kept PAID.
func TestWebhookEventsThatPayOrRefundNothing(t *testing.T) {
	t.Parallel()
	const (
		pending  = orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT
		paid     = orderv1.OrderStatus_ORDER_STATUS_PAID
		refunded = orderv1.OrderStatus_ORDER_STATUS_REFUNDED
	)
	type pair struct{ x, y *orderv1.Order }
	// intent is an order's payment intent; total its total.
	intent := func(o *orderv1.Order) string { return o.GetPayment().GetPaymentIntentId() }
	total := func(o *orderv1.Order) int64 { return int64(o.GetTotalCents()) }
	succeeded := func(o *orderv1.Order, intentID, currency string) payment.EventSpec {
		return payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: intentID, OrderID: o.GetId(), AmountCents: total(o), Currency: currency}
	}
	refund := func(o *orderv1.Order, intentID string, refundedCents int64) payment.EventSpec {
		return payment.EventSpec{Kind: payment.EventRefunded, IntentID: intentID, OrderID: o.GetId(), AmountCents: total(o), Currency: "usd", RefundedCents: refundedCents}
	}
	refundIn := func(o *orderv1.Order, currency string) payment.EventSpec {
		r := refund(o, intent(o), 0)
		r.Currency = currency
		return r
	}
	tests := []struct {
		name  string
		paid  bool // both orders are paid before the event
		event func(p pair) payment.EventSpec
		// want is y's status after the event; failure a part of the
		// failure reason it records ("" for none); refunded its
		// refunded_cents of its total (nil for none: y does not change
		// unless its status does).
		want     orderv1.OrderStatus
		failure  string
		refunded func(total int64) int64
	}{
		{"success in another currency", false, func(p pair) payment.EventSpec { return succeeded(p.y, intent(p.y), "jpy") }, pending, "currency", nil},
		{"success without a currency", false, func(p pair) payment.EventSpec { return succeeded(p.y, intent(p.y), "") }, pending, "currency", nil},
		{"success of another order's intent", false, func(p pair) payment.EventSpec { return succeeded(p.y, intent(p.x), "usd") }, pending, "", nil},
		{"success in the order's currency, any case", false, func(p pair) payment.EventSpec { return succeeded(p.y, intent(p.y), "USD") }, paid, "", nil},
		{"partial refund", true, func(p pair) payment.EventSpec { return refund(p.y, intent(p.y), 1) }, paid, "", func(int64) int64 { return 1 }},
		{"all but a cent refunded", true, func(p pair) payment.EventSpec { return refund(p.y, intent(p.y), total(p.y)-1) }, paid, "", func(total int64) int64 { return total - 1 }},
		{"full refund in another currency", true, func(p pair) payment.EventSpec { return refundIn(p.y, "jpy") }, paid, "", nil},
		{"refund of another order's intent", true, func(p pair) payment.EventSpec { return refund(p.y, intent(p.x), 0) }, paid, "", nil},
		{"refund naming no intent", true, func(p pair) payment.EventSpec { return refund(p.y, "", 0) }, paid, "", nil},
		{"full refund", true, func(p pair) payment.EventSpec { return refund(p.y, intent(p.y), 0) }, refunded, "", nil},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := start(t, engine, nil)
			tr := in.httpTransport()
			alice := signUp(t, tr)
			secret, err := server.LoadOrCreateWebhookSecret(in.cfg.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			db := openDB(t, in)
			send := func(t *testing.T, spec payment.EventSpec) {
				t.Helper()
				body := payment.NewEvent(spec)
				if got := post(t, in, body, payment.SignWebhook(body, secret, time.Now())); got != http.StatusOK {
					t.Fatalf("webhook answered %d, want 200", got)
				}
			}
			get := func(t *testing.T, o *orderv1.Order) *orderv1.Order {
				t.Helper()
				return getOrder(t, orders(tr, alice), o.GetId())
			}
			newOrder := func(t *testing.T, pay bool) *orderv1.Order {
				t.Helper()
				res, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
					Lines: []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, alice, vest()), Quantity: 1}}, ShippingAddress: address(),
				})
				if err != nil {
					t.Fatalf("CreateOrder: %v", err)
				}
				o := res.GetOrder()
				if pay {
					send(t, succeeded(o, intent(o), "usd"))
					o = waitStatus(t, orders(tr, alice), o.GetId(), paid)
				}
				return o
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					p := pair{x: newOrder(t, tt.paid), y: newOrder(t, tt.paid)}
					send(t, tt.event(p))
					paymentsApplied(t, db)
					y := get(t, p.y)
					if y.GetStatus() != tt.want {
						t.Errorf("y is %v, want %v; history %v", y.GetStatus(), tt.want, y.GetHistory())
					}
					if reason := y.GetPayment().GetFailureReason(); !strings.Contains(reason, tt.failure) || (tt.failure == "") != (reason == "") {
						t.Errorf("failure reason %q, want one naming %q", reason, tt.failure)
					}
					if tt.refunded != nil && int64(y.GetPayment().GetRefundedCents()) != tt.refunded(total(y)) {
						t.Errorf("refunded_cents %d, want %d", y.GetPayment().GetRefundedCents(), tt.refunded(total(y)))
					}
					if tt.want == p.y.GetStatus() && tt.failure == "" && tt.refunded == nil && y.GetVersion() != p.y.GetVersion() {
						t.Errorf("y changed: version %d → %d, history %v", p.y.GetVersion(), y.GetVersion(), y.GetHistory())
					}
					if x := get(t, p.x); x.GetVersion() != p.x.GetVersion() || x.GetStatus() != p.x.GetStatus() {
						t.Errorf("x changed: %v v%d → %v v%d", p.x.GetStatus(), p.x.GetVersion(), x.GetStatus(), x.GetVersion())
					}
				})
			}
		})
	}
}
