package server

import (
	"context"
	"net/http"
	"strings"

	connect "connectrpc.com/connect/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/metrics"
)

// platformMetrics are the metrics the composition root adds to the
// registry beside the per-RPC ones: the payment webhook's results and
// sign-in throttling.
type platformMetrics struct {
	*metrics.Metrics
	webhookResults *prometheus.CounterVec
	throttled      *prometheus.CounterVec
}

func newPlatformMetrics(p *Platform) *platformMetrics {
	m := &platformMetrics{
		Metrics: metrics.New(p.logger),
		webhookResults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "harness_payment_webhook_results_total",
			Help: "Payment webhook deliveries by outcome: recorded (200: recorded or already recorded), rejected (4xx: bad signature, expired or unreadable), failed (5xx: not recorded, the provider retries).",
		}, []string{"outcome"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "harness_signin_throttled_total",
			Help: "Calls refused by sign-in throttling (resource_exhausted from the user service), by method.",
		}, []string{"rpc_method"}),
	}
	m.Registerer().MustRegister(m.webhookResults, m.throttled)
	for _, outcome := range []string{"recorded", "rejected", "failed"} {
		m.webhookResults.WithLabelValues(outcome) // exported at 0 from the start
	}
	m.throttled.WithLabelValues("SignIn")
	return m
}

// interceptors are the metrics' server interceptors, outermost in the
// chain: per-RPC metrics, and sign-in throttling hits.
func (m *platformMetrics) interceptors() []connect.ServerInterceptor {
	return []connect.ServerInterceptor{m.ServerInterceptor(), m.countThrottled}
}

// countThrottled counts the user service's resource_exhausted answers:
// the only cause of that code there is the sign-in throttle (sign-in,
// and the password checks of account deletion and password change).
func (m *platformMetrics) countThrottled(next connect.ServerFunc) connect.ServerFunc {
	prefix := "/" + userv1connect.UserServiceName + "/"
	return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
		err := next(ctx, spec, stream)
		if err != nil && connect.CodeOf(err) == connect.CodeResourceExhausted {
			if method, ok := strings.CutPrefix(spec.Procedure, prefix); ok {
				m.throttled.WithLabelValues(method).Inc()
			}
		}
		return err
	}
}

// instrumentRoute counts the results of a served module's plain HTTP
// route (the payment webhook's).
func (m *platformMetrics) instrumentRoute(module string, h http.Handler) http.Handler {
	if module != "webhook" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		outcome := "recorded"
		switch {
		case sw.status >= 500:
			outcome = "failed"
		case sw.status >= 400:
			outcome = "rejected"
		}
		m.webhookResults.WithLabelValues(outcome).Inc()
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// registerRuntimeMetrics exports what the process opened: its database
// pool and its event pipeline. Call it once the events are wired.
func (p *Platform) registerRuntimeMetrics() error {
	for i, d := range p.databases {
		// The first is the process's own, "platform"; a module's own
		// database is named for its modules.
		name := "platform"
		if i > 0 {
			name = strings.Join(d.modules, "+")
		}
		if err := p.metrics.RegisterDB(name, d.db.DB); err != nil {
			return err
		}
	}
	w := &p.events
	if w.bus == nil {
		return nil
	}
	src := metrics.EventSources{Bus: w.bus, Router: w.router}
	for _, d := range p.databases {
		src.Outboxes = append(src.Outboxes, d.db)
	}
	for _, r := range w.relays {
		src.Relays = append(src.Relays, r.relay)
	}
	return p.metrics.RegisterEvents(src)
}
