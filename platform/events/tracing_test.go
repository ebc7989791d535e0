package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// TestTraceContextCrossesTheBus: an event recorded inside a span carries
// that span's traceparent in its envelope, and the consumer's handler runs
// in a consumer span that is the producer span's child — on the in-process
// bus and through Redis Streams, with consumers that start only after the
// event was recorded.
func TestTraceContextCrossesTheBus(t *testing.T) {
	buses := map[string]func(t *testing.T, db *bun.DB) *events.Bus{
		"in-process": func(_ *testing.T, db *bun.DB) *events.Bus { return events.NewInProcessBus(db, quiet) },
		"redis-streams": func(t *testing.T, _ *bun.DB) *events.Bus {
			bus, err := events.NewRedisBus(newRedisClient(t, redisURL(t)), quiet, events.RedisOptions{Prefix: prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			return bus
		},
	}
	for name, newBus := range buses {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, storage.SQLite)
			bus := newBus(t, db)
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

			seen := make(chan trace.SpanContext, 1)
			router, err := events.NewRouter(bus, quiet, events.WithTracerProvider(tp))
			if err != nil {
				t.Fatal(err)
			}
			router.Subscribe("traced", "design.created", func(ctx context.Context, _ *eventsv1.Envelope) error {
				select {
				case seen <- trace.SpanContextFromContext(ctx):
				default:
				}
				return nil
			})
			pctx, producer := tp.Tracer("test").Start(t.Context(), "CreateDesign")
			var env *eventsv1.Envelope
			err = db.RunInTx(pctx, nil, func(ctx context.Context, tx bun.Tx) error {
				id := uuid.NewString()
				env, err = events.Record(ctx, tx, events.Event{AggregateID: id, Payload: &builderv1.DesignCreated{Design: &builderv1.DesignFacts{DesignId: id}}})
				return err
			})
			producer.End()
			if err != nil {
				t.Fatal(err)
			}
			// The consumers start after the event was recorded (as after a
			// restart): the trace context waits in the outbox row.
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{}, 2)
			go func() { _ = router.Run(ctx); done <- struct{}{} }()
			<-router.Running()
			relay := events.NewRelay(db, bus.Publisher, quiet)
			go func() { _ = relay.Run(ctx); done <- struct{}{} }()
			t.Cleanup(func() { cancel(); _ = router.Close(); <-done; <-done })

			if got := events.SpanContextOf(env); got.TraceID() != producer.SpanContext().TraceID() || got.SpanID() != producer.SpanContext().SpanID() {
				t.Fatalf("envelope traceparent %q, want the producer span %v", env.GetTraceparent(), producer.SpanContext())
			}

			var consumer trace.SpanContext
			select {
			case consumer = <-seen:
			case <-time.After(30 * time.Second):
				t.Fatal("the event did not reach the consumer in 30s")
			}
			if consumer.TraceID() != producer.SpanContext().TraceID() {
				t.Fatalf("consumer trace %v, want the producer's %v", consumer.TraceID(), producer.SpanContext().TraceID())
			}
			var span sdktrace.ReadOnlySpan
			for deadline := time.Now().Add(10 * time.Second); span == nil && time.Now().Before(deadline); {
				for _, s := range spans.Ended() {
					if s.SpanContext().SpanID() == consumer.SpanID() {
						span = s
					}
				}
				if span == nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
			if span == nil {
				t.Fatal("the consumer span did not end in 10s")
			}
			if span.Parent().SpanID() != producer.SpanContext().SpanID() || span.SpanKind() != trace.SpanKindConsumer {
				t.Fatalf("consumer span %q (kind %v) has parent %v, want a consumer span under the producer %v", span.Name(), span.SpanKind(), span.Parent().SpanID(), producer.SpanContext().SpanID())
			}
		})
	}
}
