package payment_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v83"

	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/payment/paymenttest"
)

const testKey = "sk_test_123"

func intentReq(order string) payment.IntentRequest {
	return payment.IntentRequest{OrderID: order, AmountCents: 1234, Currency: "usd", IdempotencyKey: "order-" + order}
}

func TestStripeProviderAgainstStripeMock(t *testing.T) {
	base := paymenttest.StripeMock(t)
	p := payment.NewStripeProvider(testKey, base)
	if p.Name() != "stripe" {
		t.Errorf("Name() = %q", p.Name())
	}
	tests := []struct {
		name    string
		run     func(t *testing.T) error
		wantErr error
	}{
		{"create intent", func(t *testing.T) error {
			in, err := p.CreateIntent(t.Context(), intentReq("ord_1"))
			if err == nil && (!strings.HasPrefix(in.ID, "pi_") || in.ClientSecret == "" || in.AmountCents != 1234 || in.Currency != "usd" || in.Status == "") {
				t.Errorf("intent %+v", in)
			}
			return err
		}, nil},
		{"refund", func(t *testing.T) error {
			in, err := p.CreateIntent(t.Context(), intentReq("ord_2"))
			if err != nil {
				return err
			}
			re, err := p.Refund(t.Context(), payment.RefundRequest{PaymentIntentID: in.ID, AmountCents: 1234, IdempotencyKey: "refund-ord_2", OrderID: "ord_2"})
			if err == nil && (!strings.HasPrefix(re.ID, "re_") || re.Status == "") {
				t.Errorf("refund %+v", re)
			}
			return err
		}, nil},
		{"stripe-mock 401 (not a test key)", func(t *testing.T) error {
			_, err := payment.NewStripeProvider("sk_live_x_y", base).CreateIntent(t.Context(), intentReq("ord_3"))
			if se := (*stripe.Error)(nil); !errors.As(err, &se) || se.HTTPStatusCode != http.StatusUnauthorized {
				t.Errorf("cause %v: want a stripe 401", err)
			}
			return err
		}, payment.ErrProviderRejected},
		{"negative amount (checked before the call)", func(t *testing.T) error {
			req := intentReq("ord_4")
			req.AmountCents = -5
			_, err := p.CreateIntent(t.Context(), req)
			return err
		}, payment.ErrProviderRejected},
		{"negative refund", func(t *testing.T) error {
			_, err := p.Refund(t.Context(), payment.RefundRequest{PaymentIntentID: "pi_1", AmountCents: -1, IdempotencyKey: "r"})
			return err
		}, payment.ErrProviderRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if errors.Is(err, payment.ErrProviderRejected) && errors.Is(err, payment.ErrProviderUnavailable) {
				t.Errorf("%v is both rejected and unavailable", err)
			}
		})
	}
}

func TestStripeProviderUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	p := payment.NewStripeProvider(testKey, base)
	tests := []struct {
		name string
		call func() error
	}{
		{"create intent", func() error { _, err := p.CreateIntent(t.Context(), intentReq("ord_1")); return err }},
		{"refund", func() error {
			_, err := p.Refund(t.Context(), payment.RefundRequest{PaymentIntentID: "pi_1", IdempotencyKey: "r"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); !errors.Is(err, payment.ErrProviderUnavailable) {
				t.Fatalf("got %v, want ErrProviderUnavailable", err)
			}
		})
	}
}

func TestStripeProviderStatusMapping(t *testing.T) {
	tests := []struct {
		status  int
		body    string
		wantErr error
	}{
		{400, `{"error":{"type":"invalid_request_error","message":"Invalid currency"}}`, payment.ErrProviderRejected},
		{400, `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}`, payment.ErrProviderRejected},
		{401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key"}}`, payment.ErrProviderRejected},
		{402, `{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`, payment.ErrProviderRejected},
		{404, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent"}}`, payment.ErrProviderRejected},
		{409, `{"error":{"type":"invalid_request_error","message":"There is currently another in-progress request using this Idempotent Key"}}`, payment.ErrProviderUnavailable},
		{429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, payment.ErrProviderUnavailable},
		{500, `{"error":{"type":"api_error","message":"Something went wrong"}}`, payment.ErrProviderUnavailable},
		{502, `<html>Bad Gateway</html>`, payment.ErrProviderUnavailable},
		{503, `{"error":{"type":"api_error","message":"Service unavailable"}}`, payment.ErrProviderUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Stripe-Should-Retry", "false") // one answer, no retries
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			_, err := payment.NewStripeProvider(testKey, srv.URL).CreateIntent(t.Context(), intentReq("ord_1"))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestStripeProviderRequests checks what goes over the wire, which
// stripe-mock (stateless, fixtures only) does not echo back.
func TestStripeProviderRequests(t *testing.T) {
	var mu sync.Mutex
	got := map[string]url.Values{}
	keys := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		got[r.URL.Path], keys[r.URL.Path] = r.PostForm, r.Header.Get("Idempotency-Key")
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/payment_intents":
			fmt.Fprint(w, `{"id":"pi_9","object":"payment_intent","client_secret":"pi_9_secret_x","amount":1234,"currency":"usd","status":"requires_payment_method"}`)
		case "/v1/refunds":
			fmt.Fprint(w, `{"id":"re_9","object":"refund","amount":1234,"status":"pending"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	p := payment.NewStripeProvider(testKey, srv.URL)
	in, err := p.CreateIntent(t.Context(), payment.IntentRequest{OrderID: "ord_7", AmountCents: 1234, Currency: "USD", IdempotencyKey: "order-ord_7"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (payment.Intent{ID: "pi_9", ClientSecret: "pi_9_secret_x", AmountCents: 1234, Currency: "usd", Status: "requires_payment_method"}); in != want {
		t.Errorf("intent %+v, want %+v", in, want)
	}
	re, err := p.Refund(t.Context(), payment.RefundRequest{PaymentIntentID: "pi_9", AmountCents: 1234, IdempotencyKey: "refund-ord_7", OrderID: "ord_7"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (payment.Refund{ID: "re_9", AmountCents: 1234, Status: "pending"}); re != want {
		t.Errorf("refund %+v, want %+v", re, want)
	}
	tests := []struct {
		path, field, want string
	}{
		{"/v1/payment_intents", "amount", "1234"},
		{"/v1/payment_intents", "currency", "usd"},
		{"/v1/payment_intents", "metadata[order_id]", "ord_7"},
		{"/v1/payment_intents", "automatic_payment_methods[enabled]", "true"},
		{"/v1/refunds", "payment_intent", "pi_9"},
		{"/v1/refunds", "amount", "1234"},
		{"/v1/refunds", "metadata[order_id]", "ord_7"},
	}
	for _, tt := range tests {
		if v := got[tt.path].Get(tt.field); v != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.path, tt.field, v, tt.want)
		}
	}
	if keys["/v1/payment_intents"] != "order-ord_7" || keys["/v1/refunds"] != "refund-ord_7" {
		t.Errorf("idempotency keys %v", keys)
	}
}
