package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Run is one load test against one platform: the shop state its attacks
// build, and the hits they collected.
type Run struct {
	cfg     Config
	seed    uint64
	shop    *shop
	started time.Time
	// all collects every attack of the run, for the report and charts.
	all *collector
	// fivexx counts answers with a 5xx status; fivexxSeen are examples.
	fivexx     int
	fivexxSeen []string
	steps      []Step
	knee       *Knee
	// loadBefore and loadAfter are the machine's load average at the
	// start and after the last attack.
	loadBefore, loadAfter float64
}

// Execute runs one load test: Start, Attack, Finish.
func Execute(ctx context.Context, cfg Config) (*Report, error) {
	r, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := r.Attack(ctx); err != nil {
		return nil, err
	}
	return r.Finish(ctx)
}

// Start validates cfg and sets the shop up: the admin and the analytics
// baseline (when the run has an admin) and the first shoppers.
func Start(ctx context.Context, cfg Config) (*Run, error) {
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	r := &Run{cfg: cfg, seed: seed, shop: newShop(cfg, seed), started: time.Now(), loadBefore: loadAverage()}
	r.progress("setting up: %d shoppers%s", cfg.Shoppers, map[bool]string{true: ", an admin", false: ""}[cfg.hasAdmin()])
	if err := r.shop.setUp(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Run) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(format, args...)
	}
}

// Attack sends the configured rate for the configured duration, after
// the ramp. It returns an error only when ctx ended it.
func (r *Run) Attack(ctx context.Context) error {
	r.progress("attack: %g hits/s for %v (ramp %v) against %v", r.cfg.Rate, r.cfg.Duration, r.cfg.Ramp, r.cfg.Targets)
	r.attack(ctx, rampPacer{rate: r.cfg.Rate, ramp: r.cfg.Ramp}, r.cfg.Duration)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("loadtest: attack stopped: %w", err)
	}
	return nil
}

// attack runs one vegeta attack with pacer for d and returns its hits
// (also added to the run's).
func (r *Run) attack(ctx context.Context, pacer vegeta.Pacer, d time.Duration) *collector {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(r.cfg.Timeout), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow),
		vegeta.Proxy(nil), vegeta.HTTP2(false),
	}
	if r.cfg.Connections > 0 {
		opts = append(opts, vegeta.Connections(r.cfg.Connections), vegeta.MaxConnections(r.cfg.Connections))
	}
	if r.cfg.MaxWorkers > 0 {
		opts = append(opts, vegeta.MaxWorkers(r.cfg.MaxWorkers))
	}
	atk := vegeta.NewAttacker(opts...)
	start := time.Now()
	if r.all == nil {
		r.all = newCollector(start)
	}
	col := newCollector(start)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	nextReport := start.Add(5 * time.Second)
	for res := range atk.Attack(r.shop.target, pacer, d, "harness-loadtest") {
		c := r.shop.take(res)
		if c == nil {
			continue // not a hit of ours: cannot happen
		}
		out := r.shop.settle(c, res)
		col.add(c.rpc, out, res.Timestamp, res.Latency)
		r.all.add(c.rpc, out, res.Timestamp, res.Latency)
		if out.status >= 500 {
			r.fivexx++
			if len(r.fivexxSeen) < maxFailures {
				r.fivexxSeen = append(r.fivexxSeen, fmt.Sprintf("%s: %d %s", c.rpc, out.status, out.message))
			}
		}
		if now := time.Now(); now.After(nextReport) {
			nextReport = now.Add(5 * time.Second)
			r.progress("%5.0fs: %d hits, %d unexpected", now.Sub(start).Seconds(), countAll(col), countUnexpected(col))
		}
	}
	return col
}

func countAll(c *collector) (n int) {
	for _, s := range c.samples {
		n += len(s)
	}
	return n
}

func countUnexpected(c *collector) (n int) {
	for k, s := range c.samples {
		if !c.expected[k] {
			n += len(s)
		}
	}
	return n
}

// Finish runs the checks and returns the report.
func (r *Run) Finish(ctx context.Context) (*Report, error) {
	if r.all == nil {
		return nil, fmt.Errorf("loadtest: no attack ran")
	}
	r.loadAfter = loadAverage()
	total, rpcs, errs := r.all.summarize()
	r.progress("checking: %d orders, analytics", len(r.shop.ledger.orders))
	checks := r.check(ctx, total, rpcs)
	rep := &Report{
		Meta: r.meta(), Total: total, RPCs: rpcs, Errors: errs, Checks: checks,
		Steps: r.steps, Knee: r.knee, Passed: true, collector: r.all,
	}
	for _, c := range checks {
		rep.Passed = rep.Passed && c.Passed
	}
	return rep, nil
}

func (r *Run) meta() Meta {
	c := r.cfg
	r.shop.mu.Lock()
	defer r.shop.mu.Unlock()
	fallbacks := map[string]int{}
	for k, v := range r.shop.fallbacks {
		fallbacks[k] = v
	}
	return Meta{
		Topology: c.Topology, Targets: c.Targets, Rate: c.Rate, Duration: c.Duration.String(), Ramp: c.Ramp.String(),
		Mix: c.Mix.String(), Connections: c.Connections, MaxWorkers: c.MaxWorkers, Timeout: c.Timeout.String(),
		Shoppers: c.Shoppers, InvalidShare: c.InvalidShare, Seed: r.seed, Started: r.started,
		AttackSeconds: round2(r.all.window().Seconds()),
		Host:          fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()),
		Fallbacks:     fallbacks, LoadBefore: r.loadBefore, LoadAfter: r.loadAfter,
	}
}
