package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// scrape reads url's /metrics with the Prometheus text parser.
func scrape(t *testing.T, baseURL string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// sample finds the metric of family name whose labels include want; nil
// when there is none.
func sample(families map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

// value is a counter's or gauge's value; -1 when absent.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	m := sample(families, name, labels)
	switch {
	case m == nil:
		return -1
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return -1
}

func rpcLabels(service, method, code string) map[string]string {
	return map[string]string{"rpc_service": service, "rpc_method": method, "rpc_code": code}
}

// TestMetricsCountRPCs: after a scripted workload over HTTP, /metrics
// counts each RPC by service, method and code exactly as called, the
// duration histogram counts as many, nothing is left in flight, and the
// outgoing calls to an extracted builder are counted on the platform with
// the code its callers heard (unavailable once the builder is gone).
func TestMetricsCountRPCs(t *testing.T) {
	builderSvc, in := startExtracted(t, storage.SQLite)
	alice := signUp(t, in.httpTransport())
	signedIn := as(in.httpTransport(), alice)
	anonymous := buildertest.NewClients(connect.NewClient(in.httpTransport()))

	const catalog = "harness.builder.v1.CatalogService"
	const designs = "harness.builder.v1.DesignService"
	for range 4 {
		if _, err := anonymous.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
			t.Fatalf("Quote: %v", err)
		}
	}
	for range 3 {
		_, err := anonymous.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 0})
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("Quote with quantity 0: %v, want invalid_argument", err)
		}
	}
	for range 2 {
		_, err := anonymous.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("anonymous ListDesigns: %v, want unauthenticated", err)
		}
	}
	if _, err := signedIn.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{}); err != nil {
		t.Fatalf("ListDesigns: %v", err)
	}

	// The platform serves the user module: its calls are counted as
	// served there.
	got := scrape(t, in.hs.URL)
	register := rpcLabels("harness.user.v1.UserService", "Register", "ok")
	if n := value(got, "rpc_server_calls_total", register); n != 1 {
		t.Errorf("rpc_server_calls_total%v = %v, want 1", register, n)
	}
	// It forwards the builder's calls as they come (ADR 0028): they are
	// counted once, as calls to the builder with the code its callers
	// heard, and not as calls it served (the builder refused the invalid
	// and unauthenticated ones itself).
	for _, c := range []struct {
		service, method, code string
		want                  float64
	}{
		{catalog, "Quote", "ok", 4},
		{catalog, "Quote", "invalid_argument", 3},
		{designs, "ListDesigns", "unauthenticated", 2},
		{designs, "ListDesigns", "ok", 1},
	} {
		labels := rpcLabels(c.service, c.method, c.code)
		if n := value(got, "rpc_client_calls_total", labels); n != c.want {
			t.Errorf("platform rpc_client_calls_total%v = %v, want %v", labels, n, c.want)
		}
		if h := sample(got, "rpc_client_call_duration_seconds", labels); h == nil || float64(h.GetHistogram().GetSampleCount()) != c.want {
			t.Errorf("platform rpc_client_call_duration_seconds%v count = %v, want %v", labels, h.GetHistogram().GetSampleCount(), c.want)
		}
		if n := value(got, "rpc_server_calls_total", labels); n != -1 {
			t.Errorf("platform rpc_server_calls_total%v = %v, want none (forwarded, not served)", labels, n)
		}
	}
	if n := value(got, "rpc_client_calls_in_flight", map[string]string{"rpc_service": catalog, "rpc_method": "Quote"}); n != 0 {
		t.Errorf("Quote calls in flight = %v, want 0", n)
	}
	// The builder service served the calls that went out.
	if n := value(scrape(t, builderSvc.hs.URL), "rpc_server_calls_total", rpcLabels(catalog, "Quote", "ok")); n != 4 {
		t.Errorf("builder service rpc_server_calls_total Quote ok = %v, want 4", n)
	}

	builderSvc.hs.Close()
	if _, err := anonymous.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("Quote with the builder gone: %v, want unavailable", err)
	}
	got = scrape(t, in.hs.URL)
	if n := value(got, "rpc_client_calls_total", rpcLabels(catalog, "Quote", "unavailable")); n != 1 {
		t.Errorf("rpc_client_calls_total Quote unavailable = %v, want 1", n)
	}
	if n := value(got, "go_sql_open_connections", map[string]string{"db_name": "platform"}); n < 0 {
		t.Error("no database pool metrics (go_sql_open_connections)")
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "harness_payment_webhook_results_total", "harness_outbox_pending_events"} {
		if got[name] == nil {
			t.Errorf("%s is not exported", name)
		}
	}
}

