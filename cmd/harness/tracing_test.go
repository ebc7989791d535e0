package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
)

// otlpSpan is a span as an OTLP receiver got it, with its process's
// service.name.
type otlpSpan struct {
	service string
	*tracepb.Span
}

func (s otlpSpan) traceID() string  { return hex.EncodeToString(s.GetTraceId()) }
func (s otlpSpan) spanID() string   { return hex.EncodeToString(s.GetSpanId()) }
func (s otlpSpan) parentID() string { return hex.EncodeToString(s.GetParentSpanId()) }

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes each export
// request with the official OTLP protobuf types and keeps the spans.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []otlpSpan
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want protobuf on /v1/traces", http.StatusUnsupportedMediaType)
			return
		}
		body := io.Reader(req.Body)
		if req.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		data, err := io.ReadAll(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var export coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(data, &export); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range export.GetResourceSpans() {
			var service string
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					r.spans = append(r.spans, otlpSpan{service: service, Span: s})
				}
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

// trace returns the spans of traceID received so far.
func (r *otlpReceiver) trace(traceID string) []otlpSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []otlpSpan
	for _, s := range r.spans {
		if s.traceID() == traceID {
			out = append(out, s)
		}
	}
	return out
}

// all returns every span received so far.
func (r *otlpReceiver) all() []otlpSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]otlpSpan(nil), r.spans...)
}

// traced returns ctx sending a traceparent of a new trace, as curl would
// with -H traceparent:…, and the trace and parent span ids.
func traced(ctx context.Context) (context.Context, string, string) {
	var tid [16]byte
	var sid [8]byte
	_, _ = rand.Read(tid[:])
	_, _ = rand.Read(sid[:])
	traceID, spanID := hex.EncodeToString(tid[:]), hex.EncodeToString(sid[:])
	ctx, info := connect.NewClientContext(ctx)
	info.RequestHeader().Set("traceparent", "00-"+traceID+"-"+spanID+"-01")
	return ctx, traceID, spanID
}

// find returns the span of spans named name, of kind and service, or nil.
func find(spans []otlpSpan, service, name string, kind tracepb.Span_SpanKind) *otlpSpan {
	for i, s := range spans {
		if s.service == service && s.GetName() == name && s.GetKind() == kind {
			return &spans[i]
		}
	}
	return nil
}

