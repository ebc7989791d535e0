package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/harnesshero/platform/internal/advise"
	"github.com/harnesshero/platform/server"
)

// adviseCmd is `harness advise`: which module to extract next, or none,
// from the platform's metrics over a window — a Prometheus server's range
// queries with --prometheus, else the platform's /metrics (--url) sampled
// every --interval for --window. The table goes to stdout (--json: the
// report as JSON), the sampling's progress to stderr.
func adviseCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("advise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	t := advise.DefaultThresholds()
	var (
		url, prom, selector   string
		window, interval, rng time.Duration
		asJSON                bool
	)
	fs.StringVar(&url, "url", "http://localhost:4000", "the platform process whose /metrics to sample (its serving or --admin-addr address, or the full metrics URL)")
	fs.StringVar(&prom, "prometheus", "", "a Prometheus server scraping the platform, e.g. http://localhost:9090: range queries over the last --window instead of sampling")
	fs.StringVar(&selector, "selector", "", `with --prometheus, label matchers for every series, e.g. job="harness"`)
	fs.DurationVar(&window, "window", 5*time.Minute, "how far to look: sampled from now on, or the last window in Prometheus")
	fs.DurationVar(&interval, "interval", 10*time.Second, "one sample (or Prometheus step) every interval")
	fs.DurationVar(&rng, "range", 0, "with --prometheus, the rate's window (default --interval; it must hold two of Prometheus' scrapes)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.Float64Var(&t.PerMinute, "per-minute", t.PerMinute, "extract a module serving at least this many calls a minute (mean over the window)")
	fs.Float64Var(&t.Spikiness, "spikiness", t.Spikiness, "extract a module whose peak rate is at least this many times its median")
	fs.IntVar(&t.SpikeSamples, "spike-samples", t.SpikeSamples, "judge spikiness only over at least this many samples")
	fs.Float64Var(&t.SpikePeakPerMinute, "spike-peak", t.SpikePeakPerMinute, "judge spikiness only when the peak reaches this many calls a minute")
	fs.Float64Var(&t.HandlerShare, "handler-share", t.HandlerShare, "extract a module taking at least this share of handler time (the CPU estimate)…")
	fs.Float64Var(&t.HandlerOverCalls, "handler-over-calls", t.HandlerOverCalls, "…and this many times its share of the calls")
	fs.Float64Var(&t.BusyPerMinute, "busy", t.BusyPerMinute, "judge handler shares only when all modules serve this many calls a minute")
	fs.Float64Var(&t.ModuleCallShare, "module-call-share", t.ModuleCallShare, "keep a module at least this share of whose calls come from other modules in process")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("advise: unexpected arguments %q", fs.Args())
	}
	if interval <= 0 || window < interval {
		return fmt.Errorf("advise: --window (%v) must hold at least one --interval (%v)", window, interval)
	}
	client := &http.Client{Timeout: 10 * time.Second}

	var (
		intervals []advise.Interval
		source    string
		err       error
	)
	if prom != "" {
		p := advise.Prometheus{URL: prom, Client: client, Selector: selector, Range: rng}
		end := time.Now()
		var warnings []string
		intervals, warnings, err = p.Intervals(ctx, end.Add(-window), end, interval)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "advise: prometheus:", w)
		}
		source = fmt.Sprintf("%s at %s, every %v", p, prom, interval)
		if len(intervals) == 0 {
			return fmt.Errorf("advise: Prometheus at %s has no samples of the platform in the last %v (is it scraping the platform? does --selector match? --interval/--range must hold two scrapes)", prom, window)
		}
	} else {
		scraper := advise.Scraper{Client: client, URL: advise.MetricsURL(url)}
		fmt.Fprintf(stderr, "advise: sampling %s every %v for %v (Ctrl-C: judge what was sampled so far)\n", scraper.URL, interval, window)
		sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		intervals, err = advise.Sample(sctx, scraper.Scrape, window, interval, func(tick, total int, err error) {
			if err != nil {
				fmt.Fprintf(stderr, "advise: sample %d/%d skipped: %v\n", tick, total, err)
				return
			}
			fmt.Fprintf(stderr, "advise: sample %d/%d\n", tick, total)
		})
		stop()
		if err != nil {
			return err
		}
		source = fmt.Sprintf("%s, every %v", scraper.URL, interval)
	}

	rep, err := advise.Analyze(intervals, t, server.ModuleNames())
	if errors.Is(err, advise.ErrNoSamples) {
		return fmt.Errorf("%w (window %v, interval %v)", err, window, interval)
	}
	if err != nil {
		return err
	}
	rep.Source = source
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}
