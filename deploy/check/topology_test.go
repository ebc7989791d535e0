package check

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
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

// freePort asks the kernel for an unused port.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// alive reports whether the process pid exists.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestLocalTopology starts scripts/topology.sh (make topology) on a fresh
// Postgres database and a private Redis stream prefix, calls Quote,
// CreateDesign and CreateOrder through the backend (the builder's calls
// reach both replicas through HAProxy), kills one replica with SIGKILL and
// calls again, then stops it and checks no process is left.
func TestLocalTopology(t *testing.T) {
	if !slices.Contains(storagetest.Engines(t), storage.Postgres) {
		t.Skip("the topology runs on Postgres: set HARNESS_TEST_POSTGRES_URL")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	backend, proxy, b1, b2 := freePort(t), freePort(t), freePort(t), freePort(t)
	env := append(os.Environ(),
		"DATABASE_URL="+storagetest.DSN(t, storage.Postgres),
		"REDIS_URL="+storagetest.RedisURL(t),
		fmt.Sprintf("HARNESS_EVENT_STREAM_PREFIX=topology-%d:", time.Now().UnixNano()),
		"TOPOLOGY_DIR="+dir, "BACKEND_PORT="+backend, "BUILDER_PROXY_PORT="+proxy, "BUILDER_PORTS="+b1+" "+b2,
	)
	script := func(ctx context.Context, arg string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "topology.sh"), arg)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("topology.sh %s: %v\n%s", arg, err, out)
		}
	}
	pids := func() map[string]int {
		m := map[string]int{}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			m[strings.TrimSuffix(filepath.Base(f), ".pid")] = pid
		}
		return m
	}
	started := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	running := pids()
	// Stops before the database is dropped (cleanups run last first).
	t.Cleanup(func() {
		for _, pid := range running {
			if alive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	script(ctx, "start")
	running = pids()
	for _, name := range []string{"backend", "builder-1", "builder-2", "haproxy"} {
		if _, ok := running[name]; !ok {
			t.Fatalf("no %s.pid in %s (got %v)", name, dir, running)
		}
	}
	t.Logf("started in %v", time.Since(started).Round(time.Millisecond))

	url := "http://127.0.0.1:" + backend
	anon := connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url))
	reg, err := userv1connect.NewUserServiceClient(anon).Register(ctx, &userv1.RegisterRequest{
		Email: fmt.Sprintf("topology-%d@example.com", time.Now().UnixNano()), Password: "correct horse battery", DisplayName: "Topology",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	signed := connect.NewClient(connecthttp.NewTransport(http.DefaultClient, url), auth.BearerToken(reg.GetSession().GetAccessToken()))
	builder, orders := buildertest.NewClients(signed), orderv1connect.NewOrderServiceClient(signed)

	// calls runs Quote (n times), CreateDesign and CreateOrder through the
	// backend and checks each answers with a price.
	calls := func(n int, what string) {
		t.Helper()
		for range n {
			q, err := builder.Catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
			if err != nil || q.GetQuote().GetTotalCents() <= 0 {
				t.Fatalf("%s: Quote = %v, %v; want a price", what, q, err)
			}
		}
		d, err := builder.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "topology", Design: buildertest.Basic()})
		if err != nil {
			t.Fatalf("%s: CreateDesign: %v", what, err)
		}
		o, err := orders.CreateOrder(ctx, &orderv1.CreateOrderRequest{
			Lines:           []*orderv1.OrderLineInput{{DesignId: d.GetDesign().GetId(), Quantity: 2}},
			ShippingAddress: &orderv1.ShippingAddress{Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US"},
			IdempotencyKey:  "topology-" + d.GetDesign().GetId(),
		})
		if err != nil || o.GetOrder().GetTotalCents() <= 0 {
			t.Fatalf("%s: CreateOrder = %v, %v; want a priced order", what, o.GetOrder(), err)
		}
	}
	calls(4, "all replicas up")
	// HAProxy logs a line per request, naming the replica that served it
	// (builder-service/builder-1) and its status.
	proxyLog, err := os.ReadFile(filepath.Join(dir, "haproxy.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"builder-1", "builder-2"} {
		if !strings.Contains(string(proxyLog), " builder-service/"+name+" ") {
			t.Errorf("no call reached the builder replica %s:\n%s", name, proxyLog)
		}
	}

	killed := running["builder-1"]
	if err := syscall.Kill(killed, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); alive(killed); {
		if time.Now().After(deadline) {
			t.Fatal("builder-1 survived SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
	calls(4, "builder-1 killed")

	script(ctx, "stop")
	for name, pid := range running {
		if alive(pid) {
			t.Errorf("%s (pid %d) still running after stop", name, pid)
		}
	}
	if left := pids(); len(left) > 0 {
		t.Errorf("pid files left after stop: %v", left)
	}
	t.Logf("whole run %v", time.Since(started).Round(time.Millisecond))
}
