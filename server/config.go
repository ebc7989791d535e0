package server

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/storage"
)

// Role names the modules a process serves: "all", or a comma-separated
// list of module names ("builder", "user,order").
type Role string

// Roles of note.
const (
	// RoleAll serves every module that has no URL in Config.ModuleURLs
	// and forwards the others: the platform, on :4000 by default.
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
	// AdminAddr, when set, is a second listen address serving /metrics,
	// /healthz, /readyz and pprof (AdminHandler), and /metrics is then
	// served there only; empty means none, and /metrics on Addr.
	AdminAddr string
	// Role selects the modules this process serves.
	Role Role
	// DatabaseURL is a postgres:// URL; empty means SQLite under DataDir.
	DatabaseURL string
	// ModuleDatabaseURLs give some modules a database of their own, by
	// module name ("analytics": "postgres://…/analytics"): the module's
	// tables and the outbox of its events live there (ADR 0030). The
	// others use DatabaseURL, or the SQLite file.
	ModuleDatabaseURLs map[string]string
	// DatabaseQueryTimeout bounds each database statement and transaction;
	// zero means storage.DefaultQueryTimeout.
	DatabaseQueryTimeout time.Duration
	// PasswordCost is the argon2id cost of new password hashes; the zero
	// value is the production cost. No flag sets it: only tests lower it,
	// to keep suites that register many users fast.
	PasswordCost user.PasswordCost
	// DataDir holds the embedded SQLite database and generated keys.
	DataDir string
	// RedisURL selects Redis Streams as the event bus; empty means the
	// in-process bus.
	RedisURL string
	// EventStreamPrefix is put before every Redis stream name, to keep
	// several deployments apart on one Redis.
	EventStreamPrefix string
	// ModuleURLs are the base URLs of modules served by other processes,
	// by module name ("builder": "http://builder:4002"). This process
	// reaches them there over HTTP through their generated clients, and
	// forwards its clients' calls to them.
	ModuleURLs map[string]string
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
	// ShutdownTimeout bounds the graceful shutdown, after the drain.
	ShutdownTimeout time.Duration
	// DrainGrace is how long the process keeps serving after SIGTERM with
	// /readyz failing and every response saying "Connection: close", so
	// load balancers and keep-alive clients move off before the listener
	// closes. Zero shuts down at once.
	DrainGrace time.Duration
	// Hop configures the calls to modules served elsewhere (ModuleURLs).
	Hop HopConfig
	// Watch caps the WatchOrder streams the order module holds open, per
	// user and in all; a stream beyond a cap is ResourceExhausted.
	// DefaultConfig has order's defaults (16 per user, 4,096 in all).
	Watch order.WatchLimits
	// GCPercent is the garbage collector's target that Serve sets
	// (debug.SetGCPercent): the heap may grow this many percent over the
	// live heap between collections. Zero leaves the runtime's (GOGC,
	// default 100); negative turns the collector off (then set
	// MemoryLimit). DefaultConfig has DefaultGCPercent.
	GCPercent int
	// MemoryLimit is the runtime's soft memory limit in bytes that Serve
	// sets (debug.SetMemoryLimit); zero leaves the runtime's (GOMEMLIMIT,
	// default none). In a container, about 90 % of its memory limit.
	MemoryLimit int64
	// Advice configures GetExtractionAdvice (and the admin page's table).
	Advice AdviceConfig
	// TracerProvider receives the spans of every RPC (server and client
	// side), query and event handler; nil traces nothing and installs no
	// tracing code on the hot paths. The command builds it from the
	// OTEL_* variables (telemetry.NewTracerProvider).
	TracerProvider trace.TracerProvider
}

