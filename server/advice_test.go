package server_test

import (
	"errors"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestExtractionAdvice: GetExtractionAdvice judges this process's own
// metrics, recorded in the background: after a burst of quotes the
// builder leads the table with the calls made, and an admin only may ask.
func TestExtractionAdvice(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, func(c *server.Config) {
		c.Advice.Window, c.Advice.Interval = time.Minute, 200*time.Millisecond
	})
	tr := in.httpTransport()
	alice := signUp(t, tr)
	admin := signUpAdmin(t, in, tr)
	const quotes = 60
	for range quotes {
		if _, err := as(tr, alice).Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
			t.Fatalf("Quote: %v", err)
		}
	}
	stats := func(a account) analyticsv1connect.AnalyticsServiceClient {
		return analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(a.token)))
	}
	// The quotes fall between the first record and now: the answer
	// counts them whenever it is asked.
	var res *analyticsv1.GetExtractionAdviceResponse
	testwait.Until(t, 30*time.Second, func() error {
		var err error
		res, err = stats(admin).GetExtractionAdvice(t.Context(), &analyticsv1.GetExtractionAdviceRequest{})
		if err != nil {
			return err
		}
		if len(res.GetModules()) == 0 || res.GetModules()[0].GetModule() != "builder" || res.GetModules()[0].GetCalls() < quotes {
			return errors.New("the builder does not lead with the quotes yet")
		}
		return nil
	})
	b := res.GetModules()[0]
	if b.GetPerMinute() <= 0 || b.GetP99().AsDuration() <= 0 || b.GetVerdict() == "" || res.GetAdvice() == "" ||
		res.GetSamples() < 1 || !res.GetEndTime().AsTime().After(res.GetStartTime().AsTime()) || res.GetSource() == "" {
		t.Errorf("advice %v", res)
	}
	names := map[string]bool{}
	for _, m := range res.GetModules() {
		names[m.GetModule()] = true
	}
	for _, name := range server.ModuleNames() {
		if !names[name] {
			t.Errorf("module %s missing from the advice: %v", name, names)
		}
	}

	_, err := stats(alice).GetExtractionAdvice(t.Context(), &analyticsv1.GetExtractionAdviceRequest{})
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a shopper asked: %v, want permission_denied", err)
	}
	_, err = analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr)).GetExtractionAdvice(t.Context(), &analyticsv1.GetExtractionAdviceRequest{})
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("anonymous: %v, want unauthenticated", err)
	}
}

// TestExtractionAdviceFromPrometheus: with a Prometheus URL the advice
// reads it, and one that cannot be read is Unavailable, not an empty table.
func TestExtractionAdviceFromPrometheus(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, func(c *server.Config) { c.Advice.PrometheusURL = "http://127.0.0.1:1" })
	tr := in.httpTransport()
	admin := signUpAdmin(t, in, tr)
	_, err := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token))).
		GetExtractionAdvice(t.Context(), &analyticsv1.GetExtractionAdviceRequest{})
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("an unreachable Prometheus: %v, want unavailable", err)
	}
}
