// Command harness is the one binary of the Harness Hero platform. Every
// process of every topology is this binary with other flags:
//
//	harness serve                    all modules on :4000 (SQLite under ./var)
//	harness serve --role builder     the builder service alone on :4002
//	harness serve --role user,order  several modules in one process on :4000
//	harness migrate                  apply migrations and exit
//	harness users grant-admin EMAIL  make a registered user an admin
//	harness orders forget-addresses  erase the addresses of orders settled 180 days ago
//	harness dev pay ORDER_ID         pay an order (embedded payment provider)
//	harness events replay --consumer analytics --from T --to T
//	                                 re-deliver a range of recorded events
//	harness loadtest --url URL       drive the shop mix, check, write a report
//	harness advise --url URL         which module to extract next, from the metrics
//	harness version                  print the build version
//
// Configuration comes from flags, then the seed's environment variables
// (PORT, DATABASE_URL, REDIS_URL, <MODULE>_SERVICE_URL such as
// BUILDER_SERVICE_URL) and HARNESS_*.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/harnesshero/platform/platform/telemetry"
	"github.com/harnesshero/platform/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "harness:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: harness <command> [flags]

commands:
  serve     run the platform (or some modules with --role, others at --module-url)
  migrate   apply database migrations and exit
  users     grant-admin EMAIL: make a registered user an admin
  orders    forget-addresses [--older-than 4320h]: erase the shipping addresses of orders settled before
  dev       pay ORDER_ID [--outcome succeeded|failed|refunded] [--url URL]: send a signed payment webhook
  events    replay --consumer NAME --from RFC3339 --to RFC3339: re-deliver recorded events
  healthcheck URL: GET URL, succeed on a 2xx answer (a container healthcheck)
  loadtest  --url URL [--rate N --duration D --find-knee ...]: drive the shop mix, check, write a report
  advise    [--url URL | --prometheus URL] [--window 5m --interval 10s --json]: which module to extract next
  version   print the version
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		cfg, logger, err := parseConfig("serve", args, getenv, stderr)
		if err != nil {
			return err
		}
		flush, err := withTracing(ctx, &cfg, getenv, logger)
		if err != nil {
			return err
		}
		defer flush()
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return server.Serve(ctx, cfg, logger, nil)
	case "migrate":
		cfg, logger, err := parseConfig("migrate", args, getenv, stderr)
		if err != nil {
			return err
		}
		return server.Migrate(ctx, cfg, logger)
	case "users":
		if len(args) < 2 || args[0] != "grant-admin" {
			return errors.New("usage: harness users grant-admin EMAIL [flags]")
		}
		email := args[1]
		cfg, logger, err := parseConfig("users grant-admin", args[2:], getenv, stderr)
		if err != nil {
			return err
		}
		if err := server.GrantAdmin(ctx, cfg, logger, email); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now an admin\n", email)
		return nil
	case "orders":
		return forgetAddresses(ctx, args, getenv, stdout, stderr)
	case "events":
		return replay(ctx, args, getenv, stdout, stderr)
	case "dev":
		return devPay(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stdout)
	case "loadtest":
		return loadTest(ctx, args, getenv, stdout, stderr)
	case "advise":
		return adviseCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// parseConfig reads flags over environment over defaults.
