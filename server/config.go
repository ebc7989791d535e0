package server

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/harnesshero/platform/platform/storage"
)

// Role names the modules a process serves.
type Role string

// The process roles.
const (
	// RoleAll serves every module: the platform, on :4000 by default.
	// Modules configured as remote (BuilderServiceURL) are reached there.
	RoleAll Role = "all"
	// RoleBuilder serves only the builder module: the seed's
	// builder-service, on :4002 by default.
	RoleBuilder Role = "builder"
)

// Config is the whole configuration of a process. The composition root
// fills it from flags and environment; modules never read the environment.
type Config struct {
	// Addr is the listen address, e.g. ":4000".
	Addr string
	// Role selects the modules this process serves.
	Role Role
	// DatabaseURL is a postgres:// URL; empty means SQLite under DataDir.
	DatabaseURL string
	// DatabaseQueryTimeout bounds each database statement and transaction;
	// zero means storage.DefaultQueryTimeout.
	DatabaseQueryTimeout time.Duration
	// DataDir holds the embedded SQLite database and generated keys.
	DataDir string
	// RedisURL selects Redis Streams as the event bus; empty means the
	// in-process bus.
	RedisURL string
	// EventStreamPrefix is put before every Redis stream name, to keep
	// several deployments apart on one Redis.
	EventStreamPrefix string
	// BuilderServiceURL, when set, is the base URL of an extracted builder
	// service; builder calls go there over HTTP instead of in process.
	BuilderServiceURL string
	// AccessTokenPrivateKeyFile is the PEM (PKCS #8) Ed25519 key that signs
	// access tokens. Empty: a key pair kept under DataDir/keys, created on
	// first start.
	AccessTokenPrivateKeyFile string
	// AccessTokenPublicKeyFile is the PEM (PKIX) Ed25519 key that verifies
	// access tokens; a process that issues none (the builder service) needs
	// only this. Empty: the public half of the private key.
	AccessTokenPublicKeyFile string
	// PaymentProvider is "test" (the embedded provider: no network; pay
	// with `harness dev pay`) or "stripe".
	PaymentProvider string
	// StripeSecretKey is Stripe's API key ("sk_…"), for the stripe provider.
	StripeSecretKey string
	// StripeAPIURL overrides Stripe's API base URL (stripe-mock in tests).
	StripeAPIURL string
	// WebhookSecret verifies the provider's webhook signatures ("whsec_…").
	// Empty with the test provider: one generated under DataDir/keys.
	WebhookSecret string
	// TrustedProxies are the CIDRs of reverse proxies whose
	// X-Forwarded-For header names the client (for sign-in throttling).
	TrustedProxies []string
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// MaxRequestBytes caps a request body.
	MaxRequestBytes int64
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
}

// DefaultConfig returns the embedded default: everything in one process on
// :4000, SQLite under ./var, the web app's dev origin allowed.
func DefaultConfig() Config {
	return Config{
		Addr:            ":4000",
		Role:            RoleAll,
		DataDir:         "var",
		CORSOrigins:     []string{"http://localhost:3000"},
		MaxRequestBytes: 1 << 20,
		PaymentProvider: "test",
		ShutdownTimeout: 15 * time.Second,
	}
}

// DSN returns the database to open: DatabaseURL, or the SQLite file.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "harness.db")
}

// Validate reports a configuration that cannot run.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("server: empty listen address"))
	}
	switch c.Role {
	case RoleAll:
	case RoleBuilder:
		if c.BuilderServiceURL != "" {
			errs = append(errs, errors.New("server: the builder service cannot route builder calls elsewhere (BUILDER_SERVICE_URL set with role builder)"))
		}
	default:
		errs = append(errs, fmt.Errorf("server: unknown role %q (want all or builder)", c.Role))
	}
	if c.BuilderServiceURL != "" && !strings.HasPrefix(c.BuilderServiceURL, "http://") && !strings.HasPrefix(c.BuilderServiceURL, "https://") {
		errs = append(errs, fmt.Errorf("server: BUILDER_SERVICE_URL %q is not an http(s) URL", c.BuilderServiceURL))
	}
	switch c.PaymentProvider {
	case "test":
	case "stripe":
		if c.Role == RoleAll && (c.StripeSecretKey == "" || c.WebhookSecret == "") {
			errs = append(errs, errors.New("server: the stripe payment provider needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"))
		}
	default:
		errs = append(errs, fmt.Errorf("server: unknown payment provider %q (want test or stripe)", c.PaymentProvider))
	}
	if c.MaxRequestBytes <= 0 {
		errs = append(errs, errors.New("server: MaxRequestBytes must be positive"))
	}
	return errors.Join(errs...)
}

// LogValue logs the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("role", string(c.Role)),
		slog.String("database", storage.Redact(c.DSN())),
		slog.Duration("database_query_timeout", c.DatabaseQueryTimeout),
		slog.String("redis", storage.Redact(c.RedisURL)),
		slog.String("event_stream_prefix", c.EventStreamPrefix),
		slog.String("builder_service_url", c.BuilderServiceURL),
		slog.String("access_token_private_key_file", c.AccessTokenPrivateKeyFile),
		slog.String("access_token_public_key_file", c.AccessTokenPublicKeyFile),
		slog.String("payment_provider", c.PaymentProvider),
		slog.Bool("stripe_secret_key_set", c.StripeSecretKey != ""),
		slog.String("stripe_api_url", c.StripeAPIURL),
		slog.Bool("webhook_secret_set", c.WebhookSecret != ""),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.Int64("max_request_bytes", c.MaxRequestBytes),
	)
}
