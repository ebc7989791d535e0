// Package telemetry wires OpenTelemetry into the platform: a tracer
// provider chosen by the standard OTEL_* environment variables
// (NewTracerProvider), the otelconnect interceptors every server and client
// of the composition root carries (ServerInterceptor, ClientInterceptor),
// the W3C trace-context propagator (Propagator), and a slog.Handler that
// stamps log lines with the trace and span of their context (LogHandler).
//
// Without OTEL_* variables nothing is exported and no span is started: the
// otelconnect interceptors are not installed at all (ServerInterceptor
// returns nil). TraceContextInterceptor takes their place, so a caller's
// traceparent still reaches the log lines.
package telemetry

import (
	"fmt"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Propagator carries the trace context across processes: W3C traceparent
// and tracestate, and baggage. RPC headers and the events' envelopes use
// it.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(
	propagation.TraceContext{}, propagation.Baggage{},
)

// Options select what the otelconnect interceptors record. One interceptor
// carries both signals; a nil provider leaves its signal out.
type Options struct {
	// TracerProvider receives a span per RPC; nil: no spans.
	TracerProvider trace.TracerProvider
	// MeterProvider receives the RPC metrics; nil: no metrics.
	MeterProvider metric.MeterProvider
}

// enabled reports whether o records anything.
func (o Options) enabled() bool { return o.TracerProvider != nil || o.MeterProvider != nil }

// otelconnect returns the otelconnect options for o. Server spans trust
// the caller's traceparent (they are its children, not new roots linked to
// it): every process of the platform is one trust domain, and the entry
// lets a client (curl, the web app) join its own trace.
func (o Options) otelconnect() []otelconnect.Option {
	opts := []otelconnect.Option{otelconnect.WithPropagator(Propagator), otelconnect.WithTrustRemote()}
	if o.TracerProvider != nil {
		opts = append(opts, otelconnect.WithTracerProvider(o.TracerProvider))
	} else {
		opts = append(opts, otelconnect.WithoutTracing())
	}
	if o.MeterProvider != nil {
		opts = append(opts, otelconnect.WithMeterProvider(o.MeterProvider))
	} else {
		opts = append(opts, otelconnect.WithoutMetrics())
	}
	return opts
}

// ServerInterceptor returns otelconnect's server interceptor for o, or nil
// when o records nothing (then the chain has no telemetry cost at all).
// Put it first, before recover and log (first in rpc.Options.Outer), so a
// recovered panic is an Internal error inside the span and the log lines
// of a call carry its span.
func ServerInterceptor(o Options) (connect.ServerInterceptor, error) {
	if !o.enabled() {
		return nil, nil
	}
	i, err := otelconnect.NewServerInterceptor(o.otelconnect()...)
	if err != nil {
		return nil, fmt.Errorf("telemetry: server interceptor: %w", err)
	}
	return i, nil
}

// ClientInterceptor returns otelconnect's client interceptor for o (a
// client span per call, its traceparent sent along), or nil when o records
// nothing.
func ClientInterceptor(o Options) (connect.ClientInterceptor, error) {
	if !o.enabled() {
		return nil, nil
	}
	i, err := otelconnect.NewClientInterceptor(o.otelconnect()...)
	if err != nil {
		return nil, fmt.Errorf("telemetry: client interceptor: %w", err)
	}
	return i, nil
}
