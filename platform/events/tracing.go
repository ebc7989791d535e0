package events

import (
	"context"

	connect "connectrpc.com/connect/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// The trace context rides the envelope: Record writes the W3C traceparent
// of the recording span, and the router starts each handler's span from
// it, so a consumer continues the producer's trace through the outbox, the
// bus (in process or Redis Streams) and restarts alike.

// traceContext is the W3C propagator of the envelope's traceparent.
var traceContext = propagation.TraceContext{}

// traceparentOf is the traceparent of ctx's span, else the traceparent
// header of the call ctx serves, else "".
func traceparentOf(ctx context.Context) string {
	if trace.SpanContextFromContext(ctx).IsValid() {
		carrier := propagation.MapCarrier{}
		traceContext.Inject(ctx, carrier)
		return carrier.Get("traceparent")
	}
	if info, ok := connect.CallInfoForServerContext(ctx); ok {
		return info.RequestHeader().Get("traceparent")
	}
	return ""
}

// SpanContextOf is the producer's span context recorded in env; it is
// invalid when env carries none.
func SpanContextOf(env *eventsv1.Envelope) trace.SpanContext {
	if env.GetTraceparent() == "" {
		return trace.SpanContext{}
	}
	ctx := traceContext.Extract(context.Background(), propagation.MapCarrier{"traceparent": env.GetTraceparent()})
	return trace.SpanContextFromContext(ctx)
}

// RouterOption configures a Router.
type RouterOption func(*Router)

// WithTracerProvider makes the router start a consumer span around each
// handler call, from tp. Without it the router starts none.
func WithTracerProvider(tp trace.TracerProvider) RouterOption {
	return func(r *Router) {
		if tp != nil {
			r.tracer = tp.Tracer("github.com/harnesshero/platform/platform/events")
		}
	}
}

// startSpan starts consumer's span around handling envs of one topic. A
// single event's span is a child of its producer's span (same trace); a
// batch's span is a new root linked to each event's producer.
func (r *Router) startSpan(ctx context.Context, consumer string, envs []*eventsv1.Envelope) (context.Context, trace.Span) {
	topic := Topic(envs[0].GetType())
	attrs := []attribute.KeyValue{
		attribute.String("messaging.system", r.bus.Name),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("messaging.destination.name", topic),
		attribute.String("messaging.consumer.group.name", consumer),
		attribute.Int("messaging.batch.message_count", len(envs)),
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer)}
	if len(envs) == 1 {
		attrs = append(attrs, attribute.String("messaging.message.id", envs[0].GetId()), attribute.String("event.type", envs[0].GetType()))
		if sc := SpanContextOf(envs[0]); sc.IsValid() {
			ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
		}
	} else {
		links := make([]trace.Link, 0, len(envs))
		for _, env := range envs {
			if sc := SpanContextOf(env); sc.IsValid() {
				links = append(links, trace.Link{SpanContext: sc, Attributes: []attribute.KeyValue{attribute.String("messaging.message.id", env.GetId())}})
			}
		}
		opts = append(opts, trace.WithNewRoot(), trace.WithLinks(links...))
	}
	opts = append(opts, trace.WithAttributes(attrs...))
	return r.tracer.Start(ctx, "process "+topic+" "+consumer, opts...)
}
