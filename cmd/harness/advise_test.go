package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/advise"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
)

// quoteLoad sends Quote to the platform at url at rate calls a second, each
// in its own goroutine (an open model: a slow answer does not slow the
// sending), until the returned stop is called; stop returns how many were
// answered without error. The pacing counts the calls due since the
// start, so a busy machine that wakes the loop late sends the backlog.
func quoteLoad(t *testing.T, url string, rate float64) (stop func() int) {
	t.Helper()
	catalog := builderv1connect.NewCatalogServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url)))
	ctx, cancel := context.WithCancel(t.Context())
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ok   int
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		start, sent := time.Now(), 0
		ticker := time.NewTicker(10 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			for due := int(time.Since(start).Seconds() * rate); sent < due; sent++ {
				wg.Go(func() {
					if _, err := catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				})
			}
		}
	}()
	return func() int {
		cancel()
		<-done
		wg.Wait()
		return ok
	}
}

// placeOrders has a new shopper order a saved design n times: each order
// calls the builder in process (the design, the cart's price).
func placeOrders(t *testing.T, url string, n int) {
	t.Helper()
	client := func(i ...connect.ClientInterceptor) *connect.Client {
		return connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url), i...)
	}
	reg, err := userv1connect.NewUserServiceClient(client()).Register(t.Context(), &userv1.RegisterRequest{
		Email: fmt.Sprintf("advise-%d@example.com", time.Now().UnixNano()), Password: "correct horse battery", DisplayName: "Advise",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	signedIn := client(auth.BearerToken(reg.GetSession().GetAccessToken()))
	design, err := builderv1connect.NewDesignServiceClient(signedIn).CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "advise", Design: buildertest.Basic()})
	if err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	orders := orderv1connect.NewOrderServiceClient(signedIn)
	for i := range n {
		if _, err := orders.CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
			Lines:           []*orderv1.OrderLineInput{{DesignId: design.GetDesign().GetId(), Quantity: 1}},
			ShippingAddress: &orderv1.ShippingAddress{Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US"},
			IdempotencyKey:  fmt.Sprintf("advise-%d", i),
		}); err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
	}
}

// runAdvise runs `harness advise --json` with args and returns its report.
func runAdvise(t *testing.T, args ...string) advise.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), append([]string{"advise", "--json"}, args...), func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("advise: %v\n%s", err, stderr.String())
	}
	var rep advise.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("advise --json: %v\n%s", err, stdout.String())
	}
	return rep
}

func moduleIn(t *testing.T, rep advise.Report, name string) advise.Module {
	t.Helper()
	i := slices.IndexFunc(rep.Modules, func(m advise.Module) bool { return m.Name == name })
	if i < 0 {
		t.Fatalf("the report has no module %s: %+v", name, rep.Modules)
	}
	return rep.Modules[i]
}

// TestAdviseNamesBuilder: 50 quotes a second for the window (3,000 a
// minute, three times the threshold) and `harness advise` sampling the
// platform's /metrics says to extract the builder, with its rate; the
// orders before the window counted the builder's calls from the order
// module.
func TestAdviseNamesBuilder(t *testing.T) {
	_, url := servePlatform(t)
	placeOrders(t, url, 3)
	before, err := advise.Scraper{URL: advise.MetricsURL(url)}.Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if b := before.Modules["builder"]; b.ModuleCalls < 3 || b.ModuleCalls >= b.Calls {
		t.Errorf("builder: %v module calls of %v after 3 orders; want at least one per order, fewer than all", b.ModuleCalls, b.Calls)
	}

	stop := quoteLoad(t, url, 50)
	rep := runAdvise(t, "--url", url, "--window", "8s", "--interval", "1s")
	answered := stop()

	b := moduleIn(t, rep, "builder")
	if rep.Next != "builder" || b.Verdict != advise.Extract {
		t.Errorf("next %q (%s), builder %s", rep.Next, rep.Advice, b.Verdict)
	}
	if b.PerMinute < 1000 || !slices.ContainsFunc(b.Reasons, func(r string) bool { return strings.Contains(r, "req/min ≥ 1,000") }) {
		t.Errorf("builder at %.0f/min (%d quotes answered), reasons %q", b.PerMinute, answered, b.Reasons)
	}
	if rep.Samples != 8 || b.P99Seconds == nil || b.HandlerShare == nil || b.ModuleCallShare == nil || rep.Memory == nil {
		t.Errorf("report: %d samples, builder %+v, memory %+v", rep.Samples, b, rep.Memory)
	}
	if !strings.HasPrefix(rep.Advice, "extract builder next: ") {
		t.Errorf("advice: %s", rep.Advice)
	}
}