// extra, when given, adds the command's own flags.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra ...func(*flag.FlagSet)) (server.Config, *slog.Logger, error) {
	cfg := server.DefaultConfig()
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var envErrs []error
	envDuration := func(key string, def time.Duration) time.Duration {
		v := getenv(key)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s: %w", key, err))
		}
		return d
	}
	envInt := func(key string, def int) int {
		v := getenv(key)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s: %w", key, err))
		}
		return n
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", env("HARNESS_ROLE", string(server.RoleAll)),
		"modules to serve: all (every module without a URL), or a comma-separated list of "+strings.Join(server.ModuleNames(), ", ")+" [HARNESS_ROLE]")
	port := fs.String("port", getenv("PORT"), "listen port; default: the module's own with one module (user 4001, builder 4002, order 4003, webhook 4004, analytics 4005), else 4000 [PORT]")
	addr := fs.String("addr", getenv("HARNESS_ADDR"), "listen address, overrides --port, e.g. 127.0.0.1:4000 [HARNESS_ADDR]")
	fs.StringVar(&cfg.AdminAddr, "admin-addr", getenv("HARNESS_ADMIN_ADDR"), "address serving /metrics, /healthz, /readyz and pprof apart from the public port, e.g. 127.0.0.1:9090; empty: none (pprof off) [HARNESS_ADMIN_ADDR]")
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "postgres:// URL; empty means SQLite under --data-dir [DATABASE_URL]")
	dbTimeout := fs.String("database-query-timeout", getenv("HARNESS_DATABASE_QUERY_TIMEOUT"), "bound on each database statement and transaction, e.g. 5s; default 5s [HARNESS_DATABASE_QUERY_TIMEOUT]")
	fs.StringVar(&cfg.DataDir, "data-dir", env("HARNESS_DATA_DIR", cfg.DataDir), "directory of the embedded database and keys [HARNESS_DATA_DIR]")
	fs.StringVar(&cfg.RedisURL, "redis-url", getenv("REDIS_URL"), "redis:// URL for the event bus [REDIS_URL]")
	fs.StringVar(&cfg.EventStreamPrefix, "event-stream-prefix", getenv("HARNESS_EVENT_STREAM_PREFIX"), "prefix of the Redis stream names [HARNESS_EVENT_STREAM_PREFIX]")
	cfg.ModuleURLs = map[string]string{}
	for _, name := range server.ModuleNames() {
		if url := getenv(server.ModuleURLEnv(name)); url != "" {
			cfg.ModuleURLs[name] = url
		}
	}
	fs.Func("module-url", "NAME=URL: the module NAME is served at URL; repeatable [<NAME>_SERVICE_URL, e.g. BUILDER_SERVICE_URL]", func(v string) error {
		name, url, ok := strings.Cut(v, "=")
		if !ok || name == "" || url == "" {
			return fmt.Errorf("want NAME=URL, got %q", v)
		}
		cfg.ModuleURLs[name] = url
		return nil
	})
	cfg.ModuleDatabaseURLs = map[string]string{}
	for _, name := range server.ModuleNames() {
		if url := getenv(server.ModuleDatabaseURLEnv(name)); url != "" {
			cfg.ModuleDatabaseURLs[name] = url
		}
	}
	fs.Func("module-database-url", "NAME=URL: the module NAME keeps its tables and outbox in the database at URL; repeatable [<NAME>_DATABASE_URL, e.g. ANALYTICS_DATABASE_URL]", func(v string) error {
		name, url, ok := strings.Cut(v, "=")
		if !ok || name == "" || url == "" {
			return fmt.Errorf("want NAME=URL, got %q", v)
		}
		cfg.ModuleDatabaseURLs[name] = url
		return nil
	})
	fs.StringVar(&cfg.PaymentProvider, "payment-provider", env("HARNESS_PAYMENT_PROVIDER", cfg.PaymentProvider), "test (embedded, pay with `harness dev pay`) or stripe [HARNESS_PAYMENT_PROVIDER]")
	fs.StringVar(&cfg.StripeSecretKey, "stripe-secret-key", getenv("STRIPE_SECRET_KEY"), "Stripe API key [STRIPE_SECRET_KEY]")
	fs.StringVar(&cfg.StripeAPIURL, "stripe-api-url", getenv("STRIPE_API_URL"), "Stripe API base URL, e.g. stripe-mock's [STRIPE_API_URL]")
	fs.StringVar(&cfg.WebhookSecret, "webhook-secret", getenv("STRIPE_WEBHOOK_SECRET"), "payment webhook signing secret; default with the test provider: generated under --data-dir/keys [STRIPE_WEBHOOK_SECRET]")
	fs.StringVar(&cfg.AccessTokenPrivateKeyFile, "access-token-private-key-file", getenv("HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE"), "PEM Ed25519 key signing access tokens; default: generated under --data-dir/keys [HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE]")
	fs.StringVar(&cfg.AccessTokenPublicKeyFile, "access-token-public-key-file", getenv("HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE"), "PEM Ed25519 public key verifying access tokens (all the builder service needs) [HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE]")
	proxies := fs.String("trusted-proxies", getenv("HARNESS_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client [HARNESS_TRUSTED_PROXIES]")
	origins := fs.String("cors-origins", env("HARNESS_CORS_ORIGINS", strings.Join(cfg.CORSOrigins, ",")), "comma-separated browser origins allowed by CORS [HARNESS_CORS_ORIGINS]")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", envDuration("HARNESS_SHUTDOWN_TIMEOUT", cfg.ShutdownTimeout), "bound on finishing in-flight requests after the drain [HARNESS_SHUTDOWN_TIMEOUT]")
	fs.DurationVar(&cfg.DrainGrace, "drain-grace", envDuration("HARNESS_DRAIN_GRACE", cfg.DrainGrace), "after SIGTERM, keep serving this long with /readyz failing and Connection: close, then shut down [HARNESS_DRAIN_GRACE]")
	fs.IntVar(&cfg.Watch.PerUser, "watch-max-per-user", envInt("HARNESS_WATCH_MAX_PER_USER", cfg.Watch.PerUser), "WatchOrder streams one user may hold open in a process; more are refused with resource_exhausted [HARNESS_WATCH_MAX_PER_USER]")
	fs.DurationVar(&cfg.Advice.Window, "advice-window", envDuration("HARNESS_ADVICE_WINDOW", cfg.Advice.Window), "GetExtractionAdvice (the admin page's advice) judges the metrics of this last window [HARNESS_ADVICE_WINDOW]")
	fs.DurationVar(&cfg.Advice.Interval, "advice-interval", envDuration("HARNESS_ADVICE_INTERVAL", cfg.Advice.Interval), "one sample of this process's metrics (or one Prometheus step) every interval, for the advice [HARNESS_ADVICE_INTERVAL]")
	fs.StringVar(&cfg.Advice.PrometheusURL, "advice-prometheus-url", env("HARNESS_ADVICE_PROMETHEUS_URL", ""), "a Prometheus server scraping every process of the platform, for the advice; empty: this process's own metrics [HARNESS_ADVICE_PROMETHEUS_URL]")
	fs.StringVar(&cfg.Advice.PrometheusSelector, "advice-prometheus-selector", env("HARNESS_ADVICE_PROMETHEUS_SELECTOR", ""), `label matchers for the advice's Prometheus series, e.g. namespace="harness" [HARNESS_ADVICE_PROMETHEUS_SELECTOR]`)
	fs.IntVar(&cfg.Watch.Total, "watch-max", envInt("HARNESS_WATCH_MAX", cfg.Watch.Total), "WatchOrder streams a process holds open in all; more are refused with resource_exhausted [HARNESS_WATCH_MAX]")
	fs.DurationVar(&cfg.Hop.Timeout, "hop-timeout", envDuration("HARNESS_HOP_TIMEOUT", cfg.Hop.Timeout), "default deadline of a call to an extracted module; a caller's earlier deadline wins [HARNESS_HOP_TIMEOUT]")
	fs.DurationVar(&cfg.Hop.DialTimeout, "hop-dial-timeout", envDuration("HARNESS_HOP_DIAL_TIMEOUT", cfg.Hop.DialTimeout), "bound on connecting to an extracted module [HARNESS_HOP_DIAL_TIMEOUT]")
	fs.DurationVar(&cfg.Hop.IdleTimeout, "hop-idle-timeout", envDuration("HARNESS_HOP_IDLE_TIMEOUT", cfg.Hop.IdleTimeout), "close a pooled connection to an extracted module idle this long; keep below its --drain-grace [HARNESS_HOP_IDLE_TIMEOUT]")
	fs.IntVar(&cfg.Hop.MaxInFlight, "hop-max-in-flight", envInt("HARNESS_HOP_MAX_IN_FLIGHT", cfg.Hop.MaxInFlight), "concurrent calls to an extracted module; more fail at once with unavailable [HARNESS_HOP_MAX_IN_FLIGHT]")
	breakerFailures := fs.Int("hop-breaker-failures", envInt("HARNESS_HOP_BREAKER_FAILURES", int(cfg.Hop.BreakerFailures)), "consecutive failed calls that open an extracted module's circuit breaker [HARNESS_HOP_BREAKER_FAILURES]")
	fs.DurationVar(&cfg.Hop.BreakerCooldown, "hop-breaker-cooldown", envDuration("HARNESS_HOP_BREAKER_COOLDOWN", cfg.Hop.BreakerCooldown), "how long an open circuit breaker fails calls before one probe [HARNESS_HOP_BREAKER_COOLDOWN]")
	if getenv("GOGC") != "" {
		cfg.GCPercent = 0 // the operator's GOGC stands
	}
	fs.IntVar(&cfg.GCPercent, "gc-percent", envInt("HARNESS_GC_PERCENT", cfg.GCPercent), "the garbage collector's target (GOGC): the heap may grow this many percent over the live heap between collections; 0 leaves the runtime's (GOGC, default 100); default 400 unless GOGC is set [HARNESS_GC_PERCENT]")
	memoryLimit := fs.String("memory-limit", getenv("HARNESS_MEMORY_LIMIT"), "the runtime's soft memory limit, e.g. 460MiB (about 90 % of a container's limit); empty leaves the runtime's (GOMEMLIMIT, default none) [HARNESS_MEMORY_LIMIT]")
	logLevel := fs.String("log-level", env("HARNESS_LOG_LEVEL", "info"), "debug, info, warn or error [HARNESS_LOG_LEVEL]")
	logFormat := fs.String("log-format", env("HARNESS_LOG_FORMAT", "text"), "text or json [HARNESS_LOG_FORMAT]")
	for _, add := range extra {
		add(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if len(envErrs) > 0 {
		return cfg, nil, errors.Join(envErrs...)
	}
	if *breakerFailures < 0 {
		return cfg, nil, errors.New("--hop-breaker-failures must not be negative")
	}
	cfg.Hop.BreakerFailures = uint32(*breakerFailures)
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Role = server.Role(*role)
	switch {
	case *addr != "":
		cfg.Addr = *addr
	case *port != "":
		cfg.Addr = ":" + *port
	default:
		cfg.Addr = ":" + strconv.Itoa(server.DefaultPort(cfg.Role))
	}
	if len(cfg.ModuleURLs) == 0 {
		cfg.ModuleURLs = nil
	}
	for p := range strings.SplitSeq(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	cfg.CORSOrigins = nil
	for o := range strings.SplitSeq(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	if *dbTimeout != "" {
		d, err := time.ParseDuration(*dbTimeout)
		if err != nil || d <= 0 {
			return cfg, nil, fmt.Errorf("--database-query-timeout: want a positive duration such as 5s, got %q", *dbTimeout)
		}
		cfg.DatabaseQueryTimeout = d
	}
	if *memoryLimit != "" {
		n, err := server.ParseBytes(*memoryLimit)
		if err != nil {
			return cfg, nil, fmt.Errorf("--memory-limit: %w", err)
		}
		cfg.MemoryLimit = n
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return cfg, nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, opts)
	case "json":
		handler = slog.NewJSONHandler(stderr, opts)
	default:
		return cfg, nil, fmt.Errorf("--log-format: want text or json, got %q", *logFormat)
	}
	// Lines logged inside a traced call carry its trace_id and span_id.
	return cfg, slog.New(telemetry.LogHandler(handler)), cfg.Validate()
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// replay runs `harness events replay`.
func replay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "replay" {
		return errors.New("usage: harness events replay --consumer NAME [--from RFC3339] [--to RFC3339] [flags]")
	}
	var consumer, from, to string
	cfg, logger, err := parseConfig("events replay", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&consumer, "consumer", "", fmt.Sprintf("the consumer to re-deliver to: one of %v", server.Consumers))
		fs.StringVar(&from, "from", "", "first record time, RFC 3339 (default: the beginning)")
		fs.StringVar(&to, "to", "", "end of the range, excluded, RFC 3339 (default: now)")
	})
	if err != nil {
		return err
	}
	if consumer == "" {
		return fmt.Errorf("--consumer is required (one of %v)", server.Consumers)
	}
	start, end := time.Time{}, time.Now().Add(time.Minute)
	if from != "" {
		if start, err = time.Parse(time.RFC3339, from); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}
	if to != "" {
		if end, err = time.Parse(time.RFC3339, to); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	n, err := server.ReplayEvents(ctx, cfg, logger, consumer, start, end)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-delivered %d events to %s\n", n, consumer)
	return nil
}

// forgetAddresses runs `harness orders forget-addresses`: the retention
// rule of shipping addresses (docs/decisions/0009), run daily by the
// CronJob in deploy/k8s/base.
func forgetAddresses(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "forget-addresses" {
		return errors.New("usage: harness orders forget-addresses [--older-than 4320h] [flags]")
	}
	olderThan := server.DefaultAddressRetention
	cfg, logger, err := parseConfig("orders forget-addresses", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.DurationVar(&olderThan, "older-than", olderThan, "erase the addresses of orders delivered, cancelled or refunded longer ago than this (default 180 days)")
	})
	if err != nil {
		return err
	}
	if olderThan <= 0 {
		return fmt.Errorf("--older-than must be positive, got %v", olderThan)
	}
	n, err := server.ForgetAddresses(ctx, cfg, logger, olderThan)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased the shipping addresses of %d orders settled more than %v ago\n", n, olderThan)
	return nil
}

// devPay runs `harness dev pay ORDER_ID`.
func devPay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "pay" {
		return errors.New("usage: harness dev pay ORDER_ID [--outcome succeeded|failed|refunded] [--url http://localhost:4000] [flags]")
	}
	orderID := args[1]
	var outcome, url string
	cfg, logger, err := parseConfig("dev pay", args[2:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&outcome, "outcome", "succeeded", "succeeded, failed or refunded")
		fs.StringVar(&url, "url", "", "the running platform (default: http://localhost:PORT)")
	})
	if err != nil {
		return err
	}
	if url == "" {
		url = "http://localhost" + cfg.Addr
		if !strings.HasPrefix(cfg.Addr, ":") {
			url = "http://" + cfg.Addr
		}
	}
	answer, err := server.DevPay(ctx, cfg, logger, url, orderID, outcome)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "payment %s sent for order %s: %s\n", outcome, orderID, answer)
	return nil
}
