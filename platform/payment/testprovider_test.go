package payment_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/harnesshero/platform/platform/payment"
)

func TestTestProviderIntents(t *testing.T) {
	ctx := t.Context()
	p := payment.NewTestProvider()
	if p.Name() != "test" {
		t.Errorf("Name() = %q", p.Name())
	}
	req := payment.IntentRequest{OrderID: "ord_1", AmountCents: 1234, Currency: "usd", IdempotencyKey: "order-ord_1"}
	first, err := p.CreateIntent(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ID, "pi_test_") || !strings.HasPrefix(first.ClientSecret, first.ID+"_secret_") ||
		first.AmountCents != 1234 || first.Currency != "usd" || first.Status == "" {
		t.Errorf("intent %+v", first)
	}
	again, err := p.CreateIntent(ctx, req)
	if err != nil || again != first {
		t.Errorf("same key again: %+v, %v; want %+v", again, err, first)
	}
	restarted, err := payment.NewTestProvider().CreateIntent(ctx, req)
	if err != nil || restarted != first {
		t.Errorf("same key after a restart: %+v, %v; want %+v", restarted, err, first)
	}
	other, err := p.CreateIntent(ctx, payment.IntentRequest{OrderID: "ord_2", AmountCents: 1234, Currency: "usd", IdempotencyKey: "order-ord_2"})
	if err != nil || other.ID == first.ID || other.ClientSecret == first.ClientSecret {
		t.Errorf("another key: %+v, %v; want another intent than %+v", other, err, first)
	}

	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			in, err := p.CreateIntent(ctx, req)
			if err != nil {
				t.Error(err)
			}
			ids[i] = in.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != first.ID {
			t.Errorf("concurrent create with the same key: %s, want %s", id, first.ID)
		}
	}
}

func TestTestProviderRejects(t *testing.T) {
	good := payment.IntentRequest{OrderID: "ord_1", AmountCents: 100, Currency: "usd", IdempotencyKey: "k"}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		req     payment.IntentRequest
		wantErr error
	}{
		{"negative amount", t.Context(), payment.IntentRequest{OrderID: "o", AmountCents: -1, Currency: "usd", IdempotencyKey: "k1"}, payment.ErrProviderRejected},
		{"zero amount", t.Context(), payment.IntentRequest{OrderID: "o", Currency: "usd", IdempotencyKey: "k1"}, payment.ErrProviderRejected},
		{"no idempotency key", t.Context(), payment.IntentRequest{OrderID: "o", AmountCents: 1, Currency: "usd"}, payment.ErrProviderRejected},
		{"no order", t.Context(), payment.IntentRequest{AmountCents: 1, Currency: "usd", IdempotencyKey: "k1"}, payment.ErrProviderRejected},
		{"no currency", t.Context(), payment.IntentRequest{OrderID: "o", AmountCents: 1, IdempotencyKey: "k1"}, payment.ErrProviderRejected},
		{"key reused with another amount", t.Context(), payment.IntentRequest{OrderID: "ord_1", AmountCents: 101, Currency: "usd", IdempotencyKey: "k"}, payment.ErrProviderRejected},
		{"canceled context", canceled, good, payment.ErrProviderUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := payment.NewTestProvider()
			if _, err := p.CreateIntent(t.Context(), good); err != nil {
				t.Fatal(err)
			}
			_, err := p.CreateIntent(tt.ctx, tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CreateIntent: got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestTestProviderRefund(t *testing.T) {
	ctx := t.Context()
	p := payment.NewTestProvider()
	intentReq := payment.IntentRequest{OrderID: "ord_1", AmountCents: 500, Currency: "usd", IdempotencyKey: "order-ord_1"}
	in, err := p.CreateIntent(ctx, intentReq)
	if err != nil {
		t.Fatal(err)
	}
	fresh := payment.NewTestProvider() // knows the intent, has refunded nothing
	if _, err := fresh.CreateIntent(ctx, intentReq); err != nil {
		t.Fatal(err)
	}
	req := payment.RefundRequest{PaymentIntentID: in.ID, AmountCents: 500, IdempotencyKey: "refund-ord_1", OrderID: "ord_1"}
	first, err := p.Refund(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ID, "re_test_") || first.AmountCents != 500 || first.Status != "succeeded" {
		t.Errorf("refund %+v", first)
	}
	tests := []struct {
		name    string
		p       payment.Provider
		req     payment.RefundRequest
		want    payment.Refund
		wantErr error
	}{
		{"same key refunds once", p, req, first, nil},
		{"same key after a restart", payment.NewTestProvider(), req, first, nil},
		{"another key for a refunded intent", p, payment.RefundRequest{PaymentIntentID: in.ID, AmountCents: 500, IdempotencyKey: "refund-2"}, payment.Refund{}, payment.ErrProviderRejected},
		{"more than the intent", fresh, payment.RefundRequest{PaymentIntentID: in.ID, AmountCents: 501, IdempotencyKey: "r"}, payment.Refund{}, payment.ErrProviderRejected},
		{"no key", p, payment.RefundRequest{PaymentIntentID: in.ID}, payment.Refund{}, payment.ErrProviderRejected},
		{"unknown intent", p, payment.RefundRequest{PaymentIntentID: "pi_live", IdempotencyKey: "r"}, payment.Refund{}, payment.ErrProviderRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Refund(ctx, tt.req)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) || got != tt.want {
				t.Fatalf("Refund: got %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
