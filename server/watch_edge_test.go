package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// newOrder creates an order of one basic design for a through tr.
func newOrder(t *testing.T, tr connect.Transport, a account) *orderv1.Order {
	t.Helper()
	res, err := orders(tr, a).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines:           []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, a, buildertest.Basic()), Quantity: 1}},
		ShippingAddress: address(),
	})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return res.GetOrder()
}

// TestWatchOrderOutlivesHTTPTimeouts: the HTTP server's read and write
// timeouts, meant for unary calls, do not end a stream — over HTTP/1.1
// (Connect) and HTTP/2 (gRPC) alike.
func TestWatchOrderOutlivesHTTPTimeouts(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	const timeout = 300 * time.Millisecond
	hs := httptest.NewUnstartedServer(in.p.Handler())
	hs.Config.ReadTimeout, hs.Config.WriteTimeout = timeout, timeout
	hs.Config.Protocols = new(http.Protocols)
	hs.Config.Protocols.SetHTTP1(true)
	hs.Config.Protocols.SetUnencryptedHTTP2(true)
	hs.Start()
	t.Cleanup(hs.Close)

	tr := in.httpTransport()
	alice := signUp(t, tr)
	o := newOrder(t, tr, alice)
	watchers := []watcher{
		watchOrder(t, "Connect over HTTP/1.1", connecthttp.NewTransport(hs.Client(), hs.URL), alice, o.GetId()),
		watchOrder(t, "gRPC over HTTP/2", connecthttp.NewTransport(h2cClient(), hs.URL, connecthttp.WithGRPC()), alice, o.GetId()),
	}
	for _, w := range watchers {
		w.next(t)
	}
	// The passing of time is what is tested here: past both timeouts.
	<-time.After(3 * timeout)
	pay(t, in, o.GetId(), "succeeded")
	for _, w := range watchers {
		if got := w.next(t); got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PAID {
			t.Errorf("%s: %v, want PAID", w.name, got.GetStatus())
		}
	}
}

// TestWatchOrderFromABrowser: a page on an allowed origin may open the
// stream with connect-web's request (a CORS preflight for its headers,
// then Connect's streaming JSON), and the response is not buffered by
// proxies.
func TestWatchOrderFromABrowser(t *testing.T) {
	t.Parallel()
	const origin = "http://localhost:3000"
	in := start(t, storage.SQLite, func(c *server.Config) { c.CORSOrigins = []string{origin} })
	tr := in.httpTransport()
	alice := signUp(t, tr)
	o := newOrder(t, tr, alice)
	url := in.hs.URL + "/harness.order.v1.OrderService/WatchOrder"

	preflight, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	preflight.Header.Set("Origin", origin)
	preflight.Header.Set("Access-Control-Request-Method", http.MethodPost)
	preflight.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,connect-timeout-ms,content-type")
	res, err := in.hs.Client().Do(preflight)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != origin || res.StatusCode >= 300 {
		t.Fatalf("preflight: %s, allow origin %q", res.Status, res.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, h := range []string{"authorization", "connect-protocol-version", "connect-timeout-ms", "content-type"} {
		if !strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), h) {
			t.Errorf("preflight does not allow %s: %q", h, res.Header.Get("Access-Control-Allow-Headers"))
		}
	}

	// The stream itself, as connect-web frames it: one enveloped JSON
	// request message.
	msg := []byte(`{"id":"` + o.GetId() + `"}`)
	body := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(body[1:], uint32(len(msg)))
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(append(body, msg...)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	req.Header.Set("Authorization", "Bearer "+alice.token)
	res, err = in.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != origin ||
		res.Header.Get("Content-Type") != "application/connect+json" || res.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("stream response: %s, headers %v", res.Status, res.Header)
	}
	head := make([]byte, 5)
	if _, err := io.ReadFull(res.Body, head); err != nil {
		t.Fatal(err)
	}
	first := make([]byte, binary.BigEndian.Uint32(head[1:]))
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatal(err)
	}
	if head[0] != 0 || !bytes.Contains(first, []byte(`"status":"ORDER_STATUS_PENDING_PAYMENT"`)) {
		t.Errorf("first message: flags %d, %s", head[0], first)
	}
}

// TestWatchOrderShutdown: when the process shuts down, its open streams
// end with Unavailable (their clients watch again, elsewhere) and the
// graceful shutdown does not wait for them.
func TestWatchOrderShutdown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.DataDir, cfg.Addr, cfg.DrainGrace, cfg.ShutdownTimeout = t.TempDir(), ln.Addr().String(), 100*time.Millisecond, 20*time.Second
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, cfg, slog.New(slog.DiscardHandler), ln) }()
	base := "http://" + ln.Addr().String()
	testwait.Until(t, 30*time.Second, func() error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
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
	tr := connecthttp.NewTransport(http.DefaultClient, base)
	alice := signUp(t, tr)
	o := newOrder(t, tr, alice)
	watchers := []watcher{
		watchOrder(t, "Connect", tr, alice, o.GetId()),
		watchOrder(t, "gRPC", connecthttp.NewTransport(h2cClient(), base, connecthttp.WithGRPC()), alice, o.GetId()),
	}
	for _, w := range watchers {
		w.next(t)
	}
	cancel()
	for _, w := range watchers {
		if _, err := w.stream.Receive(); connect.CodeOf(err) != connect.CodeUnavailable {
			t.Errorf("%s at shutdown: %v, want unavailable", w.name, err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v (a stream held the shutdown?)", err)
		}
	case <-time.After(cfg.ShutdownTimeout + 10*time.Second):
		t.Fatal("Serve did not return")
	}
}
