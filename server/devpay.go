package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/modules/webhook"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/storage"
)

// DevPay sends the running platform at baseURL a correctly signed payment
// event for an order, like the Stripe CLI's trigger: the embedded
// provider's way to pay. kind is succeeded, failed or refunded.
func DevPay(ctx context.Context, cfg Config, logger *slog.Logger, baseURL, orderID, kind string) (string, error) {
	if cfg.PaymentProvider != "test" {
		return "", fmt.Errorf("server: dev pay works with the test payment provider only (this one is %q)", cfg.PaymentProvider)
	}
	kinds := map[string]payment.EventKind{
		"succeeded": payment.EventPaymentSucceeded, "failed": payment.EventPaymentFailed, "refunded": payment.EventRefunded,
	}
	k, ok := kinds[kind]
	if !ok {
		return "", fmt.Errorf("server: unknown payment outcome %q (want succeeded, failed or refunded)", kind)
	}
	db, err := storage.Open(ctx, cfg.ModuleDSN("order"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	intent, total, err := order.PaymentOf(ctx, db, orderID)
	if err != nil {
		return "", err
	}
	_, secret, err := paymentProvider(cfg)
	if err != nil {
		return "", err
	}
	reason := ""
	if k == payment.EventPaymentFailed {
		reason = "Your card was declined."
	}
	body := payment.NewEventPayload(k, intent, orderID, total, "usd", reason)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+webhook.Path, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", payment.SignWebhook(body, secret, time.Now()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("server: post webhook: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("server: webhook answered %s: %s", res.Status, answer)
	}
	logger.InfoContext(ctx, "dev pay", "order", orderID, "outcome", kind)
	return string(bytes.TrimSpace(answer)), nil
}
