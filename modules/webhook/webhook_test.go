package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/modules/webhook"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

const secret = "whsec_test_webhook_module"

// TestHandlerForwards: the endpoint hands the order module a refund only
// when it refunds the charge in full, and no payment event that names no
// payment intent — on every engine.
func TestHandlerForwards(t *testing.T) {
	const total = 5199
	refund := func(intentID string, refundedCents int64) payment.EventSpec {
		return payment.EventSpec{Kind: payment.EventRefunded, IntentID: intentID, OrderID: "ord_1", AmountCents: total, Currency: "usd", RefundedCents: refundedCents}
	}
	tests := []struct {
		name  string
		event payment.EventSpec
		want  string // the payment.* event recorded, "" for none
	}{
		{"full refund", refund("pi_1", 0), events.PaymentRefunded},
		{"partial refund", refund("pi_1", 1), ""},
		{"all but a cent refunded", refund("pi_1", total-1), ""},
		{"refund naming no intent", refund("", 0), ""},
		{"success", payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "usd"}, events.PaymentSucceeded},
		// The order module knows the order's currency and decides.
		{"success in another currency", payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "jpy"}, events.PaymentSucceeded},
		{"other", payment.EventSpec{Kind: payment.EventOther, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "usd"}, ""},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t, engine, webhook.Migrations(), events.Migrations())
			mod, err := webhook.Register(connect.NewServer(), webhook.Deps{DB: db, Secret: secret, Provider: "test"})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			for _, r := range mod.Routes {
				mux.Handle(r.Pattern, r.Handler)
			}
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if _, err := db.NewDelete().TableExpr("events_outbox").Where("1 = 1").Exec(t.Context()); err != nil {
						t.Fatal(err)
					}
					body := payment.NewEvent(tt.event)
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+webhook.Path, bytes.NewReader(body))
					req.Header.Set("Stripe-Signature", payment.SignWebhook(body, secret, time.Now()))
					res, err := srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						t.Fatalf("status %d, want 200", res.StatusCode)
					}
					var types []string
					if err := db.NewSelect().TableExpr("events_outbox").Column("type").Scan(t.Context(), &types); err != nil {
						t.Fatal(err)
					}
					switch {
					case tt.want == "" && len(types) != 0:
						t.Errorf("recorded %v, want nothing", types)
					case tt.want != "" && (len(types) != 1 || types[0] != tt.want):
						t.Errorf("recorded %v, want [%s]", types, tt.want)
					}
				})
			}
		})
	}
}