// HopConfig bounds the calls this process makes to a module served
// elsewhere, so that a dead or hung dependency fails fast with Unavailable
// instead of holding the caller.
type HopConfig struct {
	// Timeout is a call's default deadline; a caller's earlier deadline
	// (Connect-Timeout-Ms) wins.
	Timeout time.Duration
	// DialTimeout bounds opening a connection.
	DialTimeout time.Duration
	// IdleTimeout closes a pooled connection unused this long. Keep it
	// below the dependency's DrainGrace: then no idle connection is left
	// for a draining peer to close under a request.
	IdleTimeout time.Duration
	// MaxInFlight caps concurrent calls to one module, and apart from them
	// its server streams (WatchOrder), which have no deadline; calls
	// beyond it fail at once with Unavailable.
	MaxInFlight int
	// BreakerFailures consecutive failed calls open the circuit breaker:
	// calls then fail at once with Unavailable.
	BreakerFailures uint32
	// BreakerCooldown is how long the breaker stays open before one probe
	// call may try the module again.
	BreakerCooldown time.Duration
}

// AdviceConfig says where GetExtractionAdvice reads the metrics it judges
// (internal/advise, as `harness advise` does): a Prometheus server
// scraping every process of the platform when PrometheusURL is set, else
// this process's own, recorded every Interval and kept for Window.
type AdviceConfig struct {
	// Window is how far back the advice looks.
	Window time.Duration
	// Interval is one sample of this process's metrics, or one step of
	// Prometheus' range queries.
	Interval time.Duration
	// PrometheusURL is a Prometheus server scraping the platform (e.g.
	// http://prometheus:9090); empty: this process's own metrics, which
	// in a split deployment see only the modules this process serves or
	// forwards.
	PrometheusURL string
	// PrometheusSelector are label matchers for every series read from
	// Prometheus, e.g. `namespace="harness"`.
	PrometheusSelector string
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
		DrainGrace:      5 * time.Second,
		GCPercent:       DefaultGCPercent,
		Watch:           order.WatchLimits{PerUser: order.DefaultWatchPerUser, Total: order.DefaultWatchTotal},
		Advice:          AdviceConfig{Window: 15 * time.Minute, Interval: 15 * time.Second},
		Hop: HopConfig{
			Timeout:         5 * time.Second,
			DialTimeout:     2 * time.Second,
			IdleTimeout:     2 * time.Second,
			MaxInFlight:     256,
			BreakerFailures: 5,
			BreakerCooldown: 5 * time.Second,
		},
	}
}

// DSN returns the database to open: DatabaseURL, or the SQLite file.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "harness.db")
}

// ModuleDSN returns the database of module name: its own when
// ModuleDatabaseURLs names one, else DSN.
func (c Config) ModuleDSN(name string) string {
	if url := c.ModuleDatabaseURLs[name]; url != "" {
		return url
	}
	return c.DSN()
}

// ModuleDatabaseURLEnv is the environment variable giving module name a
// database of its own: ANALYTICS_DATABASE_URL for analytics.
func ModuleDatabaseURLEnv(name string) string { return strings.ToUpper(name) + "_DATABASE_URL" }

