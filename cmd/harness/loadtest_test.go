package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/loadtest"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/server"
)

// servePlatform serves the whole platform in process on a free loopback
// port (SQLite under a new data directory) until the test ends.
func servePlatform(t *testing.T) (server.Config, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.DataDir, cfg.Addr, cfg.DrainGrace = t.TempDir(), ln.Addr().String(), 0
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, cfg, slog.New(slog.DiscardHandler), ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	url := "http://" + ln.Addr().String()
	testwait.Until(t, 30*time.Second, func() error {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %s", res.Status)
		}
		return nil
	})
	return cfg, url
}

// slowMachine bounds each request of the load tool in these tests. They are
// functional smokes of the tool, not load runs (those are `make loadtest`):
// under -race on a busy 2-core machine an argon2id sign-up can take seconds,
// and a time-out would fail the run's checks for a reason the test is not
// about.
const slowMachine = "2m"

// TestLoadTestSmoke runs `harness loadtest` for a few seconds at a low rate
// with every action of the mix against a real platform: the report names
// every RPC of the mix, its counts add up, and every check passes (orders
// and analytics included). Nothing depends on how fast the machine is: the
// pacer sends the same number of calls however slow the answers are, and
// each may take up to slowMachine.
func TestLoadTestSmoke(t *testing.T) {
	cfg, url := servePlatform(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	mix := "catalog=1,quote=2,cart=1,size=1,register=1,signin=1,save=1,list=1,open=1,checkout=2,pay=2,cancel=1,orders=1,admin=1"
	err := run(t.Context(), []string{"loadtest", "--url", url, "--data-dir", cfg.DataDir, "--grant-admin",
		"--rate", "20", "--duration", "4s", "--ramp", "1s", "--shoppers", "4", "--mix-only", "--mix", mix,
		"--invalid-share", "0.3", "--seed", "7", "--timeout", slowMachine, "--settle", slowMachine, "--out", out, "--topology", "test"},
		func(string) string { return "" }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var rep loadtest.Report
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	var names []string
	sum := 0
	for _, r := range rep.RPCs {
		names = append(names, r.RPC)
		codes := 0
		for _, c := range r.Codes {
			codes += c.Count
		}
		if codes != r.Count {
			t.Errorf("%s: codes add up to %d, count %d", r.RPC, codes, r.Count)
		}
		sum += r.Count
	}
	if sum != rep.Total.Count || rep.Total.Count < 60 {
		t.Errorf("RPC counts add up to %d, total %d (4 s at 20/s after a 1 s ramp: 70)", sum, rep.Total.Count)
	}
	for _, want := range []string{
		"CatalogService/GetCatalog", "CatalogService/Quote", "CatalogService/QuoteCart", "CatalogService/RecommendSize",
		"UserService/Register", "UserService/SignIn", "DesignService/CreateDesign", "DesignService/ListDesigns",
		"DesignService/GetDesign", "OrderService/CreateOrder", "Webhook/payments", "OrderService/CancelOrder",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("the report has no %s: %v", want, names)
		}
	}
	if !slices.ContainsFunc(names, func(n string) bool { return n == "OrderService/ListOrders" || n == "OrderService/GetOrder" }) ||
		!slices.ContainsFunc(names, func(n string) bool {
			return strings.HasPrefix(n, "AnalyticsService/") || n == "OrderService/AdminListOrders"
		}) {
		t.Errorf("the report lacks the orders or admin reads: %v", names)
	}
	quote := rep.RPCs[slices.IndexFunc(rep.RPCs, func(r loadtest.RPCStats) bool { return r.RPC == "CatalogService/Quote" })]
	if !slices.ContainsFunc(quote.Codes, func(c loadtest.CodeStats) bool { return c.Code == "invalid_argument" && c.Expected }) {
		t.Errorf("Quote codes %+v: want the rule-breaking designs as expected invalid_argument", quote.Codes)
	}
	if !rep.Passed || len(rep.Checks) != 5 {
		t.Errorf("checks: %+v", rep.Checks)
	}
	for _, c := range rep.Checks {
		if c.Name == "analytics" && strings.HasPrefix(c.Detail, "not checked") ||
			c.Name == "orders" && (strings.HasPrefix(c.Detail, "0 of") || !strings.Contains(c.Detail, "; 0 other orders of its shoppers")) {
			t.Errorf("check %s did not check: %s", c.Name, c.Detail)
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), "<svg"); n != 3+2*len(rep.RPCs) || strings.Contains(string(html), "<script") {
		t.Errorf("report.html: %d inline SVG charts (want %d), scripts: %v", n, 3+2*len(rep.RPCs), strings.Contains(string(html), "<script"))
	}
	if !strings.Contains(stdout.String(), "— PASSED") {
		t.Errorf("stdout: %s", stdout.String())
	}
}

// TestLoadTestCheckFails: an order the run paid that an admin then moved
// on is not in the state the run left it in, and the orders check says
// which.
func TestLoadTestCheckFails(t *testing.T) {
	cfg, url := servePlatform(t)
	grant := func(ctx context.Context, email string) error {
		return server.GrantAdmin(ctx, cfg, slog.New(slog.DiscardHandler), email)
	}
	// An admin of the test's own, registered before the run's baseline.
	anon := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url)))
	email := fmt.Sprintf("tamper-%d@example.com", time.Now().UnixNano())
	if _, err := anon.Register(t.Context(), &userv1.RegisterRequest{Email: email, Password: "correct horse battery", DisplayName: "T"}); err != nil {
		t.Fatal(err)
	}
	if err := grant(t.Context(), email); err != nil {
		t.Fatal(err)
	}
	in, err := anon.SignIn(t.Context(), &userv1.SignInRequest{Email: email, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	admin := orderv1connect.NewOrderServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url), auth.BearerToken(in.GetSession().GetAccessToken())))
	secret := readWebhookSecret(cfg.DataDir)
	lc := loadtest.DefaultConfig()
	lc.Targets, lc.Rate, lc.Duration, lc.Ramp, lc.Shoppers = []string{url}, 20, 2*time.Second, 0, 3
	lc.Mix, lc.WebhookSecret, lc.GrantAdmin, lc.Settle = loadtest.Mix{loadtest.Checkout: 1, loadtest.Pay: 1}, secret, grant, 3*time.Second
	lc.Timeout, _ = time.ParseDuration(slowMachine)
	r, err := loadtest.Start(t.Context(), lc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Attack(t.Context()); err != nil {
		t.Fatal(err)
	}

	// It moves one paid order on.
	var paid string
	testwait.Until(t, 20*time.Second, func() error {
		res, err := admin.AdminListOrders(t.Context(), &orderv1.AdminListOrdersRequest{Statuses: []orderv1.OrderStatus{orderv1.OrderStatus_ORDER_STATUS_PAID}})
		if err != nil {
			return err
		}
		if len(res.GetOrders()) == 0 {
			return errors.New("no order paid yet")
		}
		paid = res.GetOrders()[0].GetId()
		return nil
	})
	if _, err := admin.AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: paid, Status: orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION}); err != nil {
		t.Fatal(err)
	}

	rep, err := r.Finish(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed {
		t.Fatalf("the report passed with order %s moved on: %+v", paid, rep.Checks)
	}
	for _, c := range rep.Checks {
		want := c.Name != "orders"
		if c.Passed != want {
			t.Errorf("check %s passed = %v, want %v: %s %v", c.Name, c.Passed, want, c.Detail, c.Failures)
		}
		if c.Name == "orders" && !slices.Contains(c.Failures, fmt.Sprintf("order %s: ORDER_STATUS_IN_PRODUCTION, want ORDER_STATUS_PAID", paid)) {
			t.Errorf("orders check failures %v do not name order %s", c.Failures, paid)
		}
	}
}