// TestAdviseIdle: a platform nobody calls needs no extraction, and the
// table says so.
func TestAdviseIdle(t *testing.T) {
	_, url := servePlatform(t)
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"advise", "--url", url, "--window", "3s", "--interval", "1s"}, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("advise: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"MODULE", "builder", "idle", "Advice: no module needs extracting: no module served a call in the window.", "No module shares a transaction"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "extract:") {
		t.Errorf("an idle module to extract:\n%s", out)
	}
}

// TestAdvisePrometheus: a real Prometheus (Debian's prometheus package)
// scrapes the platform every second; `harness advise --prometheus` reads
// the window back with range queries and names the builder. Skipped
// without the binary, outside CI.
func TestAdvisePrometheus(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prometheus is not installed (apt-get install prometheus)")
		}
		t.Skip("prometheus is not installed")
	}
	_, platform := servePlatform(t)
	promURL := startPrometheus(t, bin, strings.TrimPrefix(platform, "http://"))

	start := time.Now()
	stop := quoteLoad(t, platform, 50)
	// Let Prometheus scrape 8 s of load, and once more after it.
	time.Sleep(8 * time.Second)
	stop()
	last := time.Now()
	testwait.Until(t, 30*time.Second, func() error {
		res, err := http.Get(promURL + "/api/v1/query?query=" + url.QueryEscape("timestamp(up)"))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var body struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			return err
		}
		if len(body.Data.Result) == 0 {
			return errors.New("no scrape yet")
		}
		s, _ := body.Data.Result[0].Value[1].(string)
		if at, err := strconv.ParseFloat(s, 64); err != nil || at < float64(last.Unix()) {
			return fmt.Errorf("last scrape at %q, the load ended at %d", s, last.Unix())
		}
		return nil
	})

	window := time.Since(start).Round(time.Second) + time.Second
	rep := runAdvise(t, "--prometheus", promURL, "--window", window.String(), "--interval", "2s", "--range", "3s")
	b := moduleIn(t, rep, "builder")
	if rep.Next != "builder" || b.PerMinute < 1000 {
		t.Errorf("next %q (%s); builder at %.0f/min", rep.Next, rep.Advice, b.PerMinute)
	}
	if b.P99Seconds == nil || rep.Memory == nil || !strings.HasPrefix(rep.Source, "Prometheus") {
		t.Errorf("report: %+v, memory %+v, source %q", b, rep.Memory, rep.Source)
	}
}

// startPrometheus runs a Prometheus scraping target every second until
// the test ends, and returns its URL once it has scraped the target.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: harness\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs syncBuffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--web.console.templates="+dir, "--web.console.libraries="+dir)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	promURL := "http://" + addr
	testwait.Until(t, 60*time.Second, func() error {
		res, err := http.Get(promURL + "/api/v1/query?query=" + url.QueryEscape(`up{job="harness"} == 1`))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var body struct {
			Data struct {
				Result []any `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			return err
		}
		if len(body.Data.Result) == 0 {
			return fmt.Errorf("the platform not scraped yet\n%s", logs.String())
		}
		return nil
	})
	return promURL
}
