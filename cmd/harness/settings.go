package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/harnesshero/platform/server"
)

// options are what the flags and the environment set: the server's
// configuration and the command's own choices.
type options struct {
	cfg                 server.Config
	port, addr          string
	logLevel, logFormat string
}

// A setting is declared once, here: its flag, its environment variable,
// its default, its help and how a value is read. The flag set
// (parseConfig), the environment and the README's configuration table
// (`harness settings --markdown`, TestREADMESettings) all come from these
// rows.
type setting struct {
	// flag is the flag's name, without dashes; arg names its value in
	// help when it is not a plain value ("NAME=URL").
	flag, arg string
	// env is its environment variable; "<NAME>" in it stands for each
	// module's name in capitals (BUILDER_SERVICE_URL), whose value is read
	// as NAME=value.
	env string
	// def is the default as the flag would take it ("" when empty), and
	// note what the default means (or more to know).
	def, note string
	help      string
	// example is a valid value, which the tests set by flag and by
	// environment alike.
	example string
	set     func(o *options, v string) error
}

// settings are every setting of the commands that run the platform.
var settings = func() []setting {
	d := server.DefaultConfig()
	return []setting{
		{flag: "port", env: "PORT", note: "the module's port with one module (user 4001, builder 4002, order 4003, webhook 4004, analytics 4005), else 4000",
			help: "listen port", example: "5000", set: func(o *options, v string) error { o.port = v; return nil }},
		{flag: "addr", env: "HARNESS_ADDR", note: "empty: every interface on --port",
			help: "listen address, overrides --port, e.g. 127.0.0.1:4000", example: "127.0.0.1:4999", set: func(o *options, v string) error { o.addr = v; return nil }},
		str("admin-addr", "HARNESS_ADMIN_ADDR", "empty: none, and `/metrics` on the serving port. When set (e.g. `127.0.0.1:9090`), a second listener serving `/metrics`, `/healthz`, `/readyz` and pprof (`/metrics` and `/debug/pprof/` only there)",
			"address serving /metrics, /healthz, /readyz and pprof apart from the public port", "127.0.0.1:9090", func(c *server.Config) *string { return &c.AdminAddr }),
		{flag: "role", env: "HARNESS_ROLE", def: string(d.Role), note: "or modules, e.g. `builder` or `user,order`",
			help:    "modules to serve: all (every module without a URL), or a comma-separated list of " + strings.Join(server.ModuleNames(), ", "),
			example: "builder", set: func(o *options, v string) error { o.cfg.Role = server.Role(v); return nil }},
		str("database-url", "DATABASE_URL", "empty: SQLite at `<data-dir>/harness.db`", "postgres:// URL; empty means SQLite under --data-dir",
			"postgres://u:p@db:5432/harness", func(c *server.Config) *string { return &c.DatabaseURL }),
		{flag: "database-query-timeout", env: "HARNESS_DATABASE_QUERY_TIMEOUT", note: "empty: 5s",
			help: "bound on each database statement and transaction, e.g. 5s", example: "2500ms", set: func(o *options, v string) error {
				t, err := time.ParseDuration(v)
				if err != nil || t <= 0 {
					return fmt.Errorf("want a positive duration such as 5s, got %q", v)
				}
				o.cfg.DatabaseQueryTimeout = t
				return nil
			}},
		str("data-dir", "HARNESS_DATA_DIR", "the embedded database and the generated keys", "directory of the embedded database and keys",
			"/data", func(c *server.Config) *string { return &c.DataDir }),
		str("redis-url", "REDIS_URL", "empty: in-process events", "redis:// URL for the event bus", "redis://cache:6379/0", func(c *server.Config) *string { return &c.RedisURL }),
		str("event-stream-prefix", "HARNESS_EVENT_STREAM_PREFIX", "", "prefix of the Redis stream names", "staging:", func(c *server.Config) *string { return &c.EventStreamPrefix }),
		str("access-token-private-key-file", "HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE", "empty: generated under `<data-dir>/keys`",
			"PEM Ed25519 key signing access tokens", "/keys/private.pem", func(c *server.Config) *string { return &c.AccessTokenPrivateKeyFile }),
		str("access-token-public-key-file", "HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE", "empty: the private key's public half",
			"PEM Ed25519 public key verifying access tokens (all the builder service needs)", "/keys/public.pem", func(c *server.Config) *string { return &c.AccessTokenPublicKeyFile }),
		perModule("module-database-url", "<NAME>_DATABASE_URL", "none: every module on --database-url",
			"the module NAME keeps its tables and outbox in the database at URL; repeatable", "postgres://db/analytics",
			func(c *server.Config) map[string]string { return c.ModuleDatabaseURLs }),
		perModule("module-url", "<NAME>_SERVICE_URL", "none: every module in process",
			"the module NAME is served at URL; repeatable", "http://builder:4002", func(c *server.Config) map[string]string { return c.ModuleURLs }),
		str("payment-provider", "HARNESS_PAYMENT_PROVIDER", "embedded; `stripe` for Stripe", "test (embedded, pay with `harness dev pay`) or stripe",
			"stripe", func(c *server.Config) *string { return &c.PaymentProvider }),
		str("stripe-secret-key", "STRIPE_SECRET_KEY", "", "Stripe API key", "sk_test_x", func(c *server.Config) *string { return &c.StripeSecretKey }),
		str("stripe-api-url", "STRIPE_API_URL", "empty: Stripe's API (stripe-mock in tests)", "Stripe API base URL, e.g. stripe-mock's",
			"http://localhost:12111", func(c *server.Config) *string { return &c.StripeAPIURL }),
		str("webhook-secret", "STRIPE_WEBHOOK_SECRET", "empty: with the test provider, generated under `<data-dir>/keys`", "payment webhook signing secret",
			"whsec_x", func(c *server.Config) *string { return &c.WebhookSecret }),
		list("trusted-proxies", "HARNESS_TRUSTED_PROXIES", "none: `X-Forwarded-For` is ignored", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client",
			"10.0.0.0/8,192.168.0.0/16", func(c *server.Config) *[]string { return &c.TrustedProxies }),
		list("cors-origins", "HARNESS_CORS_ORIGINS", "", "comma-separated browser origins allowed by CORS",
			"https://a.example, https://b.example", func(c *server.Config) *[]string { return &c.CORSOrigins }),
		{flag: "log-level", env: "HARNESS_LOG_LEVEL", def: "info", help: "debug, info, warn or error", example: "debug",
			set: func(o *options, v string) error { o.logLevel = v; return nil }},
		{flag: "log-format", env: "HARNESS_LOG_FORMAT", def: "text", help: "text or json", example: "json",
			set: func(o *options, v string) error { o.logFormat = v; return nil }},
		integer("gc-percent", "HARNESS_GC_PERCENT", "the collector's target, unless `GOGC` is set (ADR 0021)",
			"the garbage collector's target (GOGC): the heap may grow this many percent over the live heap between collections; 0 leaves the runtime's", "200",
			func(c *server.Config) *int { return &c.GCPercent }),
		{flag: "memory-limit", env: "HARNESS_MEMORY_LIMIT", note: "empty: the runtime's (`GOMEMLIMIT`); in a container ~90 % of its limit, e.g. `460MiB`",
			help: "the runtime's soft memory limit, e.g. 460MiB (about 90 % of a container's limit)", example: "460MiB", set: func(o *options, v string) error {
				n, err := server.ParseBytes(v)
				o.cfg.MemoryLimit = n
				return err
			}},
		duration("drain-grace", "HARNESS_DRAIN_GRACE", "after SIGTERM, serve with `/readyz` failing and `Connection: close`",
			"after SIGTERM, keep serving this long with /readyz failing and Connection: close, then shut down", func(c *server.Config) *time.Duration { return &c.DrainGrace }),
		duration("shutdown-timeout", "HARNESS_SHUTDOWN_TIMEOUT", "then finish in-flight requests", "bound on finishing in-flight requests after the drain",
			func(c *server.Config) *time.Duration { return &c.ShutdownTimeout }),
		integer("watch-max-per-user", "HARNESS_WATCH_MAX_PER_USER", "open WatchOrder streams per user and process; more are refused with `resource_exhausted`",
			"WatchOrder streams one user may hold open in a process; more are refused with resource_exhausted", "4", func(c *server.Config) *int { return &c.Watch.PerUser }),
		integer("watch-max", "HARNESS_WATCH_MAX", "open WatchOrder streams per process; more are refused with `resource_exhausted`",
			"WatchOrder streams a process holds open in all; more are refused with resource_exhausted", "100", func(c *server.Config) *int { return &c.Watch.Total }),
		duration("advice-window", "HARNESS_ADVICE_WINDOW", "the window of metrics GetExtractionAdvice (the admin page's advice) judges",
			"GetExtractionAdvice (the admin page's advice) judges the metrics of this last window", func(c *server.Config) *time.Duration { return &c.Advice.Window }),
		duration("advice-interval", "HARNESS_ADVICE_INTERVAL", "one sample of this process's metrics (or one Prometheus step) per interval",
			"one sample of this process's metrics (or one Prometheus step) every interval, for the advice", func(c *server.Config) *time.Duration { return &c.Advice.Interval }),
		str("advice-prometheus-url", "HARNESS_ADVICE_PROMETHEUS_URL", "empty: the advice reads this process's own metrics; set, a Prometheus server's, over every process it scrapes",
			"a Prometheus server scraping every process of the platform, for the advice", "http://prometheus:9090", func(c *server.Config) *string { return &c.Advice.PrometheusURL }),
		str("advice-prometheus-selector", "HARNESS_ADVICE_PROMETHEUS_SELECTOR", "", `label matchers for the advice's Prometheus series, e.g. namespace="harness"`,
			`namespace="harness"`, func(c *server.Config) *string { return &c.Advice.PrometheusSelector }),
		duration("hop-timeout", "HARNESS_HOP_TIMEOUT", "a call to an extracted module; a caller's earlier deadline wins",
			"default deadline of a call to an extracted module; a caller's earlier deadline wins", func(c *server.Config) *time.Duration { return &c.Hop.Timeout }),
		duration("hop-dial-timeout", "HARNESS_HOP_DIAL_TIMEOUT", "", "bound on connecting to an extracted module", func(c *server.Config) *time.Duration { return &c.Hop.DialTimeout }),
		duration("hop-idle-timeout", "HARNESS_HOP_IDLE_TIMEOUT", "keep below the module's drain grace",
			"close a pooled connection to an extracted module idle this long; keep below its --drain-grace", func(c *server.Config) *time.Duration { return &c.Hop.IdleTimeout }),
		integer("hop-max-in-flight", "HARNESS_HOP_MAX_IN_FLIGHT", "more concurrent calls fail at once", "concurrent calls to an extracted module; more fail at once with unavailable",
			"9", func(c *server.Config) *int { return &c.Hop.MaxInFlight }),
		{flag: "hop-breaker-failures", env: "HARNESS_HOP_BREAKER_FAILURES", def: strconv.Itoa(int(d.Hop.BreakerFailures)),
			help: "consecutive failed calls that open an extracted module's circuit breaker", example: "7", set: func(o *options, v string) error {
				n, err := strconv.ParseUint(v, 10, 32)
				o.cfg.Hop.BreakerFailures = uint32(n)
				return err
			}},
		duration("hop-breaker-cooldown", "HARNESS_HOP_BREAKER_COOLDOWN", "", "how long an open circuit breaker fails calls before one probe",
			func(c *server.Config) *time.Duration { return &c.Hop.BreakerCooldown }),
	}
}()

