package storage

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/extra/bunotel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// WithTracerProvider makes every query a client span of tp (bun's OTel
// hook, bunotel), a child of the span in the query's context: the RPC or
// the event handler that ran it. Without it Open installs no hook and
// queries cost nothing extra.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = tp }
}

// withTracing adds bunotel's hook when tp is set. The hook's own metrics
// (query timing, pool stats) go nowhere: metrics are recorded elsewhere.
func withTracing(db *bun.DB, tp trace.TracerProvider) *bun.DB {
	if tp == nil {
		return db
	}
	return db.WithQueryHook(bunotel.NewQueryHook(
		bunotel.WithTracerProvider(tp),
		bunotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		bunotel.WithDBName(string(EngineOf(db))),
	))
}
