package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/server"
)

// BenchmarkQuoteTracing serves Quote through the platform's HTTP handler
// (the whole chain, no network) with tracing off — the embedded default,
// no OTEL_* set —, off with the caller's traceparent (its trace context
// reaches the log lines), and on, every call sampled and its spans batched
// to an exporter that drops them. See docs/benchmarks.md.
func BenchmarkQuoteTracing(b *testing.B) {
	body, err := proto.Marshal(&builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name        string
		tp          func() *sdktrace.TracerProvider
		traceparent string
	}{
		{"off", func() *sdktrace.TracerProvider { return nil }, ""},
		{"off_traceparent", func() *sdktrace.TracerProvider { return nil }, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		{"on", func() *sdktrace.TracerProvider {
			return sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		}, ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := server.DefaultConfig()
			cfg.DataDir = b.TempDir()
			if tp := bc.tp(); tp != nil {
				cfg.TracerProvider = tp
				b.Cleanup(func() { _ = tp.Shutdown(b.Context()) })
			}
			p, err := server.New(b.Context(), cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = p.Close() })
			h := p.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/harness.builder.v1.CatalogService/Quote", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/proto")
				if bc.traceparent != "" {
					req.Header.Set("Traceparent", bc.traceparent)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("Quote: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