// Validate reports a configuration that cannot run.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("server: empty listen address"))
	}
	topo, err := c.topology()
	if err == nil {
		err = topo.check(c)
	}
	if err != nil {
		errs = append(errs, err)
	}
	if err == nil && len(topo.served) == 0 && c.AccessTokenPublicKeyFile == "" {
		// An entry that only forwards verifies the tokens the user
		// module's process issues: a key pair of its own would refuse them
		// all.
		errs = append(errs, errors.New("server: this process serves no module: it needs the user module's public key to verify access tokens (HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE, --access-token-public-key-file)"))
	}
	switch c.PaymentProvider {
	case "test":
	case "stripe":
		if topo.serves("order") && c.StripeSecretKey == "" {
			errs = append(errs, errors.New("server: the order module with the stripe payment provider needs STRIPE_SECRET_KEY"))
		}
		if topo.serves("webhook") && c.WebhookSecret == "" {
			errs = append(errs, errors.New("server: the webhook module with the stripe payment provider needs STRIPE_WEBHOOK_SECRET"))
		}
	default:
		errs = append(errs, fmt.Errorf("server: unknown payment provider %q (want test or stripe)", c.PaymentProvider))
	}
	for name := range c.ModuleDatabaseURLs {
		if lookup(name) == nil {
			errs = append(errs, fmt.Errorf("server: %s names unknown module %q (modules: %s)", ModuleDatabaseURLEnv(name), name, strings.Join(ModuleNames(), ", ")))
		}
	}
	if c.MaxRequestBytes <= 0 {
		errs = append(errs, errors.New("server: MaxRequestBytes must be positive"))
	}
	if c.MemoryLimit < 0 {
		errs = append(errs, errors.New("server: MemoryLimit must not be negative"))
	}
	if c.DrainGrace < 0 {
		errs = append(errs, errors.New("server: DrainGrace must not be negative"))
	}
	if c.Advice.Interval <= 0 || c.Advice.Window < c.Advice.Interval {
		errs = append(errs, fmt.Errorf("server: the advice window (%v) must hold at least one interval (%v)", c.Advice.Window, c.Advice.Interval))
	}
	if c.Watch.PerUser < 0 || c.Watch.Total < 0 {
		errs = append(errs, fmt.Errorf("server: Watch caps must not be negative (%+v)", c.Watch))
	}
	if len(c.ModuleURLs) > 0 {
		h := c.Hop
		if h.Timeout <= 0 || h.DialTimeout <= 0 || h.IdleTimeout <= 0 || h.BreakerCooldown <= 0 || h.MaxInFlight <= 0 || h.BreakerFailures == 0 {
			errs = append(errs, fmt.Errorf("server: every hop setting must be positive (%+v)", h))
		}
	}
	return errors.Join(errs...)
}

// LogValue logs the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("admin_addr", c.AdminAddr),
		slog.String("role", string(c.Role)),
		slog.String("database", storage.Redact(c.DSN())),
		slog.Any("module_databases", redactAll(c.ModuleDatabaseURLs)),
		slog.Duration("database_query_timeout", c.DatabaseQueryTimeout),
		slog.String("redis", storage.Redact(c.RedisURL)),
		slog.String("event_stream_prefix", c.EventStreamPrefix),
		slog.Any("module_urls", c.ModuleURLs),
		slog.String("access_token_private_key_file", c.AccessTokenPrivateKeyFile),
		slog.String("access_token_public_key_file", c.AccessTokenPublicKeyFile),
		slog.String("payment_provider", c.PaymentProvider),
		slog.Bool("stripe_secret_key_set", c.StripeSecretKey != ""),
		slog.String("stripe_api_url", c.StripeAPIURL),
		slog.Bool("webhook_secret_set", c.WebhookSecret != ""),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.Int64("max_request_bytes", c.MaxRequestBytes),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Duration("drain_grace", c.DrainGrace),
		slog.Duration("advice_window", c.Advice.Window),
		slog.Duration("advice_interval", c.Advice.Interval),
		slog.String("advice_prometheus_url", storage.Redact(c.Advice.PrometheusURL)),
		slog.Int("gc_percent", c.GCPercent),
		slog.Int64("memory_limit", c.MemoryLimit),
		slog.Bool("tracing", c.TracerProvider != nil),
		slog.Group("watch", slog.Int("max_per_user", c.Watch.PerUser), slog.Int("max", c.Watch.Total)),
		slog.Group("hop",
			slog.Duration("timeout", c.Hop.Timeout),
			slog.Duration("dial_timeout", c.Hop.DialTimeout),
			slog.Duration("idle_timeout", c.Hop.IdleTimeout),
			slog.Int("max_in_flight", c.Hop.MaxInFlight),
			slog.Any("breaker_failures", c.Hop.BreakerFailures),
			slog.Duration("breaker_cooldown", c.Hop.BreakerCooldown),
		),
	)
}

// redactAll redacts the passwords of urls.
func redactAll(urls map[string]string) map[string]string {
	out := make(map[string]string, len(urls))
	for name, url := range urls {
		out[name] = storage.Redact(url)
	}
	return out
}
