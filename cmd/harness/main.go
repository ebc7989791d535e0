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

// parseConfig reads flags over environment over defaults (settings).
// extra, when given, adds the command's own flags.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra ...func(*flag.FlagSet)) (server.Config, *slog.Logger, error) {
	o := &options{cfg: server.DefaultConfig(), logLevel: "info", logFormat: "text"}
	o.cfg.ModuleURLs, o.cfg.ModuleDatabaseURLs = map[string]string{}, map[string]string{}
	if getenv("GOGC") != "" {
		o.cfg.GCPercent = 0 // the operator's GOGC stands
	}
	if err := readEnv(o, getenv); err != nil {
		return o.cfg, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addFlags(fs, o)
	for _, add := range extra {
		add(fs)
	}
	if err := fs.Parse(args); err != nil {
		return o.cfg, nil, err
	}
	if fs.NArg() > 0 {
		return o.cfg, nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := o.cfg
	switch {
	case o.addr != "":
		cfg.Addr = o.addr
	case o.port != "":
		cfg.Addr = ":" + o.port
	default:
		cfg.Addr = ":" + strconv.Itoa(server.DefaultPort(cfg.Role))
	}
	if len(cfg.ModuleURLs) == 0 {
		cfg.ModuleURLs = nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return cfg, nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler
	switch o.logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, opts)
	case "json":
		handler = slog.NewJSONHandler(stderr, opts)
	default:
		return cfg, nil, fmt.Errorf("--log-format: want text or json, got %q", o.logFormat)
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
