package server_test

import (
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestTracingInProcess: in the monolith, the order module's in-process
// calls to the builder are client spans under CreateOrder with the
// builder's server spans under them, queries are spans, and the analytics
// consumer's span of a design.created continues the trace that recorded it
// (the in-process bus).
func TestTracingInProcess(t *testing.T) {
	t.Parallel()
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	platform := start(t, storage.SQLite, func(c *server.Config) { c.TracerProvider = tp })
	tr := platform.httpTransport()
	alice := signUp(t, tr)
	designID := saveDesign(t, tr, alice, buildertest.Basic())
	if _, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 1}}, ShippingAddress: address(),
	}); err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}

	find := func(spans []sdktrace.ReadOnlySpan, name string, kind trace.SpanKind) sdktrace.ReadOnlySpan {
		for _, s := range spans {
			if s.Name() == name && s.SpanKind() == kind {
				return s
			}
		}
		return nil
	}
	var spans []sdktrace.ReadOnlySpan
	var consumer sdktrace.ReadOnlySpan
	deadline := time.Now().Add(20 * time.Second)
	for consumer == nil {
		spans = recorder.Ended()
		for _, s := range spans {
			if s.SpanKind() == trace.SpanKindConsumer && s.Name() == "process events.design analytics" {
				consumer = s
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no analytics consumer span of design.created in 20s")
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	create := find(spans, "harness.builder.v1.DesignService/CreateDesign", trace.SpanKindServer)
	if create == nil || consumer.SpanContext().TraceID() != create.SpanContext().TraceID() {
		t.Errorf("analytics span in trace %v, want CreateDesign's trace", consumer.SpanContext().TraceID())
	}

	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	under := func(s sdktrace.ReadOnlySpan, ancestor trace.SpanID) bool {
		for ok := true; ok; s, ok = byID[s.Parent().SpanID()] {
			if s.SpanContext().SpanID() == ancestor {
				return true
			}
		}
		return false
	}
	root := find(spans, "harness.order.v1.OrderService/CreateOrder", trace.SpanKindServer)
	if root == nil {
		t.Fatal("no CreateOrder server span")
	}
	var calls, queries int
	for _, s := range spans {
		if !under(s, root.SpanContext().SpanID()) {
			continue
		}
		if s.SpanKind() == trace.SpanKindServer && strings.HasPrefix(s.Name(), "harness.builder.v1.") {
			if c, ok := byID[s.Parent().SpanID()]; ok && c.SpanKind() == trace.SpanKindClient && c.Name() == s.Name() {
				calls++
			}
		}
		for _, a := range s.Attributes() {
			if a.Key == "db.system" {
				queries++
			}
		}
	}
	if calls == 0 || queries == 0 {
		t.Errorf("under CreateOrder: %d builder calls (client → server spans), %d query spans; want some of each", calls, queries)
	}
}
