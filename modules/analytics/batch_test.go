package analytics_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/testing/protocmp"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestHandleBatch: a batch applied by HandleBatch, in one transaction,
// gives the figures that Handle gives one event at a time, counts an event
// repeated within or across batches once, and a batch with an event the
// module refuses changes nothing.
func TestHandleBatch(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			noon := at(t, "2026-03-02T12:00:00Z")
			d1 := design{id: uuid.NewString()}
			d2 := design{id: uuid.NewString()}
			o := newOrder(2500, d1.id)
			batch := []*eventsv1.Envelope{
				created(t, d1, noon), created(t, d2, noon), registered(t, noon),
				orderCreated(t, o, noon), orderPaid(t, o, noon), deleted(t, d2.id, noon),
			}
			batch = append(batch, orderQuiet(t, o, noon)...)
			batch = append(batch, batch[0], envelope(t, "payment.succeeded", &orderv1.PaymentSucceeded{OrderId: o.id}, noon))

			one, many := newEnv(t, engine, options{}), newEnv(t, engine, options{})
			one.handle(t, batch...)
			if err := many.mod.HandleBatch(t.Context(), batch); err != nil {
				t.Fatalf("HandleBatch: %v", err)
			}
			if err := many.mod.HandleBatch(t.Context(), batch[:3]); err != nil {
				t.Fatalf("HandleBatch again: %v", err)
			}
			if diff := cmp.Diff(one.day(t, "2026-03-02"), many.day(t, "2026-03-02"), protocmp.Transform()); diff != "" {
				t.Errorf("HandleBatch figures differ from Handle's (-Handle +HandleBatch):\n%s", diff)
			}
			if got, want := many.processed(t), one.processed(t); got != want {
				t.Errorf("HandleBatch recorded %d events processed, Handle %d", got, want)
			}

			bad := newEnv(t, engine, options{})
			refused := envelope(t, "order.paid", &orderv1.OrderPaid{}, noon) // no order id
			if err := bad.mod.HandleBatch(t.Context(), []*eventsv1.Envelope{created(t, d1, noon), refused}); err == nil {
				t.Fatal("HandleBatch with a refused event succeeded, want an error")
			}
			if n := bad.processed(t); n != 0 {
				t.Errorf("a refused batch recorded %d events processed, want 0", n)
			}
		})
	}
}
