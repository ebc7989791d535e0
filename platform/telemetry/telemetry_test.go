package telemetry_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/harnesshero/platform/platform/telemetry"
)

func TestTracingRequested(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set: the embedded default", nil, false},
		{"an OTLP endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"a traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{"an exporter", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, true},
		{"exporter none beats an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, false},
		{"SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false},
		{"only a service name", map[string]string{"OTEL_SERVICE_NAME": "x"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := telemetry.TracingRequested(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("TracingRequested = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewTracerProviderOff(t *testing.T) {
	t.Parallel()
	tp, err := telemetry.NewTracerProvider(t.Context(), func(string) string { return "" }, "harness-all")
	if err != nil || tp != nil {
		t.Fatalf("NewTracerProvider without OTEL_* = %v, %v; want nil, nil", tp, err)
	}
	if i, err := telemetry.ServerInterceptor(telemetry.Options{}); i != nil || err != nil {
		t.Fatalf("ServerInterceptor with nothing to record = %v, %v; want nil, nil", i != nil, err)
	}
}

// TestLogHandler: a line logged with a recording span's context carries
// its trace_id and span_id; one without a span carries neither.
func TestLogHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&buf, nil))).With("service", "test")
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(t.Context(), "call")
	logger.InfoContext(ctx, "rpc", "code", "not_found")
	span.End()
	logger.InfoContext(t.Context(), "plain")

	dec := json.NewDecoder(&buf)
	var traced, plain map[string]any
	if err := dec.Decode(&traced); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&plain); err != nil {
		t.Fatal(err)
	}
	if traced["trace_id"] != span.SpanContext().TraceID().String() || traced["span_id"] != span.SpanContext().SpanID().String() || traced["service"] != "test" {
		t.Errorf("traced line %v, want trace_id %s span_id %s", traced, span.SpanContext().TraceID(), span.SpanContext().SpanID())
	}
	if _, ok := plain["trace_id"]; ok {
		t.Errorf("line without a span has a trace_id: %v", plain)
	}
}
