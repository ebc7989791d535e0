package check_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/promql/parser"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
)

// selectorSum sums, over the scrapes of every process, the values of the
// series expr's first vector selector matches (counters and gauges), with
// the extra matchers of only.
func selectorSum(t *testing.T, expr string, scrapes []map[string]*dto.MetricFamily, only map[string]string) float64 {
	t.Helper()
	e, err := promql.ParseExpr(grafanaVars.Replace(expr))
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	var vs *parser.VectorSelector
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if v, ok := node.(*parser.VectorSelector); ok && vs == nil {
			vs = v
		}
		return nil
	})
	if vs == nil {
		t.Fatalf("%q selects nothing", expr)
	}
	var sum float64
	for _, families := range scrapes {
		f := families[vs.Name]
		if f == nil {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			lbls := map[string]string{}
			for _, l := range m.GetLabel() {
				lbls[l.GetName()] = l.GetValue()
			}
			for _, lm := range vs.LabelMatchers {
				if lm.Name != "__name__" && !lm.Matches(lbls[lm.Name]) {
					continue series
				}
			}
			for k, v := range only {
				if lbls[k] != v {
					continue series
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// TestDashboardCountsCallsOnce: in the split topology (an entry forwarding
// the builder's calls to builder-service), n Quote calls through the entry
// count n in the dashboard's requests panel, summed over both processes as
// Prometheus would, not 2n; and n in its panel of calls to extracted
// modules.
func TestDashboardCountsCallsOnce(t *testing.T) {
	builderSvc, entry := startSplit(t)
	raw, err := os.ReadFile("../grafana/harness.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	panel := func(title string) string {
		for _, p := range d.Panels {
			if strings.HasPrefix(p.Title, title) && len(p.Targets) > 0 {
				return p.Targets[0].Expr
			}
		}
		t.Fatalf("no panel %q", title)
		return ""
	}
	requests, forwarded := panel("Requests per second"), panel("Calls to extracted modules")
	scrapeAll := func() []map[string]*dto.MetricFamily {
		var all []map[string]*dto.MetricFamily
		for _, s := range []string{entry.URL, builderSvc.URL} {
			f, err := scrape(t, s)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, f)
		}
		return all
	}
	quote := map[string]string{"rpc_method": "Quote"}
	before := scrapeAll()
	const n = 7
	tr := connecthttp.NewTransport(entry.Client(), entry.URL)
	catalog := buildertest.NewClients(connect.NewClient(tr)).Catalog
	for range n {
		if _, err := catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
			t.Fatalf("Quote: %v", err)
		}
	}
	after := scrapeAll()
	if got := selectorSum(t, requests, after, quote) - selectorSum(t, requests, before, quote); got != n {
		t.Errorf("requests panel (%s) counts %v Quote calls for %d", requests, got, n)
	}
	if got := selectorSum(t, forwarded, after, quote) - selectorSum(t, forwarded, before, quote); got != n {
		t.Errorf("extracted-modules panel (%s) counts %v Quote calls for %d", forwarded, got, n)
	}
}
