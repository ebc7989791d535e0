package check_test

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

var promql = parser.NewParser(parser.Options{})

// metricNames are the metric names expr selects.
func metricNames(t *testing.T, expr string) []string {
	t.Helper()
	e, err := promql.ParseExpr(expr)
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	var names []string
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			if vs.Name == "" {
				t.Errorf("%q selects by matchers only; name the metric", expr)
			}
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// TestAlertRules: deploy/prometheus/alerts.yml parses and validates with
// Prometheus' rule parser, and names only exported metrics.
func TestAlertRules(t *testing.T) {
	groups, errs := rulefmt.ParseFile("../prometheus/alerts.yml", false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Errorf("alerts.yml: %v", err)
	}
	if groups == nil {
		t.FailNow()
	}
	used := map[string][]string{}
	alerts := 0
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts++
			for _, n := range metricNames(t, r.Expr) {
				used[n] = append(used[n], r.Alert)
			}
		}
	}
	if alerts < 5 {
		t.Errorf("alerts.yml has %d rules, want at least the five of issue 10", alerts)
	}
	checkExported(t, used)
}

// dashboard is what the test reads of a Grafana dashboard.
type dashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

// grafanaVars are the dashboard's variables, replaced by values PromQL
// accepts before parsing.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$service", ".*")

var labelValues = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,`)

// TestDashboard: every query of deploy/grafana/harness.json parses as
// PromQL and names only exported metrics.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile("../grafana/harness.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("harness.json: %v", err)
	}
	used := map[string][]string{}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			for _, n := range metricNames(t, grafanaVars.Replace(target.Expr)) {
				used[n] = append(used[n], p.Title)
			}
		}
	}
	for _, v := range d.Templating.List {
		if m := labelValues.FindStringSubmatch(v.Definition); m != nil {
			used[m[1]] = append(used[m[1]], "variable "+v.Name)
		}
	}
	checkExported(t, used)
}

// checkExported fails for each name in used (name → where) that the
// platform does not export; a histogram's _bucket, _sum and _count
// series count as its own.
func checkExported(t *testing.T, used map[string][]string) {
	t.Helper()
	families := exported(t)
	for _, name := range slices.Sorted(maps.Keys(used)) {
		if families[name] != nil || scrapeSeries[name] {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if f := families[base]; f != nil && f.GetType() == dto.MetricType_HISTOGRAM {
			continue
		}
		t.Errorf("%s (used by %v) is not exported by the platform", name, used[name])
	}
}

// scrapeSeries are the series Prometheus itself records for every target
// it scrapes.
var scrapeSeries = map[string]bool{"up": true, "scrape_duration_seconds": true, "scrape_samples_scraped": true}

var exportedFamilies map[string]*dto.MetricFamily

// exported scrapes a running platform, once per test binary: a builder
// service and a platform calling it, on Redis, after a workload that
// makes every family appear (a call through the hop, a registration whose
// event reaches the analytics group).
func exported(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	if exportedFamilies != nil {
		return exportedFamilies
	}
	_, platform := startSplit(t)
	tr := connecthttp.NewTransport(platform.Client(), platform.URL)
	if _, err := buildertest.NewClients(connect.NewClient(tr)).Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
		t.Fatalf("Quote: %v", err)
	}
	if _, err := userv1connect.NewUserServiceClient(connect.NewClient(tr)).Register(t.Context(), &userv1.RegisterRequest{
		Email: "check-" + uuid.NewString()[:8] + "@example.com", Password: "correct horse battery", DisplayName: "Check",
	}); err != nil {
		t.Fatalf("Register: %v", err)
	}
	testwait.Until(t, 30*time.Second, func() error {
		families, err := scrape(t, platform.URL)
		if err != nil {
			return err
		}
		if families["harness_event_consumer_lag"] == nil {
			return errNoLag
		}
		exportedFamilies = families
		return nil
	})
	return exportedFamilies
}

type checkError string

func (e checkError) Error() string { return string(e) }

const errNoLag = checkError("harness_event_consumer_lag not exported yet")

func scrape(t *testing.T, baseURL string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(res.Body)
}

// startSplit starts the split topology on Redis for the test: a builder
// service and the entry (role all) that forwards the builder's calls to
// it, each on its own listener.
func startSplit(t *testing.T) (builderSvc, platform *httptest.Server) {
	t.Helper()
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	redisURL, prefix := storagetest.RedisURL(t), "check-"+uuid.NewString()[:8]+":"
	run := func(fn func(*server.Config)) *httptest.Server {
		cfg := server.DefaultConfig()
		cfg.DataDir = t.TempDir()
		cfg.RedisURL, cfg.EventStreamPrefix = redisURL, prefix
		fn(&cfg)
		p, err := server.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("server.New: %v", err)
		}
		t.Cleanup(func() { _ = p.Close() })
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(p.Handler())
		t.Cleanup(hs.Close)
		return hs
	}
	builderSvc = run(func(c *server.Config) {
		c.Role = server.RoleBuilder
		c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
	})
	platform = run(func(c *server.Config) {
		c.ModuleURLs = map[string]string{"builder": builderSvc.URL}
		c.AccessTokenPrivateKeyFile = auth.PrivateKeyPath(keys)
	})
	return builderSvc, platform
}
