package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// LogHandler wraps h so that a record logged with a context holding a
// span context (logger.InfoContext(ctx, …) inside an RPC or an event
// handler) carries its trace: trace_id and span_id for a recording span;
// trace_id and parent_span_id for the caller's span context alone (remote,
// not recording: TraceContextInterceptor's, in a process that records no
// spans, where the caller's span is the parent of whatever this call
// would be); trace_id alone for a span not sampled. These are the keys log
// backends use to link a line to its trace. Records without one pass
// through unchanged, at the cost of one context lookup.
func LogHandler(h slog.Handler) slog.Handler { return traceHandler{h} }

type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	span := trace.SpanFromContext(ctx)
	sc := span.SpanContext()
	if !sc.IsValid() {
		return h.Handler.Handle(ctx, r)
	}
	r = r.Clone()
	r.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
	switch {
	case span.IsRecording():
		r.AddAttrs(slog.String("span_id", sc.SpanID().String()))
	case sc.IsRemote():
		r.AddAttrs(slog.String("parent_span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}
