package advise_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/internal/advise"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/metrics"
)

func TestModuleOf(t *testing.T) {
	t.Parallel()
	for service, want := range map[string]string{
		"harness.builder.v1.CatalogService":     "builder",
		"harness.user.v1.UserService":           "user",
		"grpc.reflection.v1.ServerReflection":   "",
		"harness":                               "",
		"harness..v1.X":                         "",
		"harness.analytics.v1.AnalyticsService": "analytics",
	} {
		got, ok := advise.ModuleOf(service)
		if got != want || ok != (want != "") {
			t.Errorf("ModuleOf(%q) = %q, %v; want %q", service, got, ok, want)
		}
	}
}

func TestMetricsURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:4000":             "http://localhost:4000/metrics",
		"http://localhost:4000/":            "http://localhost:4000/metrics",
		"http://127.0.0.1:9090/metrics":     "http://127.0.0.1:9090/metrics",
		"http://127.0.0.1:9090/other/path/": "http://127.0.0.1:9090/other/path",
	} {
		if got := advise.MetricsURL(in); got != want {
			t.Errorf("MetricsURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestScrapePlatformMetrics reads what platform/metrics exports, over
// HTTP: calls, module calls, handler time and buckets per module, the
// process's memory; Between takes the increase, and a reset counts from 0.
func TestScrapePlatformMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	scraper := advise.Scraper{URL: advise.MetricsURL(srv.URL)}

	handler := m.ServerInterceptor()(func(context.Context, connect.Spec, connect.ServerStream) error { return nil })
	call := func(ctx context.Context, procedure string, n int) {
		for range n {
			_ = handler(ctx, connect.Spec{Procedure: procedure, StreamType: connect.StreamTypeUnary}, nil)
		}
	}
	call(t.Context(), "/harness.builder.v1.CatalogService/Quote", 2)
	before, err := scraper.Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	call(t.Context(), "/harness.builder.v1.CatalogService/Quote", 5)
	call(moduleCall(t.Context()), "/harness.builder.v1.CatalogService/QuoteCart", 3)
	call(t.Context(), "/harness.user.v1.UserService/SignIn", 1)
	call(t.Context(), "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", 4)
	after, err := scraper.Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	iv := advise.Between(before, after)
	b, u := iv.Modules["builder"], iv.Modules["user"]
	if b.Calls != 8 || b.ModuleCalls != 3 || u.Calls != 1 || u.ModuleCalls != 0 || len(iv.Modules) != 2 {
		t.Errorf("interval: %+v", iv.Modules)
	}
	if last := b.Buckets[len(b.Buckets)-1]; len(b.Buckets) != len(metrics.DurationBuckets)+1 || last.Count != 8 || b.HandlerSeconds <= 0 {
		t.Errorf("builder's histogram: %+v, %gs", b.Buckets, b.HandlerSeconds)
	}
	if iv.ResidentBytes <= 0 || iv.HeapInuseBytes <= 0 || !iv.End.After(iv.Start) {
		t.Errorf("interval %v – %v, memory %g, %g", iv.Start, iv.End, iv.ResidentBytes, iv.HeapInuseBytes)
	}
	// A restarted process: its counters start again.
	restarted := advise.Between(after, before)
	if got := restarted.Modules["builder"].Calls; got != 2 {
		t.Errorf("after a reset: %v calls, want the new count 2", got)
	}
}

func moduleCall(ctx context.Context) context.Context {
	var marked context.Context
	_, _ = auth.ModuleCall(func(ctx context.Context, _ connect.Spec) (connect.ClientStream, error) {
		marked = ctx //nolint:fatcontext // the context auth.ModuleCall passes on is what the test needs
		return nil, nil
	})(ctx, connect.Spec{})
	return marked
}

func TestScrapeFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	if _, err := (advise.Scraper{URL: srv.URL + "/metrics"}).Scrape(t.Context()); err == nil {
		t.Error("a 404 scraped without error")
	}
}

// TestSample: one interval per tick between consecutive scrapes; ending
// the context early keeps the intervals so far.
func TestSample(t *testing.T) {
	t.Parallel()
	n := 0.0
	scrape := func(context.Context) (advise.Snapshot, error) {
		n += 10
		return advise.Snapshot{Time: time.Now(), Modules: map[string]advise.Activity{"builder": {Calls: n}}}, nil
	}
	got, err := advise.Sample(t.Context(), scrape, 30*time.Millisecond, 10*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2].Modules["builder"].Calls != 10 {
		t.Errorf("intervals: %+v", got)
	}

	ctx, cancel := context.WithCancel(t.Context())
	var progress []int
	_, err = advise.Sample(ctx, scrape, time.Hour, 5*time.Millisecond, func(done, total int, _ error) {
		progress = append(progress, done)
		if done == 2 {
			cancel()
		}
		if total != 720000 {
			t.Errorf("total %d", total)
		}
	})
	if err != nil || len(progress) != 2 {
		t.Errorf("cancelled after 2: %v, progress %v", err, progress)
	}

	failing := func(context.Context) (advise.Snapshot, error) { return advise.Snapshot{}, errors.New("refused") }
	if _, err := advise.Sample(t.Context(), failing, time.Second, 10*time.Millisecond, nil); err == nil {
		t.Error("a failing scrape sampled")
	}
	// A scrape failing in the middle is skipped: the next interval spans it.
	calls := 0.0
	flaky := func(context.Context) (advise.Snapshot, error) {
		calls++
		if calls == 2 {
			return advise.Snapshot{}, errors.New("refused")
		}
		return advise.Snapshot{Time: time.Now(), Modules: map[string]advise.Activity{"builder": {Calls: calls}}}, nil
	}
	var failed int
	got, err = advise.Sample(t.Context(), flaky, 30*time.Millisecond, 10*time.Millisecond, func(_, _ int, err error) {
		if err != nil {
			failed++
		}
	})
	if err != nil || len(got) != 2 || failed != 1 || got[0].Modules["builder"].Calls != 2 {
		t.Errorf("with a failed scrape: %v, %d failed, %+v", err, failed, got)
	}
	alwaysAfterFirst := func(context.Context) (advise.Snapshot, error) {
		calls++
		if calls > 10 {
			return advise.Snapshot{}, errors.New("gone")
		}
		return advise.Snapshot{Time: time.Now()}, nil
	}
	calls = 10
	if _, err := advise.Sample(t.Context(), alwaysAfterFirst, 20*time.Millisecond, 10*time.Millisecond, nil); err == nil || err.Error() != "gone" {
		t.Errorf("every scrape after the first failed: %v", err)
	}
	if _, err := advise.Sample(t.Context(), scrape, time.Millisecond, time.Second, nil); err == nil {
		t.Error("a window shorter than the interval sampled")
	}
}
