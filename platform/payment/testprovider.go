package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// testProvider is the embedded provider: no network, ids derived from the
// idempotency keys. It remembers the requests it saw while it runs, to
// reject what Stripe would reject (a key reused with other parameters, a
// second refund of an intent, a refund above the intent's amount).
type testProvider struct {
	mu       sync.Mutex
	intents  map[string]IntentRequest // by idempotency key
	amounts  map[string]int64         // intent amount by intent id
	refunds  map[string]RefundRequest // by idempotency key
	refunded map[string]string        // refund idempotency key by intent id
}

// NewTestProvider returns the embedded provider of the default set-up. It
// needs no network: intent ids and client secrets are derived from the
// idempotency key ("pi_test_" and 24 hex digits of its SHA-256; the secret
// is the id, "_secret_" and the next 24), so the same key gives the same
// intent across restarts; refund ids likewise ("re_test_…"). Payments
// complete through signed webhook events (`harness dev pay`), not here.
func NewTestProvider() Provider {
	return &testProvider{
		intents: map[string]IntentRequest{}, amounts: map[string]int64{},
		refunds: map[string]RefundRequest{}, refunded: map[string]string{},
	}
}

// Name returns "test".
func (p *testProvider) Name() string { return "test" }

// CreateIntent returns the intent of req.IdempotencyKey.
func (p *testProvider) CreateIntent(ctx context.Context, req IntentRequest) (Intent, error) {
	if err := ctx.Err(); err != nil {
		return Intent{}, fmt.Errorf("%w: create intent: %w", ErrProviderUnavailable, err)
	}
	if err := validateIntent(req); err != nil {
		return Intent{}, err
	}
	req.Currency = strings.ToLower(req.Currency)
	sum := keyHash(req.IdempotencyKey)
	intent := Intent{
		ID: "pi_test_" + sum[:24], AmountCents: req.AmountCents, Currency: req.Currency,
		Status: "requires_payment_method",
	}
	intent.ClientSecret = intent.ID + "_secret_" + sum[24:48]

	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.intents[req.IdempotencyKey]; ok && prev != req {
		return Intent{}, fmt.Errorf("%w: create intent: idempotency key %q was used with other parameters", ErrProviderRejected, req.IdempotencyKey)
	}
	p.intents[req.IdempotencyKey] = req
	p.amounts[intent.ID] = req.AmountCents
	return intent, nil
}

// Refund returns the refund of req.IdempotencyKey.
func (p *testProvider) Refund(ctx context.Context, req RefundRequest) (Refund, error) {
	if err := ctx.Err(); err != nil {
		return Refund{}, fmt.Errorf("%w: refund: %w", ErrProviderUnavailable, err)
	}
	if err := validateRefund(req); err != nil {
		return Refund{}, err
	}
	if !strings.HasPrefix(req.PaymentIntentID, "pi_test_") {
		return Refund{}, fmt.Errorf("%w: refund: no such payment intent %q", ErrProviderRejected, req.PaymentIntentID)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.refunds[req.IdempotencyKey]; ok && prev != req {
		return Refund{}, fmt.Errorf("%w: refund: idempotency key %q was used with other parameters", ErrProviderRejected, req.IdempotencyKey)
	}
	if key, ok := p.refunded[req.PaymentIntentID]; ok && key != req.IdempotencyKey {
		return Refund{}, fmt.Errorf("%w: refund: payment intent %s is already refunded", ErrProviderRejected, req.PaymentIntentID)
	}
	amount := req.AmountCents
	if full, ok := p.amounts[req.PaymentIntentID]; ok {
		if amount > full {
			return Refund{}, fmt.Errorf("%w: refund: amount %d exceeds the intent's %d", ErrProviderRejected, amount, full)
		}
		if amount == 0 {
			amount = full
		}
	}
	p.refunds[req.IdempotencyKey] = req
	p.refunded[req.PaymentIntentID] = req.IdempotencyKey
	return Refund{ID: "re_test_" + keyHash(req.IdempotencyKey)[:24], AmountCents: amount, Status: "succeeded"}, nil
}

// keyHash is the hex SHA-256 of an idempotency key.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
