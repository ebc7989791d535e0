package advise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// The metrics the advice reads (platform/metrics, server/metrics.go).
const (
	callsMetric       = "rpc_server_calls_total"
	moduleCallsMetric = "rpc_server_module_calls_total"
	forwardedMetric   = "rpc_client_calls_total"
	durationMetric    = "rpc_server_call_duration_seconds"
	webhookMetric     = "harness_payment_webhook_results_total"
	residentMetric    = "process_resident_memory_bytes"
	heapMetric        = "go_memstats_heap_inuse_bytes"
	// WebhookModule is the module whose plain route
	// harness_payment_webhook_results_total counts.
	WebhookModule = "webhook"
)

// ModuleOf is the module of an RPC service, x for "harness.x.v1.Service";
// ok is false for a service of no module (gRPC reflection, health).
func ModuleOf(service string) (module string, ok bool) {
	rest, ok := strings.CutPrefix(service, "harness.")
	if !ok {
		return "", false
	}
	module, _, ok = strings.Cut(rest, ".")
	return module, ok && module != ""
}

// Snapshot is one scrape of a process's /metrics: each module's counters
// as they stand (Activity's fields are cumulative), and its memory.
type Snapshot struct {
	Time                          time.Time
	Modules                       map[string]Activity
	ResidentBytes, HeapInuseBytes float64
}

// SnapshotOf reads the metric families of one scrape taken at at.
func SnapshotOf(families []*dto.MetricFamily, at time.Time) Snapshot {
	s := Snapshot{Time: at, Modules: map[string]Activity{}}
	for _, f := range families {
		switch f.GetName() {
		case residentMetric:
			for _, m := range f.GetMetric() {
				s.ResidentBytes += m.GetGauge().GetValue()
			}
		case heapMetric:
			for _, m := range f.GetMetric() {
				s.HeapInuseBytes += m.GetGauge().GetValue()
			}
		case webhookMetric:
			a := s.Modules[WebhookModule]
			for _, m := range f.GetMetric() {
				a.Calls += m.GetCounter().GetValue()
			}
			s.Modules[WebhookModule] = a
		case callsMetric, moduleCallsMetric, forwardedMetric, durationMetric:
			for _, m := range f.GetMetric() {
				module, ok := ModuleOf(label(m, "rpc_service"))
				if !ok {
					continue
				}
				a := s.Modules[module]
				switch f.GetName() {
				case callsMetric:
					a.Calls += m.GetCounter().GetValue()
				case moduleCallsMetric:
					a.ModuleCalls += m.GetCounter().GetValue()
				case forwardedMetric:
					a.Forwarded += m.GetCounter().GetValue()
				case durationMetric:
					h := m.GetHistogram()
					a.HandlerSeconds += h.GetSampleSum()
					buckets := make([]Bucket, 0, len(h.GetBucket())+1)
					for _, b := range h.GetBucket() {
						buckets = append(buckets, Bucket{UpperBound: b.GetUpperBound(), Count: float64(b.GetCumulativeCount())})
					}
					buckets = append(buckets, Bucket{UpperBound: inf, Count: float64(h.GetSampleCount())})
					a.Buckets = addBuckets(a.Buckets, buckets)
				}
				s.Modules[module] = a
			}
		}
	}
	return s
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// Between is what happened from prev to cur, two snapshots of one
// process. A counter that went down was reset (the process restarted):
// its increase is its new value, as Prometheus' increase() counts it.
func Between(prev, cur Snapshot) Interval {
	iv := Interval{Start: prev.Time, End: cur.Time, Modules: map[string]Activity{},
		ResidentBytes: cur.ResidentBytes, HeapInuseBytes: cur.HeapInuseBytes}
	for name, c := range cur.Modules {
		p := prev.Modules[name]
		if c.Calls < p.Calls || c.Forwarded < p.Forwarded || c.HandlerSeconds < p.HandlerSeconds {
			iv.Modules[name] = c
			continue
		}
		d := Activity{
			Calls:          c.Calls - p.Calls,
			ModuleCalls:    max(c.ModuleCalls-p.ModuleCalls, 0),
			Forwarded:      c.Forwarded - p.Forwarded,
			HandlerSeconds: c.HandlerSeconds - p.HandlerSeconds,
		}
		neg := make([]Bucket, len(p.Buckets))
		for i, b := range p.Buckets {
			neg[i] = Bucket{UpperBound: b.UpperBound, Count: -b.Count}
		}
		d.Buckets = addBuckets(c.Buckets, neg)
		iv.Modules[name] = d
	}
	return iv
}

// Scraper reads a platform process's /metrics.
type Scraper struct {
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// URL is the metrics endpoint, e.g. http://localhost:4000/metrics.
	URL string
}

// MetricsURL is the /metrics endpoint of base: base itself when it has a
// path, else base + "/metrics".
func MetricsURL(base string) string {
	base = strings.TrimSuffix(base, "/")
	if i := strings.Index(base, "://"); i >= 0 && strings.Contains(base[i+3:], "/") {
		return base
	}
	return base + "/metrics"
}

// Scrape reads the endpoint once.
func (s Scraper) Scrape(ctx context.Context) (Snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return Snapshot{}, fmt.Errorf("advise: %w", err)
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeProtoDelim)))
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return Snapshot{}, fmt.Errorf("advise: scrape: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Snapshot{}, fmt.Errorf("advise: scrape %s: %s", s.URL, res.Status)
	}
	at := time.Now()
	dec := expfmt.NewDecoder(res.Body, expfmt.ResponseFormat(res.Header))
	var families []*dto.MetricFamily
	for {
		f := &dto.MetricFamily{}
		if err := dec.Decode(f); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return Snapshot{}, fmt.Errorf("advise: read %s: %w", s.URL, err)
		}
		families = append(families, f)
	}
	return SnapshotOf(families, at), nil
}

// Sample scrapes at once, then every interval until window has passed,
// and returns the intervals between consecutive successful scrapes. A
// scrape that fails is skipped (the next interval spans it; a process
// restarted meanwhile counts from 0), unless it is the first or every
// one failed. progress (nil: none) hears of each tick, with the scrape's
// error. When ctx ends early, the intervals so far are returned, with
// ctx's error only if there is none.
func Sample(ctx context.Context, scrape func(context.Context) (Snapshot, error), window, interval time.Duration, progress func(tick, total int, err error)) ([]Interval, error) {
	if interval <= 0 || window < interval {
		return nil, fmt.Errorf("advise: the window (%v) holds no interval of %v", window, interval)
	}
	prev, err := scrape(ctx)
	if err != nil {
		return nil, err
	}
	total := int(window / interval)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var (
		out     []Interval
		lastErr error
	)
	for tick := 1; tick <= total; tick++ {
		select {
		case <-ctx.Done():
			if len(out) == 0 {
				return nil, ctx.Err()
			}
			return out, nil
		case <-ticker.C:
		}
		cur, err := scrape(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			if len(out) == 0 {
				return nil, ctx.Err()
			}
			return out, nil
		case err != nil:
			lastErr = err
		default:
			out = append(out, Between(prev, cur))
			prev = cur
		}
		if progress != nil {
			progress(tick, total, err)
		}
	}
	if len(out) == 0 {
		return nil, lastErr
	}
	return out, nil
}
