package server_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestMetricsWebhookAndThrottle: the payment webhook's results are counted
// by outcome as the provider heard them, and every sign-in refused by the
// throttle is counted once.
func TestMetricsWebhookAndThrottle(t *testing.T) {
	in := start(t, storage.SQLite, nil)
	secret, err := server.LoadOrCreateWebhookSecret(in.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	event := payment.NewEventPayload(payment.EventPaymentSucceeded, "pi_"+uuid.NewString()[:8], uuid.NewString(), 1000, "usd", "")
	statuses := map[int]float64{}
	for _, sig := range []string{"", "t=1,v1=00", payment.SignWebhook(event, secret, time.Now())} {
		statuses[post(t, in, event, sig)]++
	}
	if statuses[http.StatusBadRequest] != 2 || statuses[http.StatusOK] != 1 {
		t.Fatalf("webhook statuses = %v, want two 400 and one 200", statuses)
	}

	// (An account's: a sign-in for an unknown email has no account bucket,
	// only its address's.)
	victim := signUp(t, in.httpTransport())
	users := userv1connect.NewUserServiceClient(connect.NewClient(in.httpTransport()))
	throttled := 0.0
	for range 15 {
		_, err := users.SignIn(t.Context(), &userv1.SignInRequest{Email: victim.email, Password: "wrong password"})
		if connect.CodeOf(err) == connect.CodeResourceExhausted {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("15 failed sign-ins of one account were never throttled")
	}

	got := scrape(t, in.hs.URL)
	for outcome, want := range map[string]float64{"rejected": 2, "recorded": 1, "failed": 0} {
		if n := value(got, "harness_payment_webhook_results_total", map[string]string{"outcome": outcome}); n != want {
			t.Errorf("webhook results %s = %v, want %v", outcome, n, want)
		}
	}
	if n := value(got, "harness_signin_throttled_total", map[string]string{"rpc_method": "SignIn"}); n != throttled {
		t.Errorf("sign-ins throttled = %v, want %v", n, throttled)
	}
}

// TestServeAdminAddr: with Config.AdminAddr, Serve answers pprof and
// /metrics there, neither is found on the serving port, and both stop
// when Serve returns.
func TestServeAdminAddr(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminAddr := free.Addr().String()
	_ = free.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.DataDir, cfg.Addr, cfg.AdminAddr, cfg.DrainGrace = t.TempDir(), ln.Addr().String(), adminAddr, 0
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, cfg, slog.New(slog.DiscardHandler), ln) }()
	status := func(url string) (int, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	admin, public := "http://"+adminAddr, "http://"+ln.Addr().String()
	testwait.Until(t, 30*time.Second, func() error {
		code, err := status(admin + "/debug/pprof/")
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("admin pprof: %d, %w", code, err)
		}
		return nil
	})
	for url, want := range map[string]int{
		admin + "/metrics": http.StatusOK, admin + "/readyz": http.StatusOK,
		public + "/debug/pprof/": http.StatusNotFound, public + "/metrics": http.StatusNotFound,
	} {
		if code, err := status(url); err != nil || code != want {
			t.Errorf("GET %s = %d, %v; want %d", url, code, err, want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := status(admin + "/metrics"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("the admin listener still answers after Serve returned (err %v)", err)
	}
}