// TestLoadTestFindKnee: --find-knee steps the rate; a step over the bound
// is run once more to confirm it, and the report says where it crossed.
func TestLoadTestFindKnee(t *testing.T) {
	_, url := servePlatform(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"loadtest", "--url", url, "--shoppers", "1", "--mix-only", "--mix", "quote=3,catalog=1",
		"--find-knee", "--knee-start", "10", "--knee-step", "10", "--knee-max", "30", "--step-duration", "1s",
		"--knee-bound", "1ns", "--timeout", slowMachine, "--out", out}, func(string) string { return "" }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var rep loadtest.Report
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 2 || rep.Steps[0].Rate != 10 || rep.Steps[1].Rate != 10 || rep.Knee == nil ||
		!rep.Knee.Crossed || rep.Knee.Above != 10 || !strings.Contains(rep.Knee.Summary, "already at the first step") {
		t.Fatalf("steps %+v, knee %+v", rep.Steps, rep.Knee)
	}
	if rep.Total.Count != rep.Steps[0].Count+rep.Steps[1].Count || !strings.Contains(stdout.String(), "already at the first step") {
		t.Errorf("total %d, steps %d + %d; stdout %s", rep.Total.Count, rep.Steps[0].Count, rep.Steps[1].Count, stdout.String())
	}
}