// str is a setting of a string field of the configuration.
func str(name, env, note, help, example string, field func(*server.Config) *string) setting {
	d := server.DefaultConfig()
	return setting{flag: name, env: env, def: *field(&d), note: note, help: help, example: example,
		set: func(o *options, v string) error { *field(&o.cfg) = v; return nil }}
}

// list is a setting of a comma-separated list.
func list(name, env, note, help, example string, field func(*server.Config) *[]string) setting {
	d := server.DefaultConfig()
	return setting{flag: name, env: env, def: strings.Join(*field(&d), ","), note: note, help: help, example: example,
		set: func(o *options, v string) error {
			var out []string
			for s := range strings.SplitSeq(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
			*field(&o.cfg) = out
			return nil
		}}
}

// duration is a setting of a duration field.
func duration(name, env, note, help string, field func(*server.Config) *time.Duration) setting {
	d := server.DefaultConfig()
	return setting{flag: name, env: env, def: field(&d).String(), note: note, help: help, example: "750ms",
		set: func(o *options, v string) error {
			t, err := time.ParseDuration(v)
			*field(&o.cfg) = t
			return err
		}}
}

// integer is a setting of an int field.
func integer(name, env, note, help, example string, field func(*server.Config) *int) setting {
	d := server.DefaultConfig()
	return setting{flag: name, env: env, def: strconv.Itoa(*field(&d)), note: note, help: help, example: example,
		set: func(o *options, v string) error {
			n, err := strconv.Atoi(v)
			*field(&o.cfg) = n
			return err
		}}
}

// perModule is a repeatable NAME=URL setting, read from one environment
// variable per module.
func perModule(name, env, note, help, example string, field func(*server.Config) map[string]string) setting {
	return setting{flag: name, arg: "NAME=URL", env: env, note: note, help: help, example: "builder=" + example,
		set: func(o *options, v string) error {
			module, url, ok := strings.Cut(v, "=")
			if !ok || module == "" || url == "" {
				return fmt.Errorf("want NAME=URL, got %q", v)
			}
			field(&o.cfg)[module] = url
			return nil
		}}
}

// readEnv applies the settings' environment variables to o.
func readEnv(o *options, getenv func(string) string) error {
	var errs []error
	for _, s := range settings {
		if !strings.Contains(s.env, "<NAME>") {
			if v := getenv(s.env); v != "" {
				if err := s.set(o, v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
				}
			}
			continue
		}
		for _, module := range server.ModuleNames() {
			key := strings.ReplaceAll(s.env, "<NAME>", strings.ToUpper(module))
			if v := getenv(key); v != "" {
				if err := s.set(o, module+"="+v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", key, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// addFlags declares the settings' flags on fs, setting o.
func addFlags(fs *flag.FlagSet, o *options) {
	for _, s := range settings {
		usage := s.help
		if s.arg != "" {
			usage = s.arg + ": " + usage
		}
		if s.def != "" {
			usage += " (default " + s.def + ")"
		}
		fs.Func(s.flag, usage+" ["+s.env+"]", func(v string) error { return s.set(o, v) })
	}
}

// markdown is the README's configuration table.
func markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default |\n|---|---|---|\n")
	for _, s := range settings {
		flagCol := "`--" + s.flag + "`"
		if s.arg != "" {
			flagCol = "`--" + s.flag + " " + s.arg + "` (repeatable)"
		}
		envCol := "`" + s.env + "`"
		if strings.Contains(s.env, "<NAME>") {
			envCol += ", e.g. `" + strings.ReplaceAll(s.env, "<NAME>", "BUILDER") + "`"
		}
		def := "empty"
		if s.def != "" {
			def = "`" + s.def + "`"
		}
		switch {
		case s.def == "" && (strings.HasPrefix(s.note, "empty") || strings.HasPrefix(s.note, "none")):
			def = s.note
		case s.note != "":
			def += ": " + s.note
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", flagCol, envCol, def)
	}
	return b.String()
}
