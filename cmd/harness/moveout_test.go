package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestMoveBuilderOutAndBack is docs/extraction.md's runbook as a test: the
// platform runs as two replicas behind HAProxy with the builder in process;
// builder services start behind a balancer of their own; the replicas are
// rolled, one at a time, to a configuration that points at them
// (BUILDER_SERVICE_URL), and then back — all under a steady mix of Quote,
// CreateDesign and CreateOrder. No call fails, and analytics counts every
// design and order made exactly once: no event was lost or applied twice
// while the builder's events moved between processes.
func TestMoveBuilderOutAndBack(t *testing.T) {
	bin, hap := binary(t), haproxyBinary(t)
	if !slices.Contains(storagetest.Engines(t), storage.Postgres) {
		t.Skip("the replicas and the builder services share a Postgres database")
	}
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	const drainGrace = 3 * time.Second
	db := "DATABASE_URL=" + storagetest.DSN(t, storage.Postgres)
	common := append([]string{db, fmt.Sprintf("HARNESS_DRAIN_GRACE=%v", drainGrace),
		"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE=" + auth.PublicKeyPath(keys)}, splitEvents(t)...)
	inProcess := append(slices.Clone(common), "HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE="+auth.PrivateKeyPath(keys))

	// Two replicas of the platform, the builder in process, behind HAProxy.
	addrs := []string{freeAddr(t), freeAddr(t)}
	replicas := make([]*proc, len(addrs))
	var servers []string
	for i, addr := range addrs {
		replicas[i] = launch(t, bin, addr, inProcess)
		servers = append(servers, fmt.Sprintf("platform-%d=%s", i+1, addr))
	}
	for _, r := range replicas {
		r.waitReady(30 * time.Second)
	}
	lbAddr := freeAddr(t)
	lb := startHAProxy(t, hap, topologyConfig, lbAddr, servers...)
	shop := newShop(t, "http://"+lbAddr)

	// Visits end whole: the load stops between two (a visit cut off
	// mid-call could have made what it did not count).
	var stopping atomic.Bool
	l := startLoad(t.Context(), 8, func(ctx context.Context) error {
		if stopping.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		return shop.visit(t.Context())
	})
	waitFor(t, 60*time.Second, "the load under way", func() bool { return l.ok.Load() >= 20 })

	// roll restarts each replica in turn with env, out of and back into
	// HAProxy's rotation, and waits for calls to succeed through it again.
	roll := func(what string, env []string) {
		t.Helper()
		for i, r := range replicas {
			name := fmt.Sprintf("platform-%d", i+1)
			if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			lb.waitStatus(t, drainGrace, name, "DOWN")
			if err := r.wait(30 * time.Second); err != nil {
				t.Errorf("%s after SIGTERM: %v\n%s", name, err, r.logs)
			}
			replicas[i] = launch(t, bin, addrs[i], env)
			replicas[i].waitReady(30 * time.Second)
			lb.waitStatus(t, 30*time.Second, name, "UP")
			before, served := l.ok.Load(), lb.count(t, name, "stot")
			waitFor(t, 60*time.Second, name+" serving "+what, func() bool {
				return l.ok.Load() >= before+10 && lb.count(t, name, "stot") >= served+10
			})
		}
		t.Logf("%s: %d visits so far, %d failed", what, l.ok.Load(), l.failed())
	}

	// Builder services, two, behind a balancer of their own; then the
	// replicas move the builder out to them, and back.
	var builderServers []string
	for i := range 2 {
		p := launch(t, bin, freeAddr(t), common, "--role", "builder")
		p.waitReady(30 * time.Second)
		builderServers = append(builderServers, fmt.Sprintf("builder-%d=%s", i+1, p.addr))
	}
	builderLB := freeAddr(t)
	startHAProxy(t, hap, topologyConfig, builderLB, builderServers...)
	roll("with the builder extracted", append(slices.Clone(inProcess), "BUILDER_SERVICE_URL=http://"+builderLB))
	roll("with the builder back in process", inProcess)

	stopping.Store(true)
	errs := l.stop()
	for i, err := range errs {
		if i == 5 {
			break
		}
		t.Errorf("call failed while the builder moved: %v", err)
	}
	designs, orders := shop.designs.Load(), shop.orders.Load()
	t.Logf("%d visits ok, %d failed: %d designs and %d orders made", l.ok.Load(), len(errs), designs, orders)
	if len(errs) > 0 {
		t.Logf("haproxy's log (not 200):\n%s", lb.logTail(30))
	}

	// Every event counted once by analytics.
	want := fmt.Sprintf("designs_created:%d orders_created:%d", designs, orders)
	stats := shop.admin(t, bin, db)
	today := time.Now().UTC().Format(time.DateOnly)
	var got string
	waitFor(t, 60*time.Second, "analytics to count "+want, func() bool {
		res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: &analyticsv1.DateRange{StartDate: today, EndDate: today}})
		if err != nil {
			t.Fatalf("GetDailyStats: %v", err)
		}
		d := res.GetDays()[0]
		got = fmt.Sprintf("designs_created:%d orders_created:%d", d.GetDesignsCreated(), d.GetOrdersCreated())
		if got != want {
			t.Logf("analytics counts %s", got)
		}
		return got == want
	})
}

