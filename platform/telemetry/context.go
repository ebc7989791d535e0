package telemetry

import (
	"context"

	connect "connectrpc.com/connect/v2"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceContext is the W3C traceparent/tracestate propagator alone: the
// interceptors below carry no baggage.
var traceContext = propagation.TraceContext{}

// TraceContextInterceptor is the server interceptor of a process that
// records no spans (no exporter): a call whose request carries a W3C
// traceparent runs with the caller's span context in its context, remote
// and not recording, so its log lines carry the caller's trace_id (and its
// span as parent_span_id, see LogHandler), and the events it records carry
// the traceparent on. It starts no span and uses no SDK. A call without the
// header costs one context lookup and one header lookup, without
// allocating. Put it first in the chain, where the telemetry interceptor
// would be.
func TraceContextInterceptor() connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			if info, ok := connect.CallInfoForServerContext(ctx); ok && info.RequestHeader().Get("Traceparent") != "" {
				ctx = traceContext.Extract(ctx, headerCarrier{info.RequestHeader()})
			}
			return next(ctx, spec, stream)
		}
	}
}

// TraceContextClientInterceptor is the client interceptor of a process
// that records no spans: a call made with a span context in its context
// (one TraceContextInterceptor put there) sends it on as traceparent, so
// the called module's log lines carry the same trace. Calls without one
// pass unchanged.
func TraceContextClientInterceptor() connect.ClientInterceptor {
	return func(next connect.ClientFunc) connect.ClientFunc {
		return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
			if trace.SpanContextFromContext(ctx).IsValid() {
				if info, ok := connect.CallInfoForClientContext(ctx); ok {
					traceContext.Inject(ctx, headerCarrier{info.RequestHeader()})
				}
			}
			return next(ctx, spec)
		}
	}
}

// headerCarrier carries the trace context in a call's headers.
type headerCarrier struct{ h *connect.Header }

func (c headerCarrier) Get(key string) string { return c.h.Get(key) }
func (c headerCarrier) Set(key, value string) { c.h.Set(key, value) }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, c.h.Len())
	for k := range c.h.All() {
		keys = append(keys, k)
	}
	return keys
}
