package webhook_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/modules/webhook"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/uptrace/bun"
)

const secret = "whsec_test_webhook_module"

// serve registers the module on db and serves its routes.
func serve(t *testing.T, db *bun.DB) *httptest.Server {
	t.Helper()
	return serveWith(t, webhook.Deps{DB: db, Secret: secret, Provider: "test"})
}

// serveWith registers the module with deps and serves its routes.
func serveWith(t *testing.T, deps webhook.Deps) *httptest.Server {
	t.Helper()
	mod, err := webhook.Register(connect.NewServer(), deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := mod.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	mux := http.NewServeMux()
	for _, r := range mod.Routes {
		mux.Handle(r.Pattern, r.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// post sends body with a Stripe-Signature header (none when signature is
// empty) and returns the status.
func post(t *testing.T, srv *httptest.Server, body []byte, signature string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+webhook.Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// recorded returns the types of the events in db's outbox.
func recorded(t *testing.T, db *bun.DB) []string {
	t.Helper()
	var types []string
	if err := db.NewSelect().TableExpr("events_outbox").Column("type").Scan(t.Context(), &types); err != nil {
		t.Fatal(err)
	}
	return types
}

// TestEndpointVerifiesBeforeReading: the endpoint refuses an event it
// cannot trust or read with 400 and records nothing; it acknowledges an
// event type the platform does not act on; a provider event delivered
// three times is recorded once.
func TestEndpointVerifiesBeforeReading(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite, webhook.Migrations(), events.Migrations())
	srv := serve(t, db)
	good := payment.NewEventPayload(payment.EventPaymentSucceeded, "pi_1", "ord_1", 5199, "usd", "")
	now := time.Now()
	altered := bytes.Replace(good, []byte(`"usd"`), []byte(`"eur"`), 1)
	malformed := []byte(`{"id": "evt_1", "type": `)
	for name, c := range map[string]struct {
		body []byte
		sig  string
		want int
	}{
		"wrong secret":     {good, payment.SignWebhook(good, "whsec_not_ours", now), http.StatusBadRequest},
		"altered body":     {altered, payment.SignWebhook(good, secret, now), http.StatusBadRequest},
		"old timestamp":    {good, payment.SignWebhook(good, secret, now.Add(-6*time.Minute)), http.StatusBadRequest},
		"future timestamp": {good, payment.SignWebhook(good, secret, now.Add(6*time.Minute)), http.StatusBadRequest},
		"no signature":     {good, "", http.StatusBadRequest},
		"malformed JSON":   {malformed, payment.SignWebhook(malformed, secret, now), http.StatusBadRequest},
	} {
		if got := post(t, srv, c.body, c.sig); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
	if types := recorded(t, db); len(types) != 0 {
		t.Fatalf("refused webhooks recorded %v", types)
	}
	// An event type the platform does not act on is acknowledged.
	other := []byte(`{"id":"evt_other_1","object":"event","type":"customer.created","created":1,"data":{"object":{"id":"cus_1","object":"customer"}}}`)
	if got := post(t, srv, other, payment.SignWebhook(other, secret, now)); got != http.StatusOK {
		t.Errorf("unknown event type: %d, want 200", got)
	}
	// The good event, delivered three times: recorded once.
	for i := range 3 {
		if got := post(t, srv, good, payment.SignWebhook(good, secret, time.Now())); got != http.StatusOK {
			t.Errorf("delivery %d: %d, want 200", i, got)
		}
	}
	if types := recorded(t, db); len(types) != 1 || types[0] != "payment.succeeded" {
		t.Errorf("recorded %v, want one payment.succeeded", types)
	}
}

// TestHandlerForwards: the endpoint hands the order module every refund,
// partial or full, and no payment event that names no payment intent — on
// every engine.
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
		{"full refund", refund("pi_1", 0), "payment.refunded"},
		// The order module adds partial refunds up (ADR 0008).
		{"partial refund", refund("pi_1", 1), "payment.refunded"},
		{"all but a cent refunded", refund("pi_1", total-1), "payment.refunded"},
		{"refund naming no intent", refund("", 0), ""},
		{"success", payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "usd"}, "payment.succeeded"},
		// The order module knows the order's currency and decides.
		{"success in another currency", payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "jpy"}, "payment.succeeded"},
		{"other", payment.EventSpec{Kind: payment.EventOther, IntentID: "pi_1", OrderID: "ord_1", AmountCents: total, Currency: "usd"}, ""},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t, engine, webhook.Migrations(), events.Migrations())
			srv := serve(t, db)
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

// TestNULInEvent: a signed event with a NUL byte in its id, type, payment
// intent, metadata.order_id, currency or failure reason cannot be stored (Postgres text
// holds no NUL). It is refused as an unreadable event — 400, so the
// provider does not retry it as it does a 500 — and logged, and records
// nothing; on every engine. The same event without the NUL is received.
func TestNULInEvent(t *testing.T) {
	spec := payment.EventSpec{Kind: payment.EventPaymentSucceeded, IntentID: "pi_nul", OrderID: "ord_nul", AmountCents: 5199, Currency: "usd"}
	tests := []struct {
		name  string
		event func() []byte
	}{
		{"id", func() []byte {
			return bytes.Replace(payment.NewEvent(spec), []byte(`"id": "evt_`), []byte(`"id": "evt_\u0000`), 1)
		}},
		{"type", func() []byte {
			return bytes.Replace(payment.NewEvent(spec), []byte(`"payment_intent.succeeded"`), []byte(`"payment_intent.succeeded\u0000"`), 1)
		}},
		{"payment intent", func() []byte { s := spec; s.IntentID = "pi_\x00"; return payment.NewEvent(s) }},
		{"metadata.order_id", func() []byte { s := spec; s.OrderID = "ord_\x00"; return payment.NewEvent(s) }},
		{"metadata.order_id of a refund", func() []byte {
			s := spec
			s.Kind, s.OrderID = payment.EventRefunded, "\x00"
			return payment.NewEvent(s)
		}},
		{"currency", func() []byte { s := spec; s.Currency = "usd\x00"; return payment.NewEvent(s) }},
		{"failure reason", func() []byte {
			s := spec
			s.Kind, s.FailureReason = payment.EventPaymentFailed, "declined\x00"
			return payment.NewEvent(s)
		}},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t, engine, webhook.Migrations(), events.Migrations())
			var logs lockedBuffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			srv := serveWith(t, webhook.Deps{DB: db, Secret: secret, Provider: "test", Logger: logger})
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					body := tt.event()
					if !bytes.Contains(body, []byte(`\u0000`)) {
						t.Fatalf("the event holds no NUL: %s", body)
					}
					if got := post(t, srv, body, payment.SignWebhook(body, secret, time.Now())); got != http.StatusBadRequest {
						t.Errorf("status %d, want 400", got)
					}
				})
			}
			if types := recorded(t, db); len(types) != 0 {
				t.Errorf("recorded %v, want nothing", types)
			}
			var received int
			if err := db.NewSelect().TableExpr("webhook_events").ColumnExpr("count(*)").Scan(t.Context(), &received); err != nil || received != 0 {
				t.Errorf("webhook_events holds %d rows (%v), want 0", received, err)
			}
			if n := strings.Count(logs.String(), "webhook: unreadable event"); n != len(tests) {
				t.Errorf("%d unreadable events logged, want %d:\n%s", n, len(tests), logs.String())
			}
			// The same event without the NUL is received.
			good := payment.NewEvent(spec)
			if got := post(t, srv, good, payment.SignWebhook(good, secret, time.Now())); got != http.StatusOK {
				t.Errorf("the event without a NUL: %d, want 200", got)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a logger and a test to share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
