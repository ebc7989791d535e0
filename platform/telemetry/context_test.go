package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"go.opentelemetry.io/otel/trace"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/telemetry"
)

var (
	callerTrace = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	callerSpan  = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
)

// spanContexts answers GetOrder with nothing, recording the span context
// each call ran with.
type spanContexts struct {
	orderv1connect.UnimplementedOrderServiceHandler
	got chan trace.SpanContext
}

func (s spanContexts) GetOrder(ctx context.Context, _ *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	s.got <- trace.SpanContextFromContext(ctx)
	return &orderv1.GetOrderResponse{}, nil
}

// TestTraceContextInterceptors: the client interceptor sends the span
// context of its call's context as traceparent, and the server interceptor
// puts it in the handler's context, remote and not recording; a call
// without one arrives without one.
func TestTraceContextInterceptors(t *testing.T) {
	t.Parallel()
	h := spanContexts{got: make(chan trace.SpanContext, 1)}
	srv := connect.NewServer(telemetry.TraceContextInterceptor())
	orderv1connect.RegisterOrderServiceHandler(srv, h)
	mux := http.NewServeMux()
	connecthttp.Mount(mux, srv)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	client := orderv1connect.NewOrderServiceClient(connect.NewClient(connecthttp.NewTransport(hs.Client(), hs.URL), telemetry.TraceContextClientInterceptor()))

	caller := trace.NewSpanContext(trace.SpanContextConfig{TraceID: callerTrace, SpanID: callerSpan, TraceFlags: trace.FlagsSampled, Remote: true})
	// Over HTTP: the span context travels in the traceparent header.
	if _, err := client.GetOrder(trace.ContextWithRemoteSpanContext(t.Context(), caller), &orderv1.GetOrderRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := <-h.got; !got.Equal(caller) {
		t.Errorf("handler's span context %v, want the caller's %v", got, caller)
	}
	if _, err := client.GetOrder(t.Context(), &orderv1.GetOrderRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := <-h.got; got.IsValid() {
		t.Errorf("a call without a trace context ran with %v", got)
	}
}

// TestLogHandlerCallerOnly: a line logged with the caller's span context
// alone (remote, not recording) carries its trace_id and its span as
// parent_span_id, never as span_id.
func TestLogHandlerCallerOnly(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&buf, nil)))
	caller := trace.NewSpanContext(trace.SpanContextConfig{TraceID: callerTrace, SpanID: callerSpan, Remote: true})
	logger.InfoContext(trace.ContextWithRemoteSpanContext(t.Context(), caller), "rpc")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["trace_id"] != callerTrace.String() || line["parent_span_id"] != callerSpan.String() || line["span_id"] != nil {
		t.Errorf("line %v, want trace_id %s, parent_span_id %s and no span_id", line, callerTrace, callerSpan)
	}
}
