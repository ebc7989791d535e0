package analytics_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/events"
	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/storage/storagetest"
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
			var day string // the UTC day of the first event, all in a few ms
			for _, ev := range []struct {
				typ     string
				payload proto.Message
			}{
				{events.DesignCreated, &builderv1.DesignCreated{Design: d.facts()}},
				{events.DesignUpdated, &builderv1.DesignUpdated{Design: d.facts()}},
				{events.DesignDeleted, &builderv1.DesignDeleted{DesignId: d.id}},
				{events.UserRegistered, &userv1.UserRegistered{UserId: uuid.NewString()}},
				{events.OrderShipped, &userv1.UserRegistered{}}, // no subscriber
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
			if n, err := relay.Flush(t.Context()); err != nil || n != 5 {
				t.Fatalf("Flush = %d, %v; want 5", n, err)
			}
			// Redeliver everything, as after a crash before marking.
			if _, err := e.db.NewRaw("UPDATE events_outbox SET delivered_at = NULL").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n, err := relay.Flush(t.Context()); err != nil || n != 5 {
				t.Fatalf("second Flush = %d, %v; want 5", n, err)
			}

			got := e.days(t, day, time.Now().UTC().Format("2006-01-02"))
			var createdN, deletedN, usersN int64
			for _, s := range got {
				createdN += s.GetDesignsCreated()
				deletedN += s.GetDesignsDeleted()
				usersN += s.GetUsersRegistered()
			}
			if createdN != 1 || deletedN != 1 || usersN != 1 {
				t.Errorf("%v: want 1 design created and deleted, 1 user", got)
			}
			stats, err := e.client.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if c := stats.GetConsumers(); len(c) != 1 || c[0].GetProcessed() != 4 {
				t.Errorf("consumers = %v, want analytics with 4 events processed", c)
			}
		})
	}
}