// TestMetricsOutboxBacklog: while Redis is down the outbox backlog gauge
// rises with each event recorded, its age grows and the consumer groups
// are reported unreadable; once Redis is back it falls to 0 and the relay
// and the analytics consumer have counted the events.
func TestMetricsOutboxBacklog(t *testing.T) {
	redisSrv := storagetest.NewRedisServer(t, false)
	redisSrv.Start()
	in := start(t, storage.SQLite, func(c *server.Config) { c.RedisURL = redisSrv.URL() })
	tr := in.httpTransport()
	signUp(t, tr)
	backlog := func(f map[string]*dto.MetricFamily) float64 { return value(f, "harness_outbox_pending_events", nil) }
	testwait.Until(t, 30*time.Second, func() error {
		if n := backlog(scrape(t, in.hs.URL)); n != 0 {
			return fmt.Errorf("backlog %v, want 0", n)
		}
		return nil
	})

	redisSrv.Stop()
	for range 3 {
		signUp(t, tr)
	}
	got := scrape(t, in.hs.URL)
	if n := backlog(got); n != 3 {
		t.Errorf("backlog with Redis down = %v, want 3", n)
	}
	if age := value(got, "harness_outbox_oldest_pending_age_seconds", nil); age <= 0 {
		t.Errorf("oldest pending age with Redis down = %v, want > 0", age)
	}
	if up := value(got, "harness_event_source_up", map[string]string{"source": "redis_groups"}); up != 0 {
		t.Errorf("redis_groups up with Redis down = %v, want 0", up)
	}

	redisSrv.Start()
	testwait.Until(t, 30*time.Second, func() error {
		got := scrape(t, in.hs.URL)
		if n := backlog(got); n != 0 {
			return fmt.Errorf("backlog %v after Redis came back, want 0", n)
		}
		if n := value(got, "harness_events_published_total", nil); n < 4 {
			return fmt.Errorf("published %v, want ≥ 4", n)
		}
		if n := value(got, "harness_events_processed_total", map[string]string{"consumer": "analytics"}); n < 4 {
			return fmt.Errorf("analytics processed %v, want ≥ 4", n)
		}
		if n := value(got, "harness_event_consumer_lag", map[string]string{"group": "analytics"}); n != 0 {
			return fmt.Errorf("analytics lag %v, want 0", n)
		}
		return nil
	})
}

// TestPprofOnAdminOnly: pprof answers on the admin handler and is not
// found on the public one; both serve /metrics and the health checks.
func TestPprofOnAdminOnly(t *testing.T) {
	in := start(t, storage.SQLite, nil)
	admin := httptest.NewServer(in.p.AdminHandler())
	t.Cleanup(admin.Close)
	get := func(url string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for _, c := range []struct {
		base, path string
		want       int
	}{
		{admin.URL, "/debug/pprof/", http.StatusOK},
		{admin.URL, "/debug/pprof/goroutine?debug=1", http.StatusOK},
		{admin.URL, "/metrics", http.StatusOK},
		{admin.URL, "/healthz", http.StatusOK},
		{admin.URL, "/readyz", http.StatusOK},
		{in.hs.URL, "/debug/pprof/", http.StatusNotFound},
		{in.hs.URL, "/debug/pprof/goroutine?debug=1", http.StatusNotFound},
		{in.hs.URL, "/metrics", http.StatusOK},
	} {
		code, body := get(c.base + c.path)
		if code != c.want {
			t.Errorf("GET %s on %s = %d, want %d", c.path, c.base, code, c.want)
		}
		if c.path == "/debug/pprof/goroutine?debug=1" && code == http.StatusOK && !strings.Contains(body, "goroutine") {
			t.Errorf("pprof goroutine profile = %.100q", body)
		}
	}
}
