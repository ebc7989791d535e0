package advise_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/advise"
)

// record, when set, re-records testdata/prometheus.json from the
// Prometheus at that URL (one scraping a platform under the load test's
// mix), over the last 30 s.
var record = flag.String("prometheus-record", "", "re-record testdata/prometheus.json from this Prometheus URL")

// recording is a recorded exchange with a real Prometheus 2.42 (Debian's)
// scraping a platform under `harness loadtest --rate 30`.
type recording struct {
	Start   time.Time         `json:"start"`
	End     time.Time         `json:"end"`
	Step    time.Duration     `json:"step"`
	Answers map[string]string `json:"answers"` // query → the API's JSON answer
}

// TestPrometheusRecorded reads recorded answers of the HTTP API's range
// queries: per-module calls, handler time, buckets, module calls and
// memory, and the advice they make.
func TestPrometheusRecorded(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "prometheus.json")
	if *record != "" {
		recordPrometheus(t, *record, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec recording
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query_range" || r.FormValue("step") != "10" {
			http.Error(w, `{"status":"error","errorType":"bad_data","error":"unexpected"}`, http.StatusBadRequest)
			return
		}
		answer, ok := rec.Answers[r.FormValue("query")]
		if !ok {
			t.Errorf("a query not recorded: %s", r.FormValue("query"))
			answer = `{"status":"error","errorType":"bad_data","error":"not recorded"}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)

	p := advise.Prometheus{URL: srv.URL}
	intervals, warnings, err := p.Intervals(t.Context(), rec.Start, rec.End, rec.Step)
	if err != nil {
		t.Fatal(err)
	}
	if len(intervals) != 4 || len(warnings) != 0 {
		t.Fatalf("%d intervals, warnings %q", len(intervals), warnings)
	}
	var moduleCalls, webhooks float64
	for _, iv := range intervals {
		b := iv.Modules["builder"]
		if iv.End.Sub(iv.Start) != rec.Step || iv.ResidentBytes <= 0 || iv.HeapInuseBytes <= 0 ||
			b.Calls <= 0 || b.HandlerSeconds <= 0 || len(b.Buckets) != 14 {
			t.Errorf("interval %v: %+v", iv.End, iv)
		}
		moduleCalls += b.ModuleCalls
		webhooks += iv.Modules["webhook"].Calls
	}
	if moduleCalls <= 0 || webhooks <= 0 {
		t.Errorf("the builder's calls from the order module %v, webhooks %v", moduleCalls, webhooks)
	}
	rep, err := advise.Analyze(intervals, advise.DefaultThresholds(), []string{"user", "builder", "order", "webhook", "analytics"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Next != "builder" || rep.Modules[0].Name != "builder" || rep.Modules[0].PerMinute < 1000 {
		t.Errorf("next %q: %s", rep.Next, rep.Advice)
	}
}

// TestPrometheusError: an error answer is the query's error.
func TestPrometheusError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"status":"error","errorType":"bad_data","error":"parse error at char 5"}`)
	}))
	t.Cleanup(srv.Close)
	_, _, err := advise.Prometheus{URL: srv.URL, Selector: `job="x"`}.Intervals(t.Context(), time.Now().Add(-time.Minute), time.Now(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "bad_data: parse error at char 5") || !strings.Contains(err.Error(), `{job="x"}`) {
		t.Errorf("err = %v", err)
	}
}

// recordPrometheus asks the Prometheus at prometheus the queries Intervals asks,
// over the last 30 s, and writes the answers to path.
func recordPrometheus(t *testing.T, prometheus, path string) {
	t.Helper()
	end := time.Now().Truncate(10 * time.Second)
	rec := recording{Start: end.Add(-30 * time.Second), End: end, Step: 10 * time.Second, Answers: map[string]string{}}
	var mu sync.Mutex
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(sent))
		form, err := url.ParseQuery(string(sent))
		if err != nil {
			return nil, err
		}
		res, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		mu.Lock()
		rec.Answers[form.Get("query")] = string(body)
		mu.Unlock()
		res.Body = io.NopCloser(bytes.NewReader(body))
		return res, nil
	})}
	if _, _, err := (advise.Prometheus{URL: prometheus, Client: client}).Intervals(t.Context(), rec.Start, rec.End, rec.Step); err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
