package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stripe/stripe-go/v83"
)

// stripeProvider creates and refunds PaymentIntents through stripe-go.
type stripeProvider struct {
	client *stripe.Client
}

// NewStripeProvider returns the Stripe provider, authenticated with
// secretKey. An empty baseURL means Stripe's API; otherwise it is, e.g.,
// stripe-mock's "http://127.0.0.1:12111". Intents carry the order id as
// metadata["order_id"] and have automatic payment methods enabled; the
// idempotency key goes with every create and refund, and stripe-go retries
// network failures and 5xx answers (twice) under it.
func NewStripeProvider(secretKey, baseURL string) Provider {
	cfg := &stripe.BackendConfig{LeveledLogger: slogLogger{}}
	if baseURL != "" {
		cfg.URL = stripe.String(baseURL)
	}
	return &stripeProvider{client: stripe.NewClient(secretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))}
}

// Name returns "stripe".
func (p *stripeProvider) Name() string { return "stripe" }

// CreateIntent creates a PaymentIntent for the order.
func (p *stripeProvider) CreateIntent(ctx context.Context, req IntentRequest) (Intent, error) {
	if err := validateIntent(req); err != nil {
		return Intent{}, err
	}
	params := &stripe.PaymentIntentCreateParams{
		Amount:   stripe.Int64(req.AmountCents),
		Currency: stripe.String(strings.ToLower(req.Currency)),
		AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{
			Enabled: stripe.Bool(true),
		},
	}
	params.AddMetadata("order_id", req.OrderID)
	params.SetIdempotencyKey(req.IdempotencyKey)
	pi, err := p.client.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return Intent{}, stripeError("create intent for order "+req.OrderID, err)
	}
	return Intent{
		ID: pi.ID, ClientSecret: pi.ClientSecret, AmountCents: pi.Amount,
		Currency: string(pi.Currency), Status: string(pi.Status),
	}, nil
}

// Refund refunds a PaymentIntent.
func (p *stripeProvider) Refund(ctx context.Context, req RefundRequest) (Refund, error) {
	if err := validateRefund(req); err != nil {
		return Refund{}, err
	}
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String(req.PaymentIntentID)}
	if req.AmountCents > 0 {
		params.Amount = stripe.Int64(req.AmountCents)
	}
	if req.OrderID != "" {
		params.AddMetadata("order_id", req.OrderID)
	}
	params.SetIdempotencyKey(req.IdempotencyKey)
	r, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return Refund{}, stripeError("refund "+req.PaymentIntentID, err)
	}
	return Refund{ID: r.ID, AmountCents: r.Amount, Status: string(r.Status)}, nil
}

// stripeError classifies a stripe-go error: an API answer of 4xx is
// ErrProviderRejected, except rate limiting (429) and lock conflicts (409),
// which like 5xx answers, network failures and unreadable answers are
// ErrProviderUnavailable.
func stripeError(op string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 &&
		se.HTTPStatusCode != http.StatusTooManyRequests && se.HTTPStatusCode != http.StatusConflict {
		return fmt.Errorf("%w: stripe: %s: %w", ErrProviderRejected, op, err)
	}
	return fmt.Errorf("%w: stripe: %s: %w", ErrProviderUnavailable, op, err)
}

// slogLogger sends stripe-go's log lines to slog.Default: its per-request
// info lines at debug level, its warnings and errors at warn level (the
// error is returned too; the caller decides how bad it is).
type slogLogger struct{}

func (slogLogger) Debugf(format string, v ...any) { slog.Debug("stripe: " + fmt.Sprintf(format, v...)) }
func (slogLogger) Infof(format string, v ...any)  { slog.Debug("stripe: " + fmt.Sprintf(format, v...)) }
func (slogLogger) Warnf(format string, v ...any)  { slog.Warn("stripe: " + fmt.Sprintf(format, v...)) }
func (slogLogger) Errorf(format string, v ...any) { slog.Warn("stripe: " + fmt.Sprintf(format, v...)) }
