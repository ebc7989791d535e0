package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/harnesshero/platform/platform/payment"
)

// paymentProvider returns the configured provider and the webhook secret
// that verifies its events.
func paymentProvider(cfg Config) (payment.Provider, string, error) {
	switch cfg.PaymentProvider {
	case "stripe":
		return payment.NewStripeProvider(cfg.StripeSecretKey, cfg.StripeAPIURL), cfg.WebhookSecret, nil
	default:
		secret := cfg.WebhookSecret
		if secret == "" {
			var err error
			if secret, err = LoadOrCreateWebhookSecret(cfg.DataDir); err != nil {
				return nil, "", err
			}
		}
		return payment.NewTestProvider(), secret, nil
	}
}

// LoadOrCreateWebhookSecret returns the embedded provider's webhook secret
// kept under dir/keys, creating it on first use. `harness dev pay` signs
// with it, like the Stripe CLI signs with the endpoint's secret.
func LoadOrCreateWebhookSecret(dir string) (string, error) {
	path := filepath.Join(dir, "keys", "webhook-secret")
	if data, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(data)), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("server: read webhook secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("server: create keys directory: %w", err)
	}
	// Written whole to a temporary file, then linked into place: readers
	// never see a partial secret, and a concurrent first start keeps the
	// first one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-*")
	if err != nil {
		return "", fmt.Errorf("server: write webhook secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString("whsec_" + rand.Text() + "\n")
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		return "", fmt.Errorf("server: write webhook secret: %w", errors.Join(werr, cerr))
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("server: install webhook secret: %w", err)
	}
	return LoadOrCreateWebhookSecret(dir)
}
