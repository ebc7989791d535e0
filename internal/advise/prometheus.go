package advise

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Prometheus reads the intervals from a Prometheus server that scrapes the
// platform, with range queries (/api/v1/query_range): each step is one
// interval, its calls the per-second rate over Range times the step.
//
// It speaks the HTTP API with net/http and encoding/json rather than
// client_golang's api/prometheus/v1, which needs json-iterator (and two
// more modules) below Go 1.27, for one endpoint.
type Prometheus struct {
	// URL is the server's, e.g. http://localhost:9090.
	URL string
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// Selector, when set, narrows every series, e.g. `job="harness"`.
	Selector string
	// Range is the rate's window; zero means the step. It must hold two
	// of Prometheus' scrapes.
	Range time.Duration
}

// Intervals returns one interval per step from start to end, each ending
// at a step's evaluation time; a step with no series at all (nothing
// scraped) is left out. The warnings are Prometheus'.
func (p Prometheus) Intervals(ctx context.Context, start, end time.Time, step time.Duration) ([]Interval, []string, error) {
	if step <= 0 || !end.After(start) {
		return nil, nil, fmt.Errorf("advise: no step of %v from %v to %v", step, start, end)
	}
	rng := model.Duration(step)
	if p.Range > 0 {
		rng = model.Duration(p.Range)
	}
	sel := "{" + p.Selector + "}"
	rate := func(metric, by string) string {
		return fmt.Sprintf("sum by (%s) (rate(%s%s[%s]))", by, metric, sel, rng)
	}
	// Every query but the memory gauges' is a rate, per second: times the
	// step, it is the interval's increase.
	queries := []struct {
		query string
		apply func(iv *Interval, m model.Metric, v float64)
	}{
		{rate(callsMetric, "rpc_service"), perModule(func(a *Activity, _ model.Metric, v float64) { a.Calls += v })},
		{rate(moduleCallsMetric, "rpc_service"), perModule(func(a *Activity, _ model.Metric, v float64) { a.ModuleCalls += v })},
		{rate(forwardedMetric, "rpc_service"), perModule(func(a *Activity, _ model.Metric, v float64) { a.Forwarded += v })},
		{rate(durationMetric+"_sum", "rpc_service"), perModule(func(a *Activity, _ model.Metric, v float64) { a.HandlerSeconds += v })},
		{rate(durationMetric+"_bucket", "rpc_service, le"), perModule(func(a *Activity, m model.Metric, v float64) {
			le, err := strconv.ParseFloat(string(m["le"]), 64)
			if err == nil {
				a.Buckets = addBuckets(a.Buckets, []Bucket{{UpperBound: le, Count: v}})
			}
		})},
		{fmt.Sprintf("sum(rate(%s%s[%s]))", webhookMetric, sel, rng), func(iv *Interval, _ model.Metric, v float64) {
			a := iv.Modules[WebhookModule]
			a.Calls += v
			iv.Modules[WebhookModule] = a
		}},
		{"sum(" + residentMetric + sel + ")", func(iv *Interval, _ model.Metric, v float64) { iv.ResidentBytes = v }},
		{"sum(" + heapMetric + sel + ")", func(iv *Interval, _ model.Metric, v float64) { iv.HeapInuseBytes = v }},
	}
	at := map[model.Time]*Interval{}
	var warnings []string
	for _, q := range queries {
		matrix, warns, err := p.queryRange(ctx, q.query, start, end, step)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, warns...)
		for _, series := range matrix {
			for _, pt := range series.Values {
				iv := at[pt.Timestamp]
				if iv == nil {
					end := pt.Timestamp.Time()
					iv = &Interval{Start: end.Add(-step), End: end, Modules: map[string]Activity{}}
					at[pt.Timestamp] = iv
				}
				v := float64(pt.Value)
				if strings.Contains(q.query, "rate(") {
					v *= step.Seconds()
				}
				q.apply(iv, series.Metric, v)
			}
		}
	}
	times := make([]model.Time, 0, len(at))
	for t := range at {
		times = append(times, t)
	}
	slices.Sort(times)
	out := make([]Interval, len(times))
	for i, t := range times {
		out[i] = *at[t]
	}
	return out, warnings, nil
}

// perModule applies f to the activity of the series' module (by its
// rpc_service label); series of no module are skipped.
func perModule(f func(a *Activity, m model.Metric, v float64)) func(iv *Interval, m model.Metric, v float64) {
	return func(iv *Interval, m model.Metric, v float64) {
		module, ok := ModuleOf(string(m["rpc_service"]))
		if !ok {
			return
		}
		a := iv.Modules[module]
		f(&a, m, v)
		iv.Modules[module] = a
	}
}

// String describes the source for a report.
func (p Prometheus) String() string {
	s := "Prometheus"
	if p.Selector != "" {
		s += " {" + strings.TrimSpace(p.Selector) + "}"
	}
	return s
}

// apiResponse is the HTTP API's envelope around a range query's matrix.
type apiResponse struct {
	Status    string   `json:"status"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
	Data      struct {
		ResultType string       `json:"resultType"`
		Result     model.Matrix `json:"result"`
	} `json:"data"`
}

// queryRange runs one range query.
func (p Prometheus) queryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (model.Matrix, []string, error) {
	form := url.Values{
		"query": {query},
		"start": {strconv.FormatFloat(float64(start.UnixMilli())/1000, 'f', -1, 64)},
		"end":   {strconv.FormatFloat(float64(end.UnixMilli())/1000, 'f', -1, 64)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(p.URL, "/")+"/api/v1/query_range", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, fmt.Errorf("advise: prometheus: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("advise: prometheus: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("advise: prometheus: %w", err)
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, nil, fmt.Errorf("advise: prometheus: %s answered %s: %w", p.URL, res.Status, err)
	}
	if r.Status != "success" {
		return nil, nil, fmt.Errorf("advise: prometheus: %s: %s: %s", query, r.ErrorType, r.Error)
	}
	if r.Data.ResultType != "matrix" {
		return nil, nil, fmt.Errorf("advise: prometheus: %s: a %s, not a matrix", query, r.Data.ResultType)
	}
	return r.Data.Result, r.Warnings, nil
}