// TestTraceAcrossProcesses: a platform and an extracted builder service
// export their spans over OTLP/HTTP to a receiver run by the test. A call
// through the platform is one trace: the caller's span → the platform's
// server span → its client span to the builder → the builder's server span
// (and the database spans below them); an event recorded by the builder
// reaches the platform's analytics consumer through Redis Streams in the
// producer's trace; a failed call's log line carries its trace id.
func TestTraceAcrossProcesses(t *testing.T) {
	recv := newOTLPReceiver(t)
	otel := []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.URL, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_TRACES_SAMPLER=parentbased_always_on", "OTEL_BSP_SCHEDULE_DELAY=100", "HARNESS_LOG_FORMAT=json",
	}
	x := startExtracted(t, "", otel, otel)
	orders := orderv1connect.NewOrderServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, x.platform.url), auth.BearerToken(x.token)))

	// waitSpans waits until cond holds for the spans of traceID.
	waitSpans := func(traceID, what string, cond func([]otlpSpan) bool) []otlpSpan {
		t.Helper()
		var spans []otlpSpan
		waitFor(t, 20*time.Second, what, func() bool { spans = recv.trace(traceID); return cond(spans) })
		return spans
	}
	const quote = "harness.builder.v1.CatalogService/Quote"

	// Quote: caller → the platform's client span (it forwards the call as
	// it came, ADR 0028) → builder server.
	ctx, quoteTrace, callerSpan := traced(t.Context())
	if err := x.quote(ctx); err != nil {
		t.Fatalf("Quote: %v", err)
	}
	spans := waitSpans(quoteTrace, "the Quote spans of both processes", func(s []otlpSpan) bool {
		return find(s, "harness-builder", quote, tracepb.Span_SPAN_KIND_SERVER) != nil && find(s, "harness-all", quote, tracepb.Span_SPAN_KIND_CLIENT) != nil
	})
	hop := find(spans, "harness-all", quote, tracepb.Span_SPAN_KIND_CLIENT)
	served := find(spans, "harness-builder", quote, tracepb.Span_SPAN_KIND_SERVER)
	if hop == nil || served == nil || hop.parentID() != callerSpan || served.parentID() != hop.spanID() {
		t.Fatalf("Quote spans do not chain caller %s → platform client → builder server:\n%v", callerSpan, spans)
	}
	if entry := find(spans, "harness-all", quote, tracepb.Span_SPAN_KIND_SERVER); entry != nil {
		t.Errorf("the platform served the forwarded Quote itself: %v", entry)
	}

	// CreateDesign: its design.created goes from the builder's outbox
	// through Redis Streams to the platform's analytics consumer.
	ctx, designTrace, _ := traced(t.Context())
	design, err := x.designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "traced", Design: buildertest.Basic()})
	if err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	var consumer *otlpSpan
	waitFor(t, 30*time.Second, "the analytics consumer's span of design.created", func() bool {
		for _, s := range recv.all() {
			if s.service != "harness-all" || s.GetKind() != tracepb.Span_SPAN_KIND_CONSUMER || !strings.HasSuffix(s.GetName(), " analytics") {
				continue
			}
			if s.traceID() == designTrace {
				consumer = &s
				return true
			}
			for _, l := range s.GetLinks() {
				if hex.EncodeToString(l.GetTraceId()) == designTrace {
					consumer = &s
					return true
				}
			}
		}
		return false
	})
	if consumer.traceID() == designTrace {
		producer := waitSpans(designTrace, "the builder's CreateDesign span", func(s []otlpSpan) bool {
			return find(s, "harness-builder", "harness.builder.v1.DesignService/CreateDesign", tracepb.Span_SPAN_KIND_SERVER) != nil
		})
		// The consumer's parent is the span that recorded the event: the
		// builder's CreateDesign server span or one below it (the
		// transaction's).
		p := find(producer, "harness-builder", "harness.builder.v1.DesignService/CreateDesign", tracepb.Span_SPAN_KIND_SERVER)
		if !descends(producer, consumer.parentID(), p.spanID()) {
			t.Errorf("analytics span %q has parent %s, not under the builder's CreateDesign span %s\n%v", consumer.GetName(), consumer.parentID(), p.spanID(), producer)
		}
	}

	// CreateOrder: the order module (platform) calls the builder service.
	ctx, orderTrace, _ := traced(t.Context())
	if _, err := orders.CreateOrder(ctx, &orderv1.CreateOrderRequest{
		Lines:           []*orderv1.OrderLineInput{{DesignId: design.GetDesign().GetId(), Quantity: 1}},
		ShippingAddress: &orderv1.ShippingAddress{Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US"},
		IdempotencyKey:  "traced-" + design.GetDesign().GetId(),
	}); err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	spans = waitSpans(orderTrace, "CreateOrder's spans in the builder service", func(s []otlpSpan) bool {
		for _, sp := range s {
			if sp.service == "harness-builder" && sp.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
				return find(s, "harness-all", "harness.order.v1.OrderService/CreateOrder", tracepb.Span_SPAN_KIND_SERVER) != nil
			}
		}
		return false
	})
	root := find(spans, "harness-all", "harness.order.v1.OrderService/CreateOrder", tracepb.Span_SPAN_KIND_SERVER)
	byID := map[string]otlpSpan{}
	for _, s := range spans {
		byID[s.spanID()] = s
	}
	if root == nil {
		t.Fatal("no CreateOrder server span")
	}
	var chained, queries bool
	for _, s := range spans {
		if s.service == "harness-builder" && s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
			// builder server ← platform client ← … ← CreateOrder.
			c, ok := byID[s.parentID()]
			if ok && c.service == "harness-all" && c.GetKind() == tracepb.Span_SPAN_KIND_CLIENT && descends(spans, c.spanID(), root.spanID()) {
				chained = true
			}
		}
		for _, a := range s.GetAttributes() {
			if a.GetKey() == "db.system" && s.service == "harness-all" {
				queries = true
			}
		}
	}
	if !chained {
		t.Errorf("no builder server span under a platform client span under CreateOrder:\n%v", spans)
	}
	if !queries {
		t.Errorf("no database span in CreateOrder's trace:\n%v", spans)
	}

	// A failed call: its log lines (JSON) carry its trace and span.
	ctx, failedTrace, _ := traced(t.Context())
	_, err = x.designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: "0190b6c4-0000-7000-8000-000000000000"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("GetDesign of no design = %v, want not_found", err)
	}
	// The platform forwards it (a client span, a "forwarded" line); the
	// builder serves it (a server span, an "rpc" line).
	const getDesign = "harness.builder.v1.DesignService/GetDesign"
	spans = waitSpans(failedTrace, "GetDesign's spans", func(s []otlpSpan) bool {
		return find(s, "harness-all", getDesign, tracepb.Span_SPAN_KIND_CLIENT) != nil &&
			find(s, "harness-builder", getDesign, tracepb.Span_SPAN_KIND_SERVER) != nil
	})
	for _, c := range []struct {
		p       *proc
		service string
		kind    tracepb.Span_SpanKind
		msg     string
	}{
		{x.platform, "harness-all", tracepb.Span_SPAN_KIND_CLIENT, "forwarded"},
		{x.builder, "harness-builder", tracepb.Span_SPAN_KIND_SERVER, "rpc"},
	} {
		span := find(spans, c.service, getDesign, c.kind)
		var line map[string]any
		waitFor(t, 10*time.Second, c.service+"'s log line of the failed GetDesign", func() bool {
			line = logLine(c.p.logs.String(), func(l map[string]any) bool {
				return l["msg"] == c.msg && l["code"] == "not_found" && l["trace_id"] == failedTrace
			})
			return line != nil
		})
		if line["span_id"] != span.spanID() {
			t.Errorf("%s logged the failed GetDesign with span %v, want its span %s: %v", c.service, line["span_id"], span.spanID(), line)
		}
	}
}

