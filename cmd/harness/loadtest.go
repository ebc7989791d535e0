package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/harnesshero/platform/internal/loadtest"
	"github.com/harnesshero/platform/server"
)

// errChecksFailed is loadtest's answer when the run's checks failed: the
// report says which.
var errChecksFailed = errors.New("loadtest: checks failed (see the report)")

// loadTest runs `harness loadtest`: the shop mix against --url, then the
// checks, then the report (Markdown on stdout; JSON, Markdown, HTML and
// SVG charts under --out). The server flags (--database-url, --data-dir,
// --webhook-secret) say where the platform keeps what the run needs: the
// webhook secret, and the database --grant-admin writes to.
func loadTest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	lc := loadtest.DefaultConfig()
	var (
		urls                            []string
		mix, out                        string
		mixOnly, grantAdmin, knee       bool
		kc                              = loadtest.KneeConfig{Start: 25, Step: 25, Max: 1000, StepDuration: 30 * time.Second, Bound: 100 * time.Millisecond, Confirm: true}
		shoppers, connections           int
		maxWorkers, seed                uint64
		rate, invalidShare              float64
		duration, ramp, timeout, settle time.Duration
	)
	cfg, logger, err := parseConfig("loadtest", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.Func("url", "base URL of the platform's entry, e.g. http://127.0.0.1:4000; repeatable (hits go to each in turn)", func(v string) error {
			urls = append(urls, strings.TrimSuffix(v, "/"))
			return nil
		})
		fs.StringVar(&lc.Topology, "topology", "embedded", "what the targets run, for the report (e.g. embedded, postgres+redis, split)")
		fs.Float64Var(&rate, "rate", lc.Rate, "arrival rate once ramped up, hits per second (open model)")
		fs.DurationVar(&duration, "duration", lc.Duration, "length of the attack, ramp included")
		fs.DurationVar(&ramp, "ramp", lc.Ramp, "time for the rate to climb linearly from 0")
		fs.StringVar(&mix, "mix", "", "weights over the default mix, e.g. quote=60,admin=0 (actions: "+loadtest.DefaultMix().String()+")")
		fs.BoolVar(&mixOnly, "mix-only", false, "the actions --mix does not name get weight 0")
		fs.IntVar(&connections, "connections", 0, "bound on open connections per target (0: none)")
		fs.Uint64Var(&maxWorkers, "max-workers", 0, "bound on requests in flight (0: none, the open model)")
		fs.DurationVar(&timeout, "timeout", lc.Timeout, "bound on each request")
		fs.IntVar(&shoppers, "shoppers", lc.Shoppers, "shoppers registered with a design before the attack")
		fs.Float64Var(&invalidShare, "invalid-share", lc.InvalidShare, "share of quotes breaking a rule on purpose (expected InvalidArgument)")
		fs.StringVar(&lc.AdminEmail, "admin-email", getenv("HARNESS_LOADTEST_ADMIN_EMAIL"), "an existing admin for the admin reads and checks; its password from HARNESS_LOADTEST_ADMIN_PASSWORD [HARNESS_LOADTEST_ADMIN_EMAIL]")
		fs.BoolVar(&grantAdmin, "grant-admin", false, "register an admin and grant the role through the server's database (--database-url or --data-dir), as harness users grant-admin does")
		fs.DurationVar(&settle, "settle", lc.Settle, "how long the checks wait for the event pipeline")
		fs.Uint64Var(&seed, "seed", 0, "seed of the drawn actions and designs (0: random)")
		fs.StringVar(&out, "out", "", "directory of the report (default var/loadtest/<UTC time>)")
		fs.BoolVar(&knee, "find-knee", false, "step the rate up until the p99 crosses --knee-bound")
		fs.Float64Var(&kc.Start, "knee-start", kc.Start, "first step's rate")
		fs.Float64Var(&kc.Step, "knee-step", kc.Step, "rate added per step")
		fs.Float64Var(&kc.Max, "knee-max", kc.Max, "highest step's rate")
		fs.DurationVar(&kc.StepDuration, "step-duration", kc.StepDuration, "length of each step")
		fs.DurationVar(&kc.Bound, "knee-bound", kc.Bound, "the p99 latency the search looks for")
		fs.StringVar(&kc.RPC, "knee-rpc", "", "judge this RPC's p99 (e.g. CatalogService/Quote) instead of every hit's")
		fs.BoolVar(&kc.Confirm, "knee-confirm", kc.Confirm, "run a step that crossed the bound once more before calling it the knee (a shared machine has bursts)")
	})
	if err != nil {
		return err
	}
	lc.Targets, lc.Rate, lc.Duration, lc.Ramp, lc.Timeout, lc.Settle = urls, rate, duration, ramp, timeout, settle
	lc.Connections, lc.MaxWorkers, lc.Shoppers, lc.InvalidShare, lc.Seed = connections, maxWorkers, shoppers, invalidShare, seed
	lc.AdminPassword = getenv("HARNESS_LOADTEST_ADMIN_PASSWORD")
	if lc.Mix, err = loadtest.ParseMix(mix, mixOnly); err != nil {
		return err
	}
	if lc.WebhookSecret = cfg.WebhookSecret; lc.WebhookSecret == "" {
		lc.WebhookSecret = readWebhookSecret(cfg.DataDir)
	}
	if grantAdmin {
		lc.GrantAdmin = func(ctx context.Context, email string) error { return server.GrantAdmin(ctx, cfg, logger, email) }
	}
	lc.Progress = func(format string, args ...any) { fmt.Fprintf(stderr, "loadtest: "+format+"\n", args...) }
	if out == "" {
		out = filepath.Join("var", "loadtest", time.Now().UTC().Format("20060102T150405Z"))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var rep *loadtest.Report
	if knee {
		rep, err = loadtest.FindKnee(ctx, lc, kc)
	} else {
		rep, err = loadtest.Execute(ctx, lc)
	}
	if err != nil {
		return err
	}
	if err := rep.WriteFiles(out); err != nil {
		return err
	}
	if err := rep.WriteMarkdown(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nreport: %s\n", filepath.Join(out, "report.html"))
	if !rep.Passed {
		return errChecksFailed
	}
	return nil
}

// readWebhookSecret returns the embedded provider's secret the server
// generated under its data directory (server.LoadOrCreateWebhookSecret),
// or "" when there is none: the load test never creates one.
func readWebhookSecret(dataDir string) string {
	data, err := os.ReadFile(filepath.Join(dataDir, "keys", "webhook-secret"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