// shop is the load of TestMoveBuilderOutAndBack: shoppers who price a
// design, save it and order it, through one URL.
type shop struct {
	url       string
	client    *http.Client
	shoppers  []string // access tokens
	next      atomic.Int64
	designs   atomic.Int64 // saved
	orders    atomic.Int64 // made
	adminMail string
}

func newShop(t *testing.T, url string) *shop {
	t.Helper()
	s := &shop{url: url, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	users := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(s.client, url)))
	for i := range 9 {
		email := fmt.Sprintf("move-%d-%d@example.com", i, time.Now().UnixNano())
		res, err := users.Register(t.Context(), &userv1.RegisterRequest{Email: email, Password: "correct horse battery", DisplayName: "Mover"})
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		if i == 0 {
			s.adminMail = email
			continue
		}
		s.shoppers = append(s.shoppers, res.GetSession().GetAccessToken())
	}
	return s
}

// visit is one shopper's visit: Quote, CreateDesign and CreateOrder, each
// once (their idempotency keys are new: a visit is never a retry).
func (s *shop) visit(ctx context.Context) error {
	n := s.next.Add(1)
	c := connect.NewClient(connecthttp.NewTransport(s.client, s.url), auth.BearerToken(s.shoppers[int(n)%len(s.shoppers)]))
	designs := buildertest.NewClients(c)
	if _, err := designs.Catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
		return fmt.Errorf("Quote: %w", err)
	}
	key := fmt.Sprintf("move-%d-%d", time.Now().UnixNano(), n)
	d, err := designs.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "moving", Design: buildertest.Basic(), IdempotencyKey: "d-" + key})
	if err != nil {
		return fmt.Errorf("CreateDesign: %w", err)
	}
	s.designs.Add(1)
	_, err = orderv1connect.NewOrderServiceClient(c).CreateOrder(ctx, &orderv1.CreateOrderRequest{
		Lines:           []*orderv1.OrderLineInput{{DesignId: d.GetDesign().GetId(), Quantity: 1}},
		ShippingAddress: &orderv1.ShippingAddress{Name: "Mo Ver", Line1: "3 Crate Street", City: "Denver", Region: "CO", PostalCode: "80202", CountryCode: "US"},
		IdempotencyKey:  "o-" + key,
	})
	if err != nil {
		return fmt.Errorf("CreateOrder: %w", err)
	}
	s.orders.Add(1)
	return nil
}

// admin makes the shop's first user an admin (the CLI, on the database
// env names) and returns an analytics client signed in as them.
func (s *shop) admin(t *testing.T, bin, env string) analyticsv1connect.AnalyticsServiceClient {
	t.Helper()
	cmd := exec.Command(bin, "users", "grant-admin", s.adminMail)
	cmd.Env = append(os.Environ(), env)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users grant-admin: %v\n%s", err, out)
	}
	users := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(s.client, s.url)))
	res, err := users.SignIn(t.Context(), &userv1.SignInRequest{Email: s.adminMail, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("admin SignIn: %v", err)
	}
	return analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(connecthttp.NewTransport(s.client, s.url), auth.BearerToken(res.GetSession().GetAccessToken())))
}