// descends reports whether the span id of spans is ancestor or one of its
// descendants.
func descends(spans []otlpSpan, id, ancestor string) bool {
	parent := map[string]string{}
	for _, s := range spans {
		parent[s.spanID()] = s.parentID()
	}
	for seen := 0; id != "" && seen <= len(spans); seen++ {
		if id == ancestor {
			return true
		}
		id = parent[id]
	}
	return false
}

// logLine returns the first JSON log line of logs that match accepts.
func logLine(logs string, match func(map[string]any) bool) map[string]any {
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l map[string]any
		if json.Unmarshal(sc.Bytes(), &l) == nil && match(l) {
			return l
		}
	}
	return nil
}

// TestTracesFlushedOnShutdown: spans still batched when the process gets
// SIGTERM are exported before it exits (the batch delay here is a minute).
func TestTracesFlushedOnShutdown(t *testing.T) {
	recv := newOTLPReceiver(t)
	p := startProc(t, binary(t), []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.URL, "OTEL_BSP_SCHEDULE_DELAY=60000"})
	ctx, traceID, _ := traced(t.Context())
	catalog := builderv1connect.NewCatalogServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, p.url)))
	if _, err := catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
		t.Fatalf("Quote: %v", err)
	}
	if n := len(recv.trace(traceID)); n != 0 {
		t.Fatalf("%d spans exported before the batch delay; the test cannot tell a flush", n)
	}
	if err := p.stop(20 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, p.logs)
	}
	if find(recv.trace(traceID), "harness-all", "harness.builder.v1.CatalogService/Quote", tracepb.Span_SPAN_KIND_SERVER) == nil {
		t.Fatalf("the Quote span was not exported at shutdown; got %v", recv.trace(traceID))
	}
}
