package rpc_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/telemetry"
)

// TestChainTraced: with the telemetry interceptor, each call is a server
// span; the log line of a failed call and of a panic carry its trace and
// span, and a panic's span ends as an error (the panic is recovered inside
// the span).
func TestChainTraced(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	recorder := tracetest.NewSpanRecorder()
	observe, err := telemetry.ServerInterceptor(telemetry.Options{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil)))
	chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Logger: logger, Outer: []connect.ServerInterceptor{observe}})
	if err != nil {
		t.Fatal(err)
	}
	srv := connect.NewServer(chain...)
	orderv1connect.RegisterOrderServiceHandler(srv, orders{})
	token, _, err := auth.NewIssuer(priv, nil).Issue(identity.Identity{UserID: "u1", Role: identity.RoleUser, SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	alice := orderv1connect.NewOrderServiceClient(connect.NewClient(connectinprocess.New(srv), auth.BearerToken(token)))
	for _, tt := range []struct {
		name, id, msg string
		code          connect.Code
		status        codes.Code
	}{
		{"invalid id", "nope", "rpc", connect.CodeInvalidArgument, codes.Unset},
		{"panic", panicID, "panic in handler", connect.CodeInternal, codes.Error},
	} {
		logs.Reset()
		_, err := alice.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: tt.id})
		if got := connect.CodeOf(err); got != tt.code {
			t.Fatalf("%s: %v, want %v", tt.name, err, tt.code)
		}
		spans := recorder.Ended()
		span := spans[len(spans)-1]
		if span.Name() != "harness.order.v1.OrderService/GetOrder" || span.Status().Code != tt.status {
			t.Errorf("%s: last span %q status %v, want GetOrder with %v", tt.name, span.Name(), span.Status().Code, tt.status)
		}
		var found bool
		sc := bufio.NewScanner(&logs)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			if line["msg"] == tt.msg {
				found = true
				if line["trace_id"] != span.SpanContext().TraceID().String() || line["span_id"] != span.SpanContext().SpanID().String() {
					t.Errorf("%s: line %v, want trace_id %s span_id %s", tt.name, line, span.SpanContext().TraceID(), span.SpanContext().SpanID())
				}
			}
		}
		if !found {
			t.Errorf("%s: no %q line logged", tt.name, tt.msg)
		}
	}
}
