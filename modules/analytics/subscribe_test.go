package analytics_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestSubscribe runs the module's subscriptions on the in-process bus: the
// events other modules record reach Handle through the relay and the
// router, and a redelivered batch counts once.
func TestSubscribe(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, options{})
			logger := slog.New(slog.DiscardHandler)
			bus := events.NewInProcessBus(e.db, logger)
			router, err := events.NewRouter(bus, logger)
			if err != nil {
				t.Fatal(err)
			}
			e.mod.Subscribe(router)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- router.Run(ctx) }()
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("router: %v", err)
				}
				_ = bus.Close()
			})
			select {
			case <-router.Running():
			case <-time.After(10 * time.Second):
				t.Fatal("router did not start")
			}

			d := design{id: uuid.NewString(), style: builderv1.Style_STYLE_VEST}
			o := newOrder(4100, d.id)
			var day string // the UTC day of the first event, all in a few ms
			// The order is recorded first: its stream is delivered before
			// the design's, as may happen on Redis Streams.
			for _, ev := range []struct {
				typ     string
				payload proto.Message
			}{
				{"order.created", &orderv1.OrderCreated{Order: o.facts()}},
				{"order.paid", &orderv1.OrderPaid{Order: o.facts()}},
				{"order.payment_failed", &orderv1.OrderPaymentFailed{Order: o.facts()}},
				{"order.cancelled", &orderv1.OrderCancelled{Order: o.facts()}},
				{"order.shipped", &orderv1.OrderShipped{Order: o.facts()}},
				{"order.delivered", &orderv1.OrderDelivered{Order: o.facts()}},
				{"order.refunded", &orderv1.OrderRefunded{Order: o.facts(), AmountCents: 1000}},
				{"design.created", &builderv1.DesignCreated{Design: d.facts()}},
				{"design.updated", &builderv1.DesignUpdated{Design: d.facts()}},
				{"design.deleted", &builderv1.DesignDeleted{DesignId: d.id}},
				{"user.registered", &userv1.UserRegistered{UserId: uuid.NewString()}},
				{"payment.succeeded", &orderv1.PaymentSucceeded{OrderId: o.id}}, // no subscriber
			} {
				env, err := events.Record(t.Context(), e.db, events.Event{Type: ev.typ, AggregateID: d.id, Payload: ev.payload})
				if err != nil {
					t.Fatal(err)
				}
				if day == "" {
					day = env.GetOccurTime().AsTime().Format("2006-01-02")
				}
			}
			// The in-process bus returns from Publish once every subscriber
			// acknowledged, so the figures are final when Flush returns.
			relay := events.NewRelay(e.db, bus.Publisher, logger)
			const recorded, subscribed = 12, 11
			if n, err := relay.Flush(t.Context()); err != nil || n != recorded {
				t.Fatalf("Flush = %d, %v; want %d", n, err, recorded)
			}
			// Redeliver everything, as after a crash before marking.
			if _, err := e.db.NewRaw("UPDATE events_outbox SET delivered_at = NULL").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n, err := relay.Flush(t.Context()); err != nil || n != recorded {
				t.Fatalf("second Flush = %d, %v; want %d", n, err, recorded)
			}

			today := time.Now().UTC().Format("2006-01-02")
			got := e.days(t, day, today)
			sum := &analyticsv1.DailyStats{}
			for _, s := range got {
				sum.DesignsCreated += s.GetDesignsCreated()
				sum.DesignsDeleted += s.GetDesignsDeleted()
				sum.UsersRegistered += s.GetUsersRegistered()
				sum.OrdersCreated += s.GetOrdersCreated()
				sum.OrdersPaid += s.GetOrdersPaid()
				sum.OrdersCancelled += s.GetOrdersCancelled()
				sum.OrdersRefunded += s.GetOrdersRefunded()
				sum.RevenueCents += s.GetRevenueCents()
			}
			want := &analyticsv1.DailyStats{
				DesignsCreated: 1, DesignsDeleted: 1, UsersRegistered: 1,
				OrdersCreated: 1, OrdersPaid: 1, OrdersCancelled: 1, OrdersRefunded: 1, RevenueCents: 3100,
			}
			if diff := cmp.Diff(want, sum, protocmp.Transform()); diff != "" {
				t.Errorf("%v: sums (-want +got):\n%s", got, diff)
			}
			conv, err := e.client.GetConversion(t.Context(), &analyticsv1.GetConversionRequest{
				Range: &analyticsv1.DateRange{StartDate: day, EndDate: today},
			})
			if err != nil {
				t.Fatal(err)
			}
			if conv.GetDesignsCreated() != 1 || conv.GetDesignsOrdered() != 1 {
				t.Errorf("conversion = %v, want 1 of 1 design ordered", conv)
			}
			stats, err := e.client.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if c := stats.GetConsumers(); len(c) != 1 || c[0].GetProcessed() != subscribed {
				t.Errorf("consumers = %v, want analytics with %d events processed", c, subscribed)
			}
		})
	}
}
